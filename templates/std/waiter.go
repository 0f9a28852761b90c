package std

import "context"

// stdWaiter is a binary semaphore: a channel with room for one wake-up.
type stdWaiter chan struct{}

func (w stdWaiter) Wait(ctx context.Context, _ string) error {
	done := ctx.Done()
	if done == nil {
		<-w // a plain receive is cheaper than a select
		return nil
	}
	select {
	case <-w:
		return nil
	case <-done:
		return ctx.Err()
	}
}

func (w stdWaiter) Wake() {
	select {
	case w <- struct{}{}:
	default: // already woken
	}
}

// Reusable reports that any goroutine may wait on the waiter again once it
// is drained: it belongs to no task.
func (stdWaiter) Reusable() bool { return true }
