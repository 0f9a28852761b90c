package anyiotest

import (
	"context"
	"flag"
	"fmt"
	"slices"
	"strconv"
	"sync"
	"testing"
	"testing/synctest"

	"github.com/anyiogen/anyiogen/generated/anyio"
)

// onlySeed is the -anyio.seed flag; -1 means "every seed".
var onlySeed = flag.Int64("anyio.seed", -1, "anyiotest: make every Seeds call run only this sim seed")

// Seeds runs body on the sim backend once per seed from 0 to n-1, each inside
// [anyio.Run] with [anyio.Backend](sim), [anyio.Seed](seed) and opts (which
// may add [anyio.Network]; the backend and the seed are always Seeds' own),
// and each as a subtest named seed=N. Each seed makes the simulator pick
// another interleaving of the tasks; the same seed always makes the same one.
//
// Seeds stops at the first seed that fails, whether body returned an error or
// called t.Errorf: one failing seed is enough to debug, and the next ones
// usually fail for the same reason. The failure names the seed and says how
// to run it alone, for instance:
//
//	on sim with seed 17: counter = 1, want 2
//	replay this seed: go test -run '^TestCounter$/^seed=17$' example.com/app
//	           or: go test example.com/app -anyio.seed=17
//
// The second form uses the -anyio.seed flag that this package registers:
// with it, every Seeds call runs only that seed, whatever its n, so a seed
// found by a long run can be replayed in a short one.
//
// Once every seed has passed, each name that the runs gave anyio.Sometimes
// and that no run saw true fails the test, named: the sweep never reached
// the path it stands for.
//
// If the sim backend was not generated into package anyio, Seeds skips the
// test and says so (the reference package has it; the check guards copies
// of anyiotest made for packages generated with fewer backends). n must be positive. body must not call t.Fatal or its
// relatives: see the package documentation.
func Seeds(t *testing.T, n int, body func(t *testing.T, ctx context.Context) error, opts ...anyio.RunOption) {
	t.Helper()
	if !slices.Contains(anyio.Backends(), anyio.BackendSim) {
		t.Skipf("anyiotest.Seeds: package anyio has no %q backend (compiled in: %v); generate it with -backends std,sim", anyio.BackendSim, anyio.Backends())
	}
	if n <= 0 {
		t.Fatalf("anyiotest.Seeds: n = %d, want at least 1", n)
	}
	first, last := int64(0), int64(n-1)
	if *onlySeed >= 0 {
		first, last = *onlySeed, *onlySeed
	}
	defer watchStalls(t)()
	seen := &sometimesBook{}
	opts = append(slices.Clone(opts), seen.option())
	for seed := first; seed <= last; seed++ {
		if !t.Run("seed="+strconv.FormatInt(seed, 10), func(t *testing.T) { runSeed(t, seed, body, opts) }) {
			if seed < last {
				t.Logf("anyiotest.Seeds: stopped at the first failing seed, %d; seeds %d to %d did not run", seed, seed+1, last)
			}
			return
		}
	}
	for _, name := range seen.neverTrue() {
		t.Errorf("anyiotest.Seeds: anyio.Sometimes(ctx, cond, %q) was never true in %d runs (seeds %d to %d): the path it names was never reached", name, last-first+1, first, last)
	}
}

// sometimesBook keeps, over a sweep, which Sometimes names were seen and
// which were ever true.
type sometimesBook struct {
	mu      sync.Mutex
	order   []string
	wasTrue map[string]bool
}

// option is the RunOption through which the runs of a sweep report their
// Sometimes calls to the book.
func (s *sometimesBook) option() anyio.RunOption { return anyio.OnSometimes(s.record) }

func (s *sometimesBook) record(name string, cond bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.wasTrue == nil {
		s.wasTrue = map[string]bool{}
	}
	if _, ok := s.wasTrue[name]; !ok {
		s.order = append(s.order, name)
	}
	s.wasTrue[name] = s.wasTrue[name] || cond
}

// neverTrue lists the names never seen true, in the order they first came.
func (s *sometimesBook) neverTrue() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for _, name := range s.order {
		if !s.wasTrue[name] {
			out = append(out, name)
		}
	}
	return out
}

// runSeed is one subtest of Seeds: body on sim with seed, and, if that fails,
// the commands that replay it.
func runSeed(t *testing.T, seed int64, body func(t *testing.T, ctx context.Context) error, opts []anyio.RunOption) {
	t.Helper()
	var err error
	// A failure inside the bubble (t.Errorf) makes synctest.Test end the
	// subtest with FailNow: the replay commands are given on the way out.
	defer func() {
		if err == nil && !t.Failed() {
			return
		}
		how := replayCommands(t.Name(), seed)
		if err != nil {
			t.Errorf("on sim with seed %d: %v\n%s", seed, err, how)
		} else {
			t.Logf("seed %d failed\n%s", seed, how)
		}
	}()
	synctest.Test(t, func(t *testing.T) {
		err = anyio.Run(func(ctx context.Context) error { return body(t, ctx) },
			slices.Concat(opts, []anyio.RunOption{anyio.Backend(anyio.BackendSim), anyio.Seed(seed)})...)
	})
}

// replayCommands tells how to run the subtest named test (as t.Name reports
// it) on its own.
func replayCommands(test string, seed int64) string {
	pkg := packageArg()
	return fmt.Sprintf("replay this seed: go test -run %s %s\n           or: go test %s -anyio.seed=%d",
		shellQuote(runPattern(test)), pkg, pkg, seed)
}
