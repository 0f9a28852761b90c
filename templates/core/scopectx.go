package core

import (
	"context"
	"time"

	anyiort "github.com/anyiogen/anyiogen/runtime"
)

// scopeCtx is the context.Context a CancelScope hands its body: the same
// memory as the scope, so entering a scope allocates nothing more.
type scopeCtx CancelScope

type scopeKey struct{}

func (c *scopeCtx) scope() *CancelScope { return (*CancelScope)(c) }

// Deadline is the earliest deadline the body can see: its own and, unless
// shielded, its parent's.
func (c *scopeCtx) Deadline() (time.Time, bool) {
	s := c.scope()
	s.mu.Lock()
	d, ok, shield := s.deadline, s.hasDeadline, s.shield
	s.mu.Unlock()
	if !shield {
		if pd, pok := s.parent.Deadline(); pok && (!ok || pd.Before(d)) {
			d, ok = pd, true
		}
	}
	return d, ok
}

func (c *scopeCtx) Done() <-chan struct{} {
	s := c.scope()
	s.link() // whoever holds Done may wait on it: the parent must tell us
	s.mu.Lock()
	if s.done == nil {
		if s.err != nil {
			s.done = closedChan
		} else {
			s.done = make(chan struct{})
		}
	}
	done := s.done
	expired := s.armOnDemandLocked()
	s.mu.Unlock()
	if expired {
		s.deadlineReached() // closes done
	}
	return done
}

func (c *scopeCtx) Err() error {
	s := c.scope()
	if !s.errSlow.Load() && !s.cancelled.Load() {
		return nil // nothing to compare or poll, and not cancelled
	}
	s.mu.Lock()
	err := s.err
	expired := s.deadlinePassedLocked()
	poll := s.parentMayHaveCancelledLocked()
	s.mu.Unlock()
	if expired {
		s.deadlineReached()
		return c.currentErr()
	}
	if poll {
		return s.pollParent()
	}
	return err
}

func (c *scopeCtx) currentErr() error {
	s := c.scope()
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.err
}

func (c *scopeCtx) Value(key any) any {
	switch key {
	case scopeKey{}:
		return c.scope()
	case anyiort.NotifierKey():
		return c
	}
	if key == causeKey && key != nil {
		// Answered here, never by the parent: a scope that is not
		// cancelled has no cause, whatever its parent's.
		return c.scope().causeRecordValue()
	}
	return c.scope().parent.Value(key)
}

func (c *scopeCtx) String() string { return "anyio.CancelScope" }

// NotifyCancel implements anyiort.CancelNotifier: f runs synchronously in the
// goroutine that cancels, so a simulated backend learns of it at once.
func (c *scopeCtx) NotifyCancel(f func()) (stop func() bool) {
	return c.watch(f, func() { f() })
}

// AfterFunc lets context.WithCancel and context.AfterFunc on a scope's
// context link to it without a goroutine each. When the scope is already
// cancelled, f runs in a goroutine of its own, as the context package
// requires: it registers a child while holding that child's lock, and f
// takes the same lock.
func (c *scopeCtx) AfterFunc(f func()) (stop func() bool) {
	return c.watch(f, func() { go f() })
}

// watch registers f to run when the scope is cancelled, or runs
// ifCancelled at once when it already is. Watching is waiting on the
// context: it arms the deadline timer.
func (c *scopeCtx) watch(f, ifCancelled func()) (stop func() bool) {
	s := c.scope()
	s.link()
	s.mu.Lock()
	if s.armOnDemandLocked() {
		s.mu.Unlock()
		s.deadlineReached()
		s.mu.Lock()
	}
	if s.err != nil {
		s.mu.Unlock()
		ifCancelled()
		return func() bool { return false }
	}
	w := s.watchers.add(f)
	s.mu.Unlock()
	return func() bool {
		s.mu.Lock()
		defer s.mu.Unlock()
		return s.watchers.remove(w)
	}
}

var (
	_ context.Context        = (*scopeCtx)(nil)
	_ anyiort.CancelNotifier = (*scopeCtx)(nil)
)
