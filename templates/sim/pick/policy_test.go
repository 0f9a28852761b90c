package simpick

import (
	"math/rand/v2"
	"strings"
	"testing"
)

func TestParseNamesABadPolicy(t *testing.T) {
	for _, good := range []string{"", "random", "pct:1", "pct:3"} {
		if _, err := Parse(good); err != nil {
			t.Errorf("Parse(%q): %v", good, err)
		}
	}
	for policy, want := range map[string]string{
		"fifo":  `SimScheduler("fifo"): unknown policy; want "random" or "pct:D"`,
		"pct:0": `SimScheduler("pct:0"): the depth after pct: must be a whole number of at least 1`,
		"pct:x": `SimScheduler("pct:x"): the depth`,
	} {
		if _, err := Parse(policy); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Parse(%q) = %v, want an error saying %q", policy, err, want)
		}
	}
}

// A choice stream decides while it lasts, then the seed's stream does, the
// same way on every run.
func TestDrawTakesChoicesFirst(t *testing.T) {
	draws := func() []int {
		p, _ := Parse("random")
		choices := []byte{5, 2}
		p.Start(rand.New(rand.NewPCG(7, 7)), func() (byte, bool) {
			if len(choices) == 0 {
				return 0, false
			}
			c := choices[0]
			choices = choices[1:]
			return c, true
		})
		var out []int
		for range 6 {
			out = append(out, p.Draw(4))
		}
		return out
	}
	first, again := draws(), draws()
	if first[0] != 1 || first[1] != 2 {
		t.Errorf("the first draws %v do not follow the choices 5%%4 and 2%%4", first[:2])
	}
	for i := range first {
		if first[i] != again[i] {
			t.Fatalf("two runs drew %v and %v", first, again)
		}
	}
}

// PCT runs the runnable task of highest priority, and at a change point
// lowers the running task below every other.
func TestPCTPicksTheHighestAndLowersAtChangePoints(t *testing.T) {
	p, _ := Parse("pct:2")
	p.Start(rand.New(rand.NewPCG(1, 2)), nil)
	prio := []float64{p.Priority(), p.Priority(), p.Priority()}
	for _, x := range prio {
		if x < 1 {
			t.Fatalf("a new task's priority %v is not above the lowered ones", x)
		}
	}
	running := -1
	lowered := 0
	for step := 0; step < pctSteps && lowered == 0; step++ {
		running = p.Pick(3, func(i int) float64 { return prio[i] }, func(x float64) {
			if running >= 0 {
				prio[running] = x
			}
			lowered++
		})
		best := 0
		for i := range prio {
			if prio[i] > prio[best] {
				best = i
			}
		}
		if running != best {
			t.Fatalf("step %d: picked %d, want %d, the highest of %v", step, running, best, prio)
		}
	}
	if lowered != 1 {
		t.Errorf("PCT of depth 2 passed %d change points in %d steps, want 1", lowered, pctSteps)
	}
}
