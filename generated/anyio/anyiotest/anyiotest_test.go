package anyiotest_test

import (
	"context"
	"flag"
	"fmt"
	"net/netip"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/anyiogen/anyiogen/generated/anyio"
	"github.com/anyiogen/anyiogen/generated/anyio/anyiotest"
)

func TestRunRunsEveryBackend(t *testing.T) {
	var backends, names []string
	anyiotest.Run(t, func(t *testing.T, ctx context.Context) error {
		backends = append(backends, anyio.CurrentBackend(ctx))
		names = append(names, t.Name())
		return nil
	})
	if want := anyio.Backends(); !slices.Equal(backends, want) {
		t.Errorf("Run ran the body on %v, want %v", backends, want)
	}
	var want []string
	for _, b := range anyio.Backends() {
		want = append(want, t.Name()+"/"+b)
	}
	if !slices.Equal(names, want) {
		t.Errorf("Run's subtests are %v, want %v", names, want)
	}
}

func TestRunPassesOptions(t *testing.T) {
	// A Backend among the options does not change the subtest's backend; a
	// Network does reach the sim run.
	nw := anyio.NewSimNetwork()
	nw.AddHost("svc.test", netip.MustParseAddr("192.0.2.7"))
	anyiotest.Run(t, func(t *testing.T, ctx context.Context) error {
		if got, want := anyio.CurrentBackend(ctx), t.Name()[strings.LastIndex(t.Name(), "/")+1:]; got != want {
			return fmt.Errorf("CurrentBackend = %q in subtest %s", got, t.Name())
		}
		if anyio.CurrentBackend(ctx) != anyio.BackendSim {
			return nil
		}
		l, err := anyio.ListenTCP(ctx, "svc.test", 80)
		if err != nil {
			return fmt.Errorf("ListenTCP(svc.test) with the Network option: %w", err)
		}
		return l.Close()
	}, anyio.Backend("no-such-backend"), anyio.Network(nw))
}

func TestSeedsRunsEverySeed(t *testing.T) {
	if f := flag.Lookup("anyio.seed"); f != nil && f.Value.String() != "-1" {
		t.Skipf("-anyio.seed=%s makes Seeds run that seed only", f.Value)
	}
	var names []string
	anyiotest.Seeds(t, 5, func(t *testing.T, ctx context.Context) error {
		if b := anyio.CurrentBackend(ctx); b != anyio.BackendSim {
			return fmt.Errorf("Seeds ran the body on %q, want sim", b)
		}
		names = append(names, strings.TrimPrefix(t.Name(), "TestSeedsRunsEverySeed/"))
		return nil
	})
	if want := []string{"seed=0", "seed=1", "seed=2", "seed=3", "seed=4"}; !slices.Equal(names, want) {
		t.Errorf("Seeds(t, 5, ...) ran %v, want %v", names, want)
	}
}

func TestRunReportsTheBackend(t *testing.T) {
	out, err := goTest("-test.run=^TestFailsOnSim$", "-test.v")
	if err == nil {
		t.Errorf("TestFailsOnSim passed, want a failure; output:\n%s", out)
	}
	for _, want := range []string{
		"=== RUN   TestFailsOnSim/sim\n    on backend sim: boom\n=== RUN   TestFailsOnSim/std\n",
		"--- FAIL: TestFailsOnSim/sim\n",
		"--- PASS: TestFailsOnSim/std\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("TestFailsOnSim's output does not contain %q; output:\n%s", want, out)
		}
	}
}

// replayRE picks the seed, the -run pattern and the package out of Seeds'
// report of a failing seed.
var replayRE = regexp.MustCompile(`replay this seed: go test -run '([^']+)' (\S+)\n\s+or: go test (\S+) -anyio\.seed=(\d+)\n`)

