// Package simpick decides which runnable task of a simulated run goes next.
// The default draws uniformly from the runnable tasks. PCT (probabilistic
// concurrency testing, Burckhardt et al., ASPLOS 2010) gives every task a
// random priority and always runs the highest runnable one, lowering the
// running task's priority at D-1 random steps: a bug that needs a
// particular order of d events is found with probability at least
// 1/(n·k^(d-1)) per run, for n tasks and k steps, where a uniform draw may
// need exponentially many. A choice stream (from a fuzzer's bytes)
// overrides either draw while it lasts.
//
// It is a sub-home of the sim backend: it knows tasks only by their
// priorities, and generation inlines it into the generated package
// (Policy becomes simpickPolicy).
package simpick

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
)

// pctSteps is the number of steps over which PCT spreads its priority
// change points: a run's length is not known in advance.
const pctSteps = 1000

// Policy is a run's way of picking. Its user serializes the calls.
type Policy struct {
	pct     bool
	depth   int
	changes []int               // the steps at which the running task's priority drops, sorted
	step    int                 // picks made so far
	lowered int                 // change points passed: the next dropped priority is -lowered
	choice  func() (byte, bool) // the next choice of a fuzzer's input, while it lasts
	rng     *rand.Rand
}

// Parse reads a policy as SimScheduler takes it: "random" (or "") or
// "pct:D" with D at least 1.
func Parse(policy string) (Policy, error) {
	switch {
	case policy == "" || policy == "random":
		return Policy{}, nil
	case strings.HasPrefix(policy, "pct:"):
		d, err := strconv.Atoi(strings.TrimPrefix(policy, "pct:"))
		if err != nil || d < 1 {
			return Policy{}, fmt.Errorf("anyio sim: SimScheduler(%q): the depth after pct: must be a whole number of at least 1", policy)
		}
		return Policy{pct: true, depth: d}, nil
	}
	return Policy{}, fmt.Errorf("anyio sim: SimScheduler(%q): unknown policy; want \"random\" or \"pct:D\"", policy)
}

// Start readies the policy for a run: its draws come from choice, a byte
// a draw, while it gives them (nil: never), then from rng, from which
// PCT's change points are drawn now.
func (p *Policy) Start(rng *rand.Rand, choice func() (byte, bool)) {
	p.rng, p.choice = rng, choice
	if !p.pct {
		return
	}
	for range p.depth - 1 {
		p.changes = append(p.changes, 1+rng.IntN(pctSteps))
	}
	slices.Sort(p.changes)
}

// Draw is a scheduling draw in [0, n): from the choice stream while it
// lasts, then from the seed.
func (p *Policy) Draw(n int) int {
	if p.choice != nil {
		if c, ok := p.choice(); ok {
			return int(c) % n
		}
	}
	return p.rng.IntN(n)
}

// Priority is a new task's priority: under PCT a random one above every
// priority a change point hands out; 0 otherwise.
func (p *Policy) Priority() float64 {
	if !p.pct {
		return 0
	}
	return float64(p.Draw(math.MaxInt32)) + 1
}

// Pick returns which of n > 1 runnable tasks runs next: priority(i) is the
// i-th one's, and lowerRunning sets the priority of the task that ran last
// when PCT passes a change point.
func (p *Policy) Pick(n int, priority func(i int) float64, lowerRunning func(priority float64)) int {
	if !p.pct {
		return p.Draw(n)
	}
	p.step++
	for len(p.changes) > 0 && p.changes[0] <= p.step {
		p.changes = p.changes[1:]
		p.lowered++
		lowerRunning(-float64(p.lowered)) // below every task not yet lowered
	}
	best := 0
	for i := range n {
		if priority(i) > priority(best) {
			best = i
		}
	}
	return best
}
