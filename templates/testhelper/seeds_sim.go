//go:build !anyiogen_nosim

package anyiotest

import (
	"bytes"
	"cmp"
	"context"
	"flag"
	"fmt"
	mathrand "math/rand"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/anyiogen/anyiogen/generated/anyio"
)

// Seeds runs body on the sim backend once per seed from 0 to n-1, each inside
// [anyio.Run] with [anyio.Backend](sim), [anyio.Seed](seed) and opts (which
// may add [anyio.NetworkFunc], for a cluster: a network for each run, as
// a network belongs to the first run that uses it; the backend and the
// seed are always Seeds' own),
// inside a testing/synctest bubble, and each as a subtest named seed=N. Each
// seed makes the simulator pick another interleaving of the tasks; the same
// seed always makes the same one.
//
// Seeds run in parallel, as many at a time as go test's -parallel allows
// (GOMAXPROCS by default), after the first, which runs alone (if it
// adopts goroutines, the runs after it hold one processor from their
// start): a body must not share what it changes with
// other seeds' runs. Where the binary lets rand.Seed act (GODEBUG
// randseednop=0), each run seeds math/rand's global source from its seed
// and seeds run one at a time, so that what libraries draw from that
// source follows the seed. Seeds stops starting seeds at the first that fails,
// whether body returned an error or called t.Errorf: one failing seed is
// enough to debug, and the next ones usually fail for the same reason. The
// failure names the line that called Seeds, the seed, how to run it alone
// and where its trace is, for instance:
//
//	counter_test.go:31: on sim with seed 17: counter = 1, want 2
//	    replay this seed: go test -run '^TestCounter$/^seed=17$' example.com/app
//	               or: go test example.com/app -anyio.seed=17
//	    trace of the run: /tmp/anyiotest/TestCounter/seed=17.json (open it in ui.perfetto.dev)
//
// The second form uses the -anyio.seed flag: with it, every Seeds call runs
// only that seed, whatever its n, so a seed found by a long run can be
// replayed in a short one. -anyio.shard=I/N runs only the seeds s with
// s%N == I, -anyio.sched=pct:D schedules by PCT, and
// -anyio.checkdeterminism runs each seed twice and fails at the first
// event where the two runs differ (see the package documentation).
//
// Once every seed has passed, each name that the runs gave anyio.Sometimes
// and that no run saw true fails the test, named: the sweep never reached
// the path it stands for. A Sometimes or a Reachable that no run of the
// sweep executed, but that another sweep of the test binary did, fails it
// under -anyio.assertions=strict and is listed under -v otherwise; an
// anyio.Always that is false or an anyio.Unreachable that is reached fails
// its run.
//
// A body that returns a failed check.Result (from check.Linearizable on a
// History) fails its seed with the part of the history that is not
// linearizable, and the visualization is moved beside the run's trace.
// Both go to the test's artifact directory (t.ArtifactDir) when go test
// runs with -artifacts, and under the temporary directory otherwise.
//
// n must be positive. body must not call t.Fatal or its relatives: see the
// package documentation.
func Seeds(t *testing.T, n int, body func(t *testing.T, ctx context.Context) error, opts ...anyio.RunOption) {
	t.Helper()
	if n <= 0 {
		t.Fatalf("anyiotest.Seeds: n = %d, want at least 1", n)
	}
	flags, err := readSweepFlags()
	if err == nil {
		err = checkSched(flags.sched)
	}
	if err != nil {
		t.Fatalf("anyiotest.Seeds: %v", err)
	}
	var seeds []int64
	if flags.seed >= 0 {
		seeds = []int64{flags.seed}
	} else {
		for s := range int64(n) {
			if s%flags.of == flags.shard {
				seeds = append(seeds, s)
			}
		}
	}
	seen := &assertionBook{}
	sw := &sweep{
		body:  body,
		flags: flags,
		opts:  slices.Concat(opts, []anyio.RunOption{anyio.OnAssertion(seen.record), anyio.SimScheduler(flags.sched)}),
	}
	failed, ok := sw.run(t, seeds)
	// Each failure is told here, where t.Errorf names the line that called
	// Seeds (Seeds is a helper), rather than in the seed's subtest, where
	// it would name this file.
	for _, r := range sw.reports {
		t.Errorf("%s", r.text)
	}
	if ok {
		if left := seeds[sw.next:]; len(left) > 0 {
			t.Logf("anyiotest.Seeds: stopped at the first failing seed, %d; seeds %s did not run", failed, seedRange(left))
		}
		return
	}
	if flags.seed >= 0 || flags.of > 1 || int(sw.ran.Load()) < len(seeds) {
		return // a part of the sweep (-anyio.seed, a shard, -run): it cannot tell what the whole never reached
	}
	for _, name := range seen.neverTrue() {
		t.Errorf("anyiotest.Seeds: anyio.Sometimes(ctx, cond, %q) was never true in %d runs (seeds %s): the path it names was never reached", name, len(seeds), seedRange(seeds))
	}
	for _, site := range seen.unmet() {
		call := fmt.Sprintf("anyio.Reachable(ctx, %q)", site.name)
		if site.kind == "sometimes" {
			call = fmt.Sprintf("anyio.Sometimes(ctx, cond, %q)", site.name)
		}
		if flags.strict {
			t.Errorf("anyiotest.Seeds: %s was never executed in %d runs (seeds %s), and -anyio.assertions=strict asks every sweep to reach it", call, len(seeds), seedRange(seeds))
		} else {
			t.Logf("anyiotest.Seeds: %s, met by another sweep of this test binary, was never executed here (-anyio.assertions=strict makes that a failure)", call)
		}
	}
}