func TestSeedsReportsHowToReplay(t *testing.T) {
	// 1. The first failing seed is reported with both replay commands; the
	// seeds before it passed and the ones after it did not run.
	out, err := goTest("-test.run=^TestLostUpdate$", "-test.v")
	if err == nil {
		t.Fatalf("TestLostUpdate passed, want a failure; output:\n%s", out)
	}
	m := replayRE.FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("TestLostUpdate's output has no replay commands; output:\n%s", out)
	}
	pattern, pkg, pkg2, seed := m[1], m[2], m[3], m[4]
	const wantPkg = "github.com/anyiogen/anyiogen/generated/anyio/anyiotest"
	if pkg != wantPkg || pkg2 != wantPkg {
		t.Errorf("the replay commands name packages %q and %q, want %q", pkg, pkg2, wantPkg)
	}
	if want := "^TestLostUpdate$/^seed=" + seed + "$"; pattern != want {
		t.Errorf("the replay pattern is %q, want %q", pattern, want)
	}
	failed := func(out string) bool {
		return strings.Contains(out, "--- FAIL: TestLostUpdate/seed="+seed+"\n") &&
			strings.Contains(out, " example_seeds_test.go:17: on sim with seed "+seed+": counter = 1, want 2\n")
	}
	if !failed(out) {
		t.Errorf("TestLostUpdate's output does not report seed %s failing; output:\n%s", seed, out)
	}
	if ran := ranSeeds(out); len(ran) == 0 || ran[len(ran)-1] != "seed="+seed || strings.Count(out, "--- FAIL: TestLostUpdate/") != 1 {
		t.Errorf("TestLostUpdate ran %v and should have stopped at its only failure, seed=%s; output:\n%s", ran, seed, out)
	}

	// 2. Both commands, given to this binary as go test would, run that
	// seed alone and fail the same way.
	for _, args := range [][]string{
		{"-test.run=" + pattern, "-test.v"},
		{"-test.run=^TestLostUpdate$", "-test.v", "-anyio.seed=" + seed},
	} {
		out, err := goTest(args...)
		if err == nil || !failed(out) {
			t.Errorf("with %q: err = %v, want seed %s to fail as before; output:\n%s", args, err, seed, out)
		}
		if ran := ranSeeds(out); !slices.Equal(ran, []string{"seed=" + seed}) {
			t.Errorf("with %q the test ran %v, want seed=%s only", args, ran, seed)
		}
	}
}

// ranSeeds lists the seed subtests that go test -v reports as started.
func ranSeeds(out string) []string {
	var ran []string
	for line := range strings.Lines(out) {
		if _, name, ok := strings.Cut(strings.TrimSpace(line), "=== RUN   "); ok {
			if _, seed, ok := strings.Cut(name, "/"); ok {
				ran = append(ran, seed)
			}
		}
	}
	return ran
}

func TestSeedsReportsErrorfFailures(t *testing.T) {
	out, err := goTest("-test.run=^TestErrorfOnThirdSeed$")
	want := regexp.MustCompile(`--- FAIL: TestErrorfOnThirdSeed/seed=2\n` +
		`        demo_test\.go:\d+: run 3 went wrong\n` +
		`    demo_test\.go:\d+: seed 2 failed \(above\)\n` +
		`\s+replay this seed: go test -run '\^TestErrorfOnThirdSeed\$/\^seed=2\$' `)
	if err == nil || !want.MatchString(out) {
		t.Errorf("err = %v, want a failure whose output contains %q; output:\n%s", err, want, out)
	}
}

func TestSeedsRejectsNoSeeds(t *testing.T) {
	out, err := goTest("-test.run=^TestSeedsBadN$")
	if err == nil || !strings.Contains(out, "anyiotest.Seeds: n = 0, want at least 1") || strings.Contains(out, "Seeds returned") {
		t.Errorf("Seeds(t, 0, ...): err = %v, want a fatal failure that names n; output:\n%s", err, out)
	}
}

// "Sometimes: a Seeds sweep in which no run saw cond true fails, naming
// it"; one that some run saw true passes.
func TestSeedsFailsOnSometimesNeverTrue(t *testing.T) {
	out, err := goTest("-test.run=^TestSometimesNeverTrue$")
	want := `anyiotest.Seeds: anyio.Sometimes(ctx, cond, "a retry happened") was never true in 5 runs (seeds 0 to 4)`
	if err == nil || !strings.Contains(out, want) || strings.Contains(out, `"half the runs"`) {
		t.Errorf("err = %v, want a failure naming only the condition never true; output:\n%s", err, out)
	}
}

// A failing seed is told once, at the line that called Seeds: no file:line
// of the helper's before it, and the error's text not again in the last
// events.
func TestFailingSeedIsToldOnceAtTheCaller(t *testing.T) {
	out, err := goTest("-test.run=^TestLostUpdate$")
	if err == nil {
		t.Fatalf("TestLostUpdate passed; output:\n%s", out)
	}
	if strings.Contains(out, "anyio_testhelper_") {
		t.Errorf("the report names a file of the helper's; output:\n%s", out)
	}
	if n := strings.Count(out, "counter = 1, want 2"); n != 1 {
		t.Errorf("the error's text appears %d times, want once; output:\n%s", n, out)
	}
	if !regexp.MustCompile(`(?m)^    example_seeds_test\.go:17: on sim with seed \d+: counter = 1, want 2$`).MatchString(out) {
		t.Errorf("the report does not start at the caller's line, example_seeds_test.go:17; output:\n%s", out)
	}
}

