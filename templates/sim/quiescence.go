package sim

import (
	"context"
	"slices"

	anyiort "github.com/anyiogen/anyiogen/runtime"
)

// WaitAllTasksBlocked implements anyiort.QuiescenceWaiter: the caller parks
// until the scheduler finds nothing else runnable and no timer due, and is
// woken then instead of the clock moving.
func (b *simBackend) WaitAllTasksBlocked(ctx context.Context) error {
	w := b.NewWaiter().(*simWaiter)
	b.mu.Lock()
	b.quiescent = append(b.quiescent, w)
	b.mu.Unlock()
	err := w.Wait(ctx, "WaitAllTasksBlocked")
	b.mu.Lock()
	if i := slices.Index(b.quiescent, w); i >= 0 {
		b.quiescent = slices.Delete(b.quiescent, i, i+1)
	}
	b.mu.Unlock()
	return err
}

// wakeQuiescentLocked wakes every WaitAllTasksBlocked caller, in the order
// they began waiting, and reports whether there were any.
func (b *simBackend) wakeQuiescentLocked() bool {
	if len(b.quiescent) == 0 {
		return false
	}
	for _, w := range b.quiescent {
		w.woken = true
		b.unparkLocked(w)
	}
	b.quiescent = b.quiescent[:0]
	return true
}

var (
	_ anyiort.QuiescenceWaiter = (*simBackend)(nil)
	_ anyiort.Randomness       = (*simBackend)(nil)
)
