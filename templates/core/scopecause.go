package core

import (
	"context"
	"time"
)

// context.Cause asks a context for its cancellation record with
// Value(&cancelCtxKey), a key the context package keeps unexported, and
// falls back to Err for a context that does not answer. A scope's context
// answers with a record of its own cause, so that context.Cause reports
// what CancelWithCause gave, which deadline passed, or the parent's cause.
// The key is learned once, by asking Cause about a context that notes the
// question. Should a future Go ask differently, causeKey stays nil and
// context.Cause falls back to Err: less precise, never wrong.
var causeKey = func() any {
	// Cause asks only a context that reports an error.
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	p := &causeProbe{Context: cancelled}
	_ = context.Cause(p)
	return p.key
}()

type causeProbe struct {
	context.Context
	key any
}

func (p *causeProbe) Value(key any) any {
	if p.key == nil {
		p.key = key
	}
	return nil
}

// causeRecord answers context.Cause for the scope: nil (no cause, as Err
// is nil) until it is cancelled, then a cancelled context of the context
// package whose cause is the scope's.
func (s *CancelScope) causeRecordValue() any {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.err == nil {
		return nil
	}
	if s.causeRecord == nil {
		rec, cancel := context.WithCancelCause(context.Background())
		cancel(s.cause)
		s.causeRecord = rec.Value(causeKey)
	}
	return s.causeRecord
}

// deadlineError is the cause of a scope cancelled by its own deadline. It
// matches context.DeadlineExceeded and reports Timeout() true.
type deadlineError struct {
	op       string        // "FailAfter" or "MoveOnAfter"; empty for a plain scope
	d        time.Duration // op's duration
	deadline time.Time
}

func (e *deadlineError) Error() string {
	what := "cancel scope"
	switch {
	case e.op != "" && e.d == 0:
		what = e.op // FailAt, MoveOnAt: the deadline says it all
	case e.op != "":
		what = e.op + "(" + e.d.String() + ")"
	}
	return "anyio: " + what + ": deadline " + e.deadline.Format(time.RFC3339Nano) + " passed"
}

func (e *deadlineError) Is(target error) bool { return target == context.DeadlineExceeded }
func (e *deadlineError) Timeout() bool        { return true }
