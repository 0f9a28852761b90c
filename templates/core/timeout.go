package core

import (
	"context"
	anyiort "github.com/anyiogen/anyiogen/runtime"
	"time"
)

// runWithTimeout is the scope both FailAfter and MoveOnAfter run.
func runWithTimeout(ctx context.Context, what string, d time.Duration, body func(ctx context.Context) error, opts []ScopeOption) (*CancelScope, error) {
	b := backendOf(ctx)
	now := b.Now()
	return runUntil(ctx, b, now, what, d, now.Add(d), body, opts)
}

// runUntil runs body in a scope whose deadline is deadline (or an earlier
// one of opts), named what(d) (or what, for d 0) in its cause.
func runUntil(ctx context.Context, b anyiort.Backend, now time.Time, what string, d time.Duration, deadline time.Time, body func(ctx context.Context) error, opts []ScopeOption) (*CancelScope, error) {
	s := NewCancelScope(opts...)
	s.timeoutOp, s.timeout = what, d
	if !s.hasDeadline || deadline.Before(s.deadline) {
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