// "Always: fails the run where cond is false", naming it, the task and the
// virtual time; the seeds where it held pass.
func TestAlwaysFailsTheRunWhereItIsFalse(t *testing.T) {
	out, err := goTest("-test.run=^TestAlwaysBroken$", "-test.v")
	want := `anyio sim: Always(ctx, cond, "the draw is even") was false in task "main" (task 1) at 0s`
	if err == nil || !strings.Contains(out, want) || !strings.Contains(out, "--- PASS: TestAlwaysBroken/seed=") {
		t.Errorf("err = %v, want the odd seeds failing with %q and the even ones passing; output:\n%s", err, want, out)
	}
}

// "Unreachable: fails the run that reaches it".
func TestUnreachableFailsTheRunThatReachesIt(t *testing.T) {
	out, err := goTest("-test.run=^TestUnreachableReached$")
	want := `anyio sim: Unreachable(ctx, "an odd draw") was reached in task "main" (task 1) at 0s`
	if err == nil || !strings.Contains(out, want) {
		t.Errorf("err = %v, want the run failing with %q; output:\n%s", err, want, out)
	}
}

// "A Reachable that no run of a sweep reached fails that sweep only under
// -anyio.assertions=strict (which also fails a Sometimes whose site never
// ran); without it, a sweep lists such sites under -v."
func TestReachableIsJudgedByStrictSweepsOnly(t *testing.T) {
	out, err := goTest("-test.run=^TestReachableThenNot$", "-test.v")
	if err != nil || !strings.Contains(out, `anyio.Reachable(ctx, "the leader changed"), met by another sweep of this test binary, was never executed here`) {
		t.Errorf("without strict: err = %v, want a pass that lists the site; output:\n%s", err, out)
	}
	out, err = goTest("-test.run=^TestReachableThenNot$", "-anyio.assertions=strict")
	for _, want := range []string{
		`anyiotest.Seeds: anyio.Reachable(ctx, "the leader changed") was never executed in 3 runs (seeds 0 to 2)`,
		`anyiotest.Seeds: anyio.Sometimes(ctx, cond, "a retry happened") was never executed in 3 runs (seeds 0 to 2)`,
	} {
		if err == nil || !strings.Contains(out, want) {
			t.Errorf("under strict: err = %v, want %q; output:\n%s", err, want, out)
		}
	}
	out, err = goTest("-test.run=^TestReachableThenNot$", "-anyio.assertions=loose")
	if want := "-anyio.assertions=loose: want strict, or nothing"; err == nil || !strings.Contains(out, want) {
		t.Errorf("a bad -anyio.assertions: err = %v, want %q; output:\n%s", err, want, out)
	}
}

// "Seeds fails a seed whose body returns a check.Result error, naming the
// non-linearizable sub-history and the path of the visualization beside
// the path of the run's trace."
func TestSeedsReportsANonLinearizableHistory(t *testing.T) {
	out, err := goTest("-test.run=^TestStaleRead$")
	for _, want := range []string{
		"check: the history is not linearizable: 2 operations",
		`client 1: get("x") -> "" (called at 2ms, returned at 2ms)`,
		"TestStaleRead/seed=0.linearizability.html",
		"trace of the run: ",
	} {
		if err == nil || !strings.Contains(out, want) {
			t.Errorf("err = %v, want %q in the report; output:\n%s", err, want, out)
		}
	}
}

// "The test helper writes traces and visualizations to t.ArtifactDir()
// when the test asks for artifacts."
func TestSeedsWritesToTheArtifactDirectoryWhenAsked(t *testing.T) {
	dir := t.TempDir()
	out, err := goTest("-test.run=^TestStaleRead$", "-test.artifacts", "-test.outputdir="+dir)
	for _, want := range []string{"/_artifacts/", "/run.linearizability.html (open it in a browser)", "/run.json (open it in ui.perfetto.dev)"} {
		if err == nil || !strings.Contains(out, want) {
			t.Errorf("err = %v, want %q; output:\n%s", err, want, out)
		}
	}
	files, _ := filepath.Glob(filepath.Join(dir, "_artifacts", "*", "run.*"))
	if len(files) != 2 {
		t.Errorf("the artifact directory holds %v, want the failing seed's trace and visualization", files)
	}
}
