package std

import "context"

// stdWaiter is a binary semaphore: a channel with room for one wake-up.
type stdWaiter chan struct{}

func (w stdWaiter) Wait(ctx context.Context, _ string) error {
	select {
	case <-w:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (w stdWaiter) Wake() {
	select {
	case w <- struct{}{}:
	default: // already woken
	}
}