// sweep is one Seeds call.
type sweep struct {
	body  func(t *testing.T, ctx context.Context) error
	flags sweepFlags
	opts  []anyio.RunOption

	mu      sync.Mutex
	next    int          // index of the next seed to start
	failed  int64        // the lowest failing seed, or -1
	reports []seedReport // the failed seeds', in seed order

	ran atomic.Int32 // seeds whose subtest ran (go test -run may skip some)
}

// run runs the seeds as subtests, up to -parallel at a time, in order, and
// stops starting them once one fails. It returns the lowest failing seed.
//
// The first seed runs alone. If its run adopts goroutines (net/http's,
// say), the runs after it hold one processor from their start, and none
// changes the processor count while another creates goroutines, which
// would make goroutine ids, and so the order the run numbers its adoptees
// in, differ from the order they were created in.
func (s *sweep) run(t *testing.T, seeds []int64) (failed int64, ok bool) {
	s.failed = -1
	if !s.runNext(t, seeds) {
		return s.failed, s.failed >= 0
	}
	workers := min(parallelism(), len(seeds))
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for s.runNext(t, seeds) {
			}
		})
	}
	wg.Wait()
	return s.failed, s.failed >= 0
}

// runNext runs the next seed as a subtest, and reports whether it started
// one: false once every seed has started or one has failed.
func (s *sweep) runNext(t *testing.T, seeds []int64) bool {
	s.mu.Lock()
	if s.next == len(seeds) || s.failed >= 0 {
		s.mu.Unlock()
		return false
	}
	seed := seeds[s.next]
	s.next++
	s.mu.Unlock()
	if !t.Run("seed="+strconv.FormatInt(seed, 10), func(t *testing.T) { s.runSeed(t, seed) }) {
		s.mu.Lock()
		if s.failed < 0 || seed < s.failed {
			s.failed = seed
		}
		s.mu.Unlock()
	}
	return true
}

// parallelism is go test's -parallel, or GOMAXPROCS outside go test; 1
// where the test binary lets rand.Seed act (GODEBUG randseednop=0). There
// each sim run seeds math/rand's global source from its seed, so that what
// libraries draw from it follows the seed; the source is the process's, and
// two runs at once would draw from each other's.
func parallelism() int {
	if globalRandFollowsSeeds() {
		return 1
	}
	if f := flag.Lookup("test.parallel"); f != nil {
		if n, err := strconv.Atoi(f.Value.String()); err == nil && n > 0 {
			return n
		}
	}
	return max(1, runtime.GOMAXPROCS(0))
}

// globalRandFollowsSeeds reports whether rand.Seed acts in this binary.
func globalRandFollowsSeeds() bool {
	//lint:ignore SA1019 whether the deprecated call acts is the question
	mathrand.Seed(1)
	first := mathrand.Int63()
	//lint:ignore SA1019 as above
	mathrand.Seed(1)
	return mathrand.Int63() == first
}

// bubbleLeftBlocked reports whether v is testing/synctest's panic for a
// bubble whose goroutines were still blocked when its function returned.
func bubbleLeftBlocked(v any) bool {
	return strings.Contains(fmt.Sprint(v), "blocked goroutines remain")
}

