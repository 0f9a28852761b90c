package core

import "sync/atomic"

// ResourceGuard keeps two tasks from doing the same operation on one
// resource at once, as AnyIO's ResourceGuard does for a socket's reads and
// writes: the second gets ErrBusyResource instead of interleaving with the
// first.
type ResourceGuard struct {
	busy atomic.Bool
	err  error // made once, so Enter allocates nothing
	exit func()
}

// NewResourceGuard returns a guard whose busy error names action, as in
// "another task is already reading from this resource".
func NewResourceGuard(action string) *ResourceGuard {
	g := &ResourceGuard{err: &busyError{action: action}}
	g.exit = func() { g.busy.Store(false) }
	return g
}

// Enter claims the resource until exit is called, once, or returns an
// error matching ErrBusyResource while another task holds it.
func (g *ResourceGuard) Enter() (exit func(), err error) {
	if !g.busy.CompareAndSwap(false, true) {
		return nil, g.err
	}
	return g.exit, nil
}

// busyError is a guard's ErrBusyResource, naming the action.
type busyError struct{ action string }

func (e *busyError) Error() string {
	return "anyio: another task is already " + e.action + " this resource"
}

func (e *busyError) Unwrap() error { return ErrBusyResource }
