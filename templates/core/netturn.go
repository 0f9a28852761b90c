package core

import (
	"context"
	"sync"
)

// netTurn lets one call of a direction of a net.Conn view run at a time;
// the others wait their turn, first come first served, as callers of a
// net.Conn do (a SocketStream itself answers ErrBusyResource, as AnyIO's).
// Waiting goes through the backend, so a simulated run sees it.
type netTurn struct {
	mu      sync.Mutex
	busy    bool
	waiters waitQueue
}

// take waits for the turn; a cancelled ctx returns its error and takes
// nothing.
func (t *netTurn) take(ctx context.Context, reason string) error {
	t.mu.Lock()
	if !t.busy && t.waiters.empty() {
		t.busy = true
		t.mu.Unlock()
		return nil
	}
	w := newSyncWaiter(ctx, nil)
	t.waiters.push(w)
	t.mu.Unlock()
	passOn := func() []*syncWaiter { return waitersOf(t.passLocked()) }
	_, err := grantWait{mu: &t.mu, queue: &t.waiters, passOn: passOn}.wait(ctx, w, reason)
	return err
}

// give ends the turn, handing it to the oldest waiter.
func (t *netTurn) give() {
	t.mu.Lock()
	next := t.passLocked()
	t.mu.Unlock()
	wakeSync(next)
}

func (t *netTurn) passLocked() *syncWaiter {
	if w := t.waiters.popLive(); w != nil {
		w.granted = true
		return w
	}
	t.busy = false
	return nil
}