// runSeed is one subtest of Seeds: body on sim with seed, traced; if that
// fails, the commands that replay it and the trace's file.
func (s *sweep) runSeed(t *testing.T, seed int64) {
	t.Helper()
	s.ran.Add(1)
	var trace bytes.Buffer
	var err error
	var diff string // how the determinism check's two runs differed
	second := false // err, if any, is the determinism check's second run's
	// A failure inside the bubble (t.Errorf) makes synctest.Test end the
	// subtest with FailNow: the report is made on the way out.
	defer func() {
		panicked := recover()
		if err == nil && !t.Failed() && panicked == nil {
			return
		}
		how := replayCommands(t.Name(), seed, s.flags)
		if path, werr := writeTrace(t, trace.Bytes()); werr == nil {
			how += "\n    trace of the run: " + path + " (open it in ui.perfetto.dev)"
		}
		var text string
		switch {
		case err != nil && second:
			text = fmt.Sprintf("-anyio.checkdeterminism: seed %d passed, then failed when run again: %v\n(the body's behaviour follows something other than the seed)\n%s", seed, err, how)
		case err != nil:
			text = fmt.Sprintf("on sim with seed %d: %v\n%s", seed, err, how)
		case diff != "":
			text = diff + "\n" + how
		default:
			text = fmt.Sprintf("seed %d failed (above)\n%s", seed, how)
		}
		text = keepVisualization(t, err, text)
		if panicked != nil && bubbleLeftBlocked(panicked) {
			// testing/synctest found goroutines of the run's bubble blocked
			// after the run: the run said which, if it adopted them. They
			// stay blocked, but the test binary goes on.
			s.report(seed, text+"\n    testing/synctest: "+fmt.Sprint(panicked))
			t.Fail()
			return
		}
		if panicked != nil {
			// The test binary is going down (a bubble left with a goroutine
			// that nothing can wake, say): the story is told now, here, or
			// never.
			t.Errorf("%s", text)
			panic(panicked)
		}
		s.report(seed, text)
		t.Fail()
	}()
	runInBubble(t, func(t *testing.T) {
		err = s.once(t, seed, &trace)
	})
	if err != nil || t.Failed() || !s.flags.determinism {
		return
	}
	var again bytes.Buffer
	second = true
	runInBubble(t, func(t *testing.T) {
		err = s.once(t, seed, &again)
	})
	if err != nil {
		trace = again // the failing run's trace
	} else {
		if d := firstDifference(trace.Bytes(), again.Bytes()); d != "" {
			diff = fmt.Sprintf("-anyio.checkdeterminism: seed %d ran differently the second time: %s\n(the body's behaviour follows something other than the seed: map iteration order, a global math/rand draw, the wall clock, a goroutine the simulator did not start)", seed, d)
			t.Fail()
		}
	}
}

// seedReport is a failed seed's story, told by Seeds.
type seedReport struct {
	seed int64
	text string
}

// report keeps a failed seed's story, in seed order.
func (s *sweep) report(seed int64, text string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	i, _ := slices.BinarySearchFunc(s.reports, seed, func(r seedReport, seed int64) int { return cmp.Compare(r.seed, seed) })
	s.reports = slices.Insert(s.reports, i, seedReport{seed, text})
}

// checkSched says whether the copy's simulator knows the scheduler a
// -anyio.sched flag names, by starting an empty run with it: a bad value
// is the flag's error, not every seed's.
func checkSched(sched string) error {
	err := anyio.Run(func(ctx context.Context) error { return nil }, anyio.Backend(anyio.BackendSim), anyio.SimScheduler(sched))
	if err != nil {
		return fmt.Errorf("-anyio.sched=%s: %w", sched, err)
	}
	return nil
}

// once runs the body for seed, traced into trace.
func (s *sweep) once(t *testing.T, seed int64, trace *bytes.Buffer) error {
	trace.Reset()
	return anyio.Run(func(ctx context.Context) error { return s.body(t, ctx) },
		slices.Concat(s.opts, []anyio.RunOption{anyio.Backend(anyio.BackendSim), anyio.Seed(seed), anyio.Trace(trace)})...)
}

