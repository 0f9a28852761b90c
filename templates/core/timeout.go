package core

import (
	"context"
	"time"
)

// runWithTimeout is the scope both FailAfter and MoveOnAfter run.
func runWithTimeout(ctx context.Context, what string, d time.Duration, body func(ctx context.Context) error, opts []ScopeOption) (*CancelScope, error) {
	b := backendOf(ctx)
	s := NewCancelScope(opts...)
	s.timeoutOp, s.timeout = what, d
	now := b.Now()
	if deadline := now.Add(d); !s.hasDeadline || deadline.Before(s.deadline) {
		s.deadline, s.hasDeadline = deadline, true
	}
	if err := s.enter(ctx, b, now); err != nil {
		return s, err
	}
	return s, s.settle(s.runBody(body))
}

func (s *CancelScope) caughtDeadline() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.caught && s.byDeadline
}
