package core

import (
	"context"
	"errors"
	"time"

	anyiort "github.com/anyiogen/anyiogen/runtime"
)

// enter starts the scope under parent at now on b's clock (the zero time:
// read the clock if the deadline needs it). Linking to the parent waits
// until something waits on the context (link); until then Err polls the
// parent. The deadline's timer waits likewise (armOnDemandLocked): a body
// that never blocks costs neither.
func (s *CancelScope) enter(parent context.Context, b anyiort.Backend, now time.Time) error {
	canCancel := scopeParent(parent) != nil || parent.Done() != nil
	o, one := b.(anyiort.OneAtATime)
	one = one && o.OneAtATime()
	if one && canCancel && !clockIsShared(b) {
		if err := wallDeadline(parent); err != nil {
			return err
		}
	}
	s.mu.Lock()
	if s.state != scopeUnentered {
		s.mu.Unlock()
		return errScopeReentered
	}
	s.state, s.parent, s.backend, s.oneAtATime = scopeRunning, parent, b, one
	s.parentCancels = canCancel
	if !canCancel {
		s.linked.Store(true) // nothing to link to
	}
	s.updateErrSlowLocked()
	expired := false
	if s.hasDeadline && s.err == nil {
		if now.IsZero() {
			now = b.Now()
		}
		expired = !s.deadline.After(now)
	}
	s.mu.Unlock()
	if expired {
		// A deadline already past cancels at the first checkpoint.
		s.deadlineReached()
	}
	return nil
}

// scopeParent returns the scope whose cancellation is exactly ctx's when
// ctx is a scope's or a task's context, without touching its Done (which
// would arm its deadline and link it in turn).
func scopeParent(ctx context.Context) *scopeCtx {
	switch p := ctx.(type) {
	case *scopeCtx:
		return p
	case *taskCtx:
		return p.scopeCtx
	}
	return nil
}

// link makes the parent tell the scope of its cancellation, once something
// waits on the scope's context and polling in Err is no longer enough.
func (s *CancelScope) link() {
	if s.linked.Load() {
		return
	}
	s.mu.Lock()
	need := s.parentCancels && s.state == scopeRunning && !s.linked.Load()
	s.linked.Store(true)
	s.mu.Unlock()
	if need {
		s.watchParent(s.parent)
		s.mu.Lock()
		s.updateErrSlowLocked() // told by the parent now: no need to poll it
		s.mu.Unlock()
	}
}

// updateErrSlowLocked records whether Err must take the lock: for an own
// deadline (compared with the clock until armed), or a parent to poll.
func (s *CancelScope) updateErrSlowLocked() {
	s.errSlow.Store(s.hasDeadline || (s.parentCancels && (s.foreignParent || !s.linked.Load())))
}

// parentMayHaveCancelledLocked reports whether Err must ask the parent: it can be
// cancelled, the shield is down, and the scope is not linked to it (or is,
// but a foreign parent's notification comes late). Called with s.mu held.
func (s *CancelScope) parentMayHaveCancelledLocked() bool {
	return s.err == nil && s.parentCancels && !s.shield && s.state == scopeRunning &&
		(s.foreignParent || !s.linked.Load())
}

// watchParent arranges for the parent's cancellation to reach the scope.
// Scopes of any generated copy notify synchronously, which keeps simulated
// runs deterministic; other contexts are foreign (see watchForeign).
func (s *CancelScope) watchParent(parent context.Context) {
	var unlink func() bool
	if p := scopeParent(parent); p != nil {
		unlink = p.NotifyCancel(s.parentCancelled)
	} else if n := anyiort.FindNotifier(parent); n != nil {
		unlink = n.NotifyCancel(s.parentCancelled)
	} else if parent.Done() != nil {
		unlink = watchForeign(s.backend, parent, s.parentCancelled)
		s.mu.Lock()
		s.foreignParent = true
		s.mu.Unlock()
	} else {
		return
	}
	s.mu.Lock()
	if s.state == scopeRunning {
		s.unlink = unlink
		unlink = nil
	}
	s.mu.Unlock()
	if unlink != nil {
		unlink()
	}
}

func (s *CancelScope) parentCancelled() {
	s.mu.Lock()
	shield := s.shield
	s.mu.Unlock()
	if !shield {
		s.cancelFromParent()
	}
}

// cancelFromParent passes the parent's cancellation, and its cause, on.
func (s *CancelScope) cancelFromParent() {
	s.cancel(s.parent.Err(), context.Cause(s.parent))
}

// armOnDemandLocked arms the deadline timer if the scope runs with a
// deadline and none is armed yet; true means the deadline has passed, for
// the caller to act on once it has unlocked. It is called by everything
// that waits on the context (Done, NotifyCancel, AfterFunc), so the timer
// exists exactly when someone could miss the deadline without it; Err
// compares with the clock instead.
func (s *CancelScope) armOnDemandLocked() (expired bool) {
	s.waitedOn = true
	if s.state != scopeRunning || !s.hasDeadline || s.err != nil || s.timer != nil {
		return false
	}
	return !s.armLocked()
}

// observeDeadline cancels the scope if its unarmed deadline has passed.
// Whatever reads or changes the cancellation state calls it first, so a
// deadline that nobody waited on still counts from the moment it passed.
func (s *CancelScope) observeDeadline() {
	s.mu.Lock()
	passed := s.deadlinePassedLocked()
	s.mu.Unlock()
	if passed {
		s.deadlineReached()
	}
}