// firstDifference names the first event where two traces differ, or "".
func firstDifference(a, b []byte) string {
	if bytes.Equal(a, b) {
		return ""
	}
	la, lb := strings.Split(string(a), "\n"), strings.Split(string(b), "\n")
	for i := range max(len(la), len(lb)) {
		var x, y string
		if i < len(la) {
			x = la[i]
		}
		if i < len(lb) {
			y = lb[i]
		}
		if x != y {
			return fmt.Sprintf("at event %d of the trace\n\tfirst run:  %s\n\tsecond run: %s", i, orEnd(x), orEnd(y))
		}
	}
	return "in the traces' length"
}

func orEnd(line string) string {
	if line == "" {
		return "(the trace had ended)"
	}
	return strings.TrimSuffix(line, ",")
}

// writeTrace saves a failed run's trace where artifactPath says.
func writeTrace(t *testing.T, trace []byte) (string, error) {
	if len(trace) == 0 {
		return "", fmt.Errorf("no trace")
	}
	path, err := artifactPath(t, ".json")
	if err != nil {
		return "", err
	}
	return path, os.WriteFile(path, trace, 0o644)
}

// artifactPath is where a failed run's file with suffix goes: in the
// test's artifact directory when go test was asked to keep artifacts
// (-artifacts), else under the temporary directory, at
// anyiotest/<package>/<test><suffix>, which outlives the test.
func artifactPath(t *testing.T, suffix string) (string, error) {
	if f := flag.Lookup("test.artifacts"); f != nil && f.Value.String() == "true" {
		return filepath.Join(t.ArtifactDir(), "run"+suffix), nil
	}
	path := filepath.Join(os.TempDir(), "anyiotest", filepath.FromSlash(packageArg()), filepath.FromSlash(t.Name())+suffix)
	return path, os.MkdirAll(filepath.Dir(path), 0o755)
}

// callerLine is the file:line skip frames up, as go test prints it.
func callerLine(skip int) string {
	_, file, line, ok := runtime.Caller(skip)
	if !ok {
		return "?"
	}
	return filepath.Base(file) + ":" + strconv.Itoa(line)
}

// seedRange describes the seeds a sweep ran.
func seedRange(seeds []int64) string {
	if len(seeds) == 1 {
		return strconv.FormatInt(seeds[0], 10)
	}
	return fmt.Sprintf("%d to %d", seeds[0], seeds[len(seeds)-1])
}

// assertionBook keeps, over a sweep, which assertions its runs executed,
// by kind and name, and whether each was ever true.
type assertionBook struct {
	mu      sync.Mutex
	order   []assertionSite
	wasTrue map[assertionSite]bool
}

// assertionSite is an assertion by kind ("sometimes", "reachable") and
// name.
type assertionSite struct{ kind, name string }

// knownSites are the sites any sweep of the test binary executed: what
// -anyio.assertions=strict holds every later sweep to.
var knownSites = struct {
	sync.Mutex
	order []assertionSite
	seen  map[assertionSite]bool
}{seen: map[assertionSite]bool{}}

func (s *assertionBook) record(kind, name string, cond bool) {
	if kind != "sometimes" && kind != "reachable" {
		return // always and unreachable are judged by their run
	}
	site := assertionSite{kind, name}
	s.mu.Lock()
	if s.wasTrue == nil {
		s.wasTrue = map[assertionSite]bool{}
	}
	if _, ok := s.wasTrue[site]; !ok {
		s.order = append(s.order, site)
	}
	s.wasTrue[site] = s.wasTrue[site] || cond
	s.mu.Unlock()
	knownSites.Lock()
	if !knownSites.seen[site] {
		knownSites.seen[site] = true
		knownSites.order = append(knownSites.order, site)
	}
	knownSites.Unlock()
}

// neverTrue lists the Sometimes names the sweep executed and never saw
// true, in the order they first came.
func (s *assertionBook) neverTrue() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for _, site := range s.order {
		if site.kind == "sometimes" && !s.wasTrue[site] {
			out = append(out, site.name)
		}
	}
	return out
}

// unmet lists the known sites this sweep never executed: each Reachable
// no run reached and each Sometimes no run called.
func (s *assertionBook) unmet() []assertionSite {
	knownSites.Lock()
	known := slices.Clone(knownSites.order)
	knownSites.Unlock()
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []assertionSite
	for _, site := range known {
		if _, ran := s.wasTrue[site]; !ran {
			out = append(out, site)
		}
	}
	return out
}
