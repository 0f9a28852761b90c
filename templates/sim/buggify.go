package sim

import (
	"context"
	"runtime"

	anyiort "github.com/anyiogen/anyiogen/runtime"
)

// Buggify reports whether the calling site should misbehave now, so that
// code under test can inject its own faults (a slow path, a dropped cache
// entry, an early error) where it knows they are survivable, as
// FoundationDB's BUGGIFY does. On sim a call site is enabled for a run with
// probability 1/4, and an enabled site then reports true at 1/4 of its
// calls, all drawn from the run's seed: the same seed buggifies the same
// calls. On any other backend it is false, at the cost of an atomic load.
func Buggify(ctx context.Context) bool {
	if !anyiort.OneAtATimeRunning() {
		return false
	}
	bf, ok := anyiort.FromContext(ctx).(anyiort.Buggifier)
	if !ok {
		return false
	}
	pc, _, _, _ := runtime.Caller(1)
	return bf.Buggify(pc)
}

// Buggify implements anyiort.Buggifier: whether a site is enabled is drawn
// once per run, the first time it asks; its answers after that at each
// call. The draws come from a stream of the seed of their own, so that
// asking does not change the schedule.
func (b *simBackend) Buggify(pc uintptr) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	on, seen := b.buggySites[pc]
	if !seen {
		on = b.buggyRng.IntN(4) == 0
		b.buggySites[pc] = on
	}
	return on && b.buggyRng.IntN(4) == 0
}

var _ anyiort.Buggifier = (*simBackend)(nil)