// deadlinePassedLocked reports whether an unarmed deadline has passed.
func (s *CancelScope) deadlinePassedLocked() bool {
	return s.state == scopeRunning && s.hasDeadline && s.err == nil && s.timer == nil &&
		!s.backend.Now().Before(s.deadline)
}

// armLocked starts the deadline timer; false means the deadline has passed.
func (s *CancelScope) armLocked() bool {
	if s.timer != nil {
		s.timer.Stop() // a stale one must not outlive the scope
		s.timer = nil
	}
	d := s.deadline.Sub(s.backend.Now())
	if d <= 0 {
		return false
	}
	s.timer = s.backend.AfterFunc(d, s.deadlineTimer)
	return true
}

func (s *CancelScope) deadlineTimer() {
	s.mu.Lock()
	if s.state != scopeRunning || s.err != nil {
		s.mu.Unlock()
		return
	}
	// The timer may be stale (SetDeadline moved the deadline) or early
	// against a wall-clock deadline: re-arm rather than cancel.
	if s.armLocked() {
		s.mu.Unlock()
		return
	}
	s.mu.Unlock()
	s.deadlineReached()
}

func (s *CancelScope) deadlineReached() {
	s.mu.Lock()
	if !s.cancelCalled {
		s.byDeadline = true
	}
	s.cancelCalled = true
	cause := &deadlineError{op: s.timeoutOp, d: s.timeout, deadline: s.deadline}
	s.mu.Unlock()
	s.cancel(context.DeadlineExceeded, cause)
}

// cancel makes err the context's error and cause what context.Cause
// reports, if it has no error yet, and tells every watcher, in the order
// they registered.
func (s *CancelScope) cancel(err, cause error) {
	s.mu.Lock()
	if s.err != nil {
		s.mu.Unlock()
		return
	}
	s.err, s.cause = err, cause
	s.cancelled.Store(true)
	if s.done == nil {
		s.done = closedChan
	} else {
		close(s.done)
	}
	fire := s.watchers.takeAll()
	s.mu.Unlock()
	for _, f := range fire {
		f()
	}
}

// release ends the scope's life: no timer or parent link outlives Run.
func (s *CancelScope) release() {
	s.mu.Lock()
	if s.deadlinePassedLocked() {
		// A deadline that passed unnoticed still counts.
		s.mu.Unlock()
		s.deadlineReached()
		s.mu.Lock()
	}
	s.state = scopeExited
	timer, unlink := s.timer, s.unlink
	s.timer, s.unlink = nil, nil
	s.mu.Unlock()
	if timer != nil {
		timer.Stop()
	}
	if unlink != nil {
		unlink()
	}
}

// settle decides what Run returns. The scope catches a cancellation only
// when it was itself cancelled and no enclosing scope that the body can see
// is cancelled too; then the cancellations are stripped from err and only
// the rest goes up (nothing, for a cancellation alone). Anything else goes
// up unchanged. ErrTimeout from an inner FailAfter is a failure like any
// other here, never caught.
func (s *CancelScope) settle(err error) error {
	if err == nil {
		return nil
	}
	s.mu.Lock()
	own, shield := s.cancelCalled, s.shield
	s.mu.Unlock()
	if !own || (!shield && s.parent.Err() != nil) {
		return err
	}
	rest, stripped := stripCancellations(err)
	if !stripped {
		return err
	}
	s.mu.Lock()
	s.caught = true
	s.mu.Unlock()
	return rest
}

var closedChan = func() chan struct{} {
	c := make(chan struct{})
	close(c)
	return c
}()

// watchForeign calls f once ctx, a context that no scope made, is done: on
// the backend's terms when it watches such contexts itself (a simulated
// backend does, to stay deterministic), else from context.AfterFunc's
// goroutine.
func watchForeign(b anyiort.Backend, ctx context.Context, f func()) (stop func() bool) {
	if fw, ok := b.(anyiort.ForeignWatcher); ok {
		return fw.WatchForeign(ctx, f)
	}
	return context.AfterFunc(ctx, f)
}

// pollParent makes the parent's cancellation count as soon as anyone looks,
// rather than when (or if) its notification arrives: cancellation is
// level-triggered. It returns the scope's error afterwards.
func (s *CancelScope) pollParent() error {
	if s.parent.Err() != nil {
		s.cancelFromParent()
	}
	return (*scopeCtx)(s).currentErr()
}

// clockIsShared reports whether b's virtual clock is also the time
// package's (a simulated run inside a testing/synctest bubble), where a
// deadline from the context package is on the run's clock.
func clockIsShared(b anyiort.Backend) bool {
	sc, ok := b.(anyiort.SharedClock)
	return ok && sc.ClockIsShared()
}

// wallDeadline refuses, on a backend that keeps virtual time, a parent
// whose deadline is on the wall clock (from context.WithTimeout or
// WithDeadline rather than a scope): the scope's deadlines would mix the
// two clocks, and the wall-clock one would pass at a moment nothing in the
// run decides.
func wallDeadline(parent context.Context) error {
	if scopeParent(parent) != nil || anyiort.FindNotifier(parent) != nil || parent.Err() != nil {
		return nil // a deadline that has passed is a cancellation like any other
	}
	if _, ok := parent.Deadline(); ok {
		// Without the deadline's time: a run's errors are a function of
		// its seed, and a wall-clock time is not.
		return errors.New("anyio: a cancel scope entered under a deadline on the wall clock (from context.WithTimeout or WithDeadline) in a simulated run, whose clock is virtual: use FailAfter, MoveOnAfter or a CancelScope's Deadline")
	}
	return nil
}
