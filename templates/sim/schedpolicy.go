package sim

import (
	anyiort "github.com/anyiogen/anyiogen/runtime"
)

// How the scheduler picks the next task: the options that choose it, and
// the scheduler's use of the policy, which lives in the sub-home
// templates/sim/pick.

type (
	simSchedulerKey struct{}
	simChoicesKey   struct{}
)

// SimScheduler returns a RunOption that sets how a sim run picks the next
// task: "random" (the default: uniformly among the runnable tasks, drawn
// from the seed) or "pct:D", PCT of depth D (D ≥ 1): each task gets a
// random priority, the highest runnable one runs, and at D-1 random steps
// the running task drops below all others, which finds bugs that need a
// particular order of a few tasks far sooner. Both draw from the seed. An
// unknown policy makes Run return an error naming it. Other backends
// ignore it.
func SimScheduler(policy string) anyiort.RunOption {
	return func(cfg *anyiort.RunConfig) { cfg.Set(simSchedulerKey{}, policy) }
}

// SimChoices returns a RunOption that makes every draw of a sim run come
// from data before it comes from the seed (see simDraws). Other backends
// ignore it.
func SimChoices(data []byte) anyiort.RunOption {
	return func(cfg *anyiort.RunConfig) { cfg.Set(simChoicesKey{}, data) }
}

// drawLocked is a scheduling draw in [0, n).
func (b *simBackend) drawLocked(n int) int { return b.policy.Draw(n) }

// priorityLocked gives a new task its priority, for PCT.
func (b *simBackend) priorityLocked(t *simTask) { t.priority = b.policy.Priority() }

// pickLocked returns the index in b.runnable (of n > 1 tasks) of the task
// to run next.
func (b *simBackend) pickLocked(n int) int {
	return b.policy.Pick(n, func(i int) float64 { return b.runnable[i].priority }, func(p float64) {
		if t := b.current; t != nil {
			t.priority = p
		}
	})
}
