package std

import (
	"context"
	"sync"
	"time"
)

// stdInterrupter cuts short one direction of a socket (its reads, or its
// writes) when the ctx of the call under way is cancelled, by moving the
// socket's deadline into the past. It watches a ctx once and keeps the
// watch between calls while they share the ctx, as a connection's calls
// from one task do, so a call costs no allocation. One call at a time
// uses it: the stream above lets one task read and one write at once.
type stdInterrupter struct {
	setDeadline func(time.Time) error

	mu       sync.Mutex
	ctx      context.Context // watched; nil when no watch is registered
	stop     func() bool     // ends the watch on ctx
	watch    uint64          // counts watches, so a late callback of an ended one is ignored
	inFlight bool            // a call is in the OS
	fired    bool            // the deadline was moved during that call
}

// do runs op, an OS call that obeys the deadline, under ctx.
func (i *stdInterrupter) do(ctx context.Context, op func() (int, error)) (int, error) {
	if ctx.Done() == nil {
		return op() // nothing can cut it short
	}
	i.mu.Lock()
	if i.ctx != ctx {
		i.unwatchLocked()
		i.watch++
		w := i.watch
		i.ctx = ctx
		i.stop = context.AfterFunc(ctx, func() { i.fire(w) })
	}
	if err := ctx.Err(); err != nil {
		i.mu.Unlock()
		return 0, err
	}
	i.inFlight = true
	i.mu.Unlock()

	n, err := op()

	i.mu.Lock()
	defer i.mu.Unlock()
	i.inFlight = false
	if i.fired {
		// The watch has fired and is spent: put the deadline back for the
		// next call, which watches afresh.
		i.fired, i.ctx, i.stop = false, nil, nil
		_ = i.setDeadline(time.Time{})
		if err != nil && ctx.Err() != nil {
			return n, ctx.Err()
		}
	}
	return n, err
}

// fire is the callback of watch number w: its ctx was cancelled. A watch
// ended since (the calls moved to another ctx) has nothing to cut short.
func (i *stdInterrupter) fire(w uint64) {
	i.mu.Lock()
	defer i.mu.Unlock()
	if w != i.watch || i.ctx == nil {
		return
	}
	if i.inFlight {
		_ = i.setDeadline(time.Unix(1, 0))
		i.fired = true
		return
	}
	i.ctx, i.stop = nil, nil // spent; the next call sees ctx.Err() first
}

// close ends the watch, when the socket is closed.
func (i *stdInterrupter) close() {
	i.mu.Lock()
	defer i.mu.Unlock()
	i.unwatchLocked()
}

func (i *stdInterrupter) unwatchLocked() {
	if i.stop != nil {
		i.stop()
	}
	i.ctx, i.stop = nil, nil
}
