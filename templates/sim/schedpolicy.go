package sim

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	anyiort "github.com/anyiogen/anyiogen/runtime"
)

// How the scheduler picks the next task. The default draws uniformly from
// the runnable tasks. PCT (probabilistic concurrency testing, Burckhardt et
// al., ASPLOS 2010) gives every task a random priority and always runs the
// highest runnable one, lowering the running task's priority at D-1 random
// steps: a bug that needs a particular order of d events is found with
// probability at least 1/(n·k^(d-1)) per run, for n tasks and k steps,
// where a uniform draw may need exponentially many. A choice stream (from
// a fuzzer's bytes) overrides either draw while it lasts.

type (
	simSchedulerKey struct{}
	simChoicesKey   struct{}
)

// simPCTSteps is the number of steps over which PCT spreads its priority
// change points: a run's length is not known in advance.
const simPCTSteps = 1000

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

// SimChoices returns a RunOption that makes a sim run draw its scheduling
// choices from data, a byte a choice, before it draws them from the seed:
// a coverage-guided fuzzer that mutates data searches schedules (the test
// helper's Fuzz does this). Other backends ignore it.
func SimChoices(data []byte) anyiort.RunOption {
	return func(cfg *anyiort.RunConfig) { cfg.Set(simChoicesKey{}, data) }
}

// simPolicy is a run's way of picking.
type simPolicy struct {
	pct     bool
	depth   int
	changes []int // the steps at which the running task's priority drops, sorted
	step    int   // picks made so far
	lowered int   // change points passed: the next dropped priority is -lowered
	choices []byte
}

// simParsePolicy reads a SimScheduler policy.
func simParsePolicy(policy string) (simPolicy, error) {
	switch {
	case policy == "" || policy == "random":
		return simPolicy{}, nil
	case strings.HasPrefix(policy, "pct:"):
		d, err := strconv.Atoi(strings.TrimPrefix(policy, "pct:"))
		if err != nil || d < 1 {
			return simPolicy{}, fmt.Errorf("anyio sim: SimScheduler(%q): the depth after pct: must be a whole number of at least 1", policy)
		}
		return simPolicy{pct: true, depth: d}, nil
	}
	return simPolicy{}, fmt.Errorf("anyio sim: SimScheduler(%q): unknown policy; want \"random\" or \"pct:D\"", policy)
}

// setUpPolicyLocked draws PCT's change points from the seed.
func (b *simBackend) setUpPolicyLocked() {
	p := &b.policy
	if !p.pct {
		return
	}
	for range p.depth - 1 {
		p.changes = append(p.changes, 1+b.rng.IntN(simPCTSteps))
	}
	slices.Sort(p.changes)
}

// drawLocked is a scheduling draw in [0, n): from the choice stream while
// it lasts, then from the seed.
func (b *simBackend) drawLocked(n int) int {
	if p := &b.policy; len(p.choices) > 0 {
		c := int(p.choices[0])
		p.choices = p.choices[1:]
		return c % n
	}
	return b.rng.IntN(n)
}

// priorityLocked gives a new task its PCT priority: a random one above
// every priority a change point hands out.
func (b *simBackend) priorityLocked(t *simTask) {
	if b.policy.pct {
		t.priority = float64(b.drawLocked(math.MaxInt32)) + 1
	}
}

// pickLocked returns the index in b.runnable (of n > 1 tasks) of the task
// to run next.
func (b *simBackend) pickLocked(n int) int {
	p := &b.policy
	if !p.pct {
		return b.drawLocked(n)
	}
	p.step++
	for len(p.changes) > 0 && p.changes[0] <= p.step {
		p.changes = p.changes[1:]
		p.lowered++
		if t := b.current; t != nil {
			t.priority = -float64(p.lowered) // below every task not yet lowered
		}
	}
	best := 0
	for i, t := range b.runnable[:n] {
		if t.priority > b.runnable[best].priority {
			best = i
		}
	}
	return best
}

// OnSometimes returns a RunOption through which a sim run reports every
// Sometimes call to f, in the run's goroutines; f must be safe for
// concurrent use when runs are. The test helper's Seeds uses it to find
// names never seen true. Other backends ignore it.
func OnSometimes(f func(name string, cond bool)) anyiort.RunOption {
	return func(cfg *anyiort.RunConfig) { cfg.Set(anyiort.SometimesKey(), f) }
}

// WatchStalls watches, from outside any testing/synctest bubble, the sim
// runs inside bubbles for a task blocked where the bubble cannot see (a
// sync.Mutex, a system call, a busy loop), and calls report with the run's
// description once one has gone its SimWatchdog period of wall time without
// a scheduling point: such a run cannot go on, nor be unwound. stop ends
// the watch. The test helper runs it around every sim run; a test that
// calls synctest.Test itself can too.
func WatchStalls(report func(description string)) (stop func()) {
	return anyiort.WatchStalls(report)
}
