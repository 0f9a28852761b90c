package core

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"time"

	anyiort "github.com/anyiogen/anyiogen/runtime"
)

// CancelScope is where a cancellation starts. Its context, handed to the body
// of Run, is where it spreads: every checkpoint inside reports it.
type CancelScope struct {
	mu sync.Mutex // guards every field below

	deadline    time.Time
	hasDeadline bool
	shield      bool

	state   scopeState
	parent  context.Context // set once on entry
	backend anyiort.Backend // set once on entry
	// oneAtATime: backend runs one task at a time (set once on entry).
	oneAtATime bool
	unlink     func() bool // stops watching the parent's cancellation

	// The parent's cancellation reaches the scope lazily: Err polls the
	// parent until something waits on the context (Done, NotifyCancel,
	// AfterFunc), which links the scope to the parent so that it is told.
	// A scope whose body never blocks, like most of a CreateTask's or a
	// FailAfter's, never registers with its parent, and so never contends
	// for the parent's lock with its siblings.
	parentCancels bool        // the parent can be cancelled at all
	linked        atomic.Bool // linked to the parent, or linking
	foreignParent bool        // the parent is not a scope: its cancellation is polled even when linked
	// errSlow is false while Err needs no lock to answer nil: no own
	// deadline, no parent to poll. cancelled is set once err is. Both
	// are written under mu and read without it, on Err's fast path.
	errSlow   atomic.Bool
	cancelled atomic.Bool
	timer     anyiort.Timer // the pending deadline, while running
	// waitedOn: something waits on the context (Done, NotifyCancel), so a
	// deadline needs a timer; until then Err compares with the clock.
	waitedOn bool

	cancelCalled bool          // Cancel was called or the own deadline passed
	byDeadline   bool          // the own cancellation came from the deadline
	caught       bool          // Run absorbed a cancellation
	err          error         // the context's error, once cancelled
	cause        error         // what context.Cause reports, once cancelled
	causeRecord  any           // answers context.Cause; made on first ask
	timeoutOp    string        // "FailAfter" or "MoveOnAfter", for the deadline's cause
	timeout      time.Duration // the d given to timeoutOp
	done         chan struct{} // made on the first Done call
	watchers     scopeWatchers // NotifyCancel and AfterFunc registrations
}

type scopeState uint8

const (
	scopeUnentered scopeState = iota
	scopeRunning
	scopeExited
)

// ScopeOption configures a CancelScope.
type ScopeOption func(*CancelScope)

// Shielded makes outer cancellation not reach the body.
func Shielded() ScopeOption { return func(s *CancelScope) { s.shield = true } }

// Deadline sets the scope's deadline on the backend's clock.
func Deadline(t time.Time) ScopeOption {
	return func(s *CancelScope) { s.deadline, s.hasDeadline = t, true }
}

// NewCancelScope returns a scope that has not been entered.
func NewCancelScope(opts ...ScopeOption) *CancelScope {
	s := &CancelScope{}
	for _, opt := range opts {
		opt(s)
	}
	return s
}

var errScopeReentered = errors.New("anyio: CancelScope.Run called twice: a cancel scope can be entered only once")

// Run runs body with the scope's context and settles its cancellation.
func (s *CancelScope) Run(ctx context.Context, body func(ctx context.Context) error) error {
	if err := s.enter(ctx, backendOf(ctx), time.Time{}); err != nil {
		return err
	}
	return s.settle(s.runBody(body))
}

func (s *CancelScope) runBody(body func(ctx context.Context) error) error {
	defer s.release() // also when body panics, so no timer or link outlives it
	return body((*scopeCtx)(s))
}

// Cancel cancels the scope.
func (s *CancelScope) Cancel() {
	s.observeDeadline() // a deadline that passed unnoticed came first
	s.mu.Lock()
	s.cancelCalled = true
	s.mu.Unlock()
	s.cancel(context.Canceled, context.Canceled)
}

// CancelWithCause cancels the scope as Cancel does; context.Cause of the
// scope's context, and of every context inside it, then reports cause (a
// nil cause: context.Canceled).
func (s *CancelScope) CancelWithCause(cause error) {
	if cause == nil {
		cause = context.Canceled
	}
	s.observeDeadline()
	s.mu.Lock()
	s.cancelCalled = true
	s.mu.Unlock()
	s.cancel(context.Canceled, cause)
}

// CancelCalled reports whether Cancel was called or the deadline passed.
func (s *CancelScope) CancelCalled() bool {
	s.observeDeadline()
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.cancelCalled
}

// CancelledCaught reports whether the scope absorbed a cancellation on exit.
func (s *CancelScope) CancelledCaught() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.caught
}

// Deadline returns the scope's own deadline.
func (s *CancelScope) Deadline() (time.Time, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.deadline, s.hasDeadline
}

// SetDeadline moves the deadline, earlier or later.
func (s *CancelScope) SetDeadline(t time.Time) {
	s.observeDeadline() // the old deadline may have passed unnoticed
	s.mu.Lock()
	s.deadline, s.hasDeadline = t, true
	s.updateErrSlowLocked()
	expired := false
	if s.state == scopeRunning && s.err == nil {
		if s.waitedOn {
			expired = !s.armLocked()
		} else {
			expired = !s.deadline.After(s.backend.Now())
		}
	}
	s.mu.Unlock()
	if expired {
		s.deadlineReached()
	}
}

// Shield reports whether the scope is shielded.
func (s *CancelScope) Shield() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.shield
}

// SetShield turns the shield on or off.
func (s *CancelScope) SetShield(on bool) {
	s.mu.Lock()
	s.shield = on
	running := s.state == scopeRunning
	s.mu.Unlock()
	if !on && running {
		// A cancellation the shield held back reaches the body now.
		if s.parent.Err() != nil {
			s.cancelFromParent()
		}
	}
}
