package anyiotest_test

import (
	"encoding/json"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// "-anyio.shard=I/N: Seeds runs only the seeds s with s%N == I."
func TestShardRunsItsSeedsOnly(t *testing.T) {
	for shard, want := range map[string][]string{
		"0/3": {"seed=0", "seed=3", "seed=6"},
		"1/3": {"seed=1", "seed=4", "seed=7"},
		"2/3": {"seed=2", "seed=5", "seed=8"},
	} {
		out, err := goTest("-test.run=^TestSweepOfNine$", "-test.v", "-anyio.shard="+shard)
		if err != nil {
			t.Fatalf("-anyio.shard=%s: %v\n%s", shard, err, out)
		}
		if ran := ranSeeds(out); !slices.Equal(ran, want) {
			t.Errorf("-anyio.shard=%s ran %v, want %v", shard, ran, want)
		}
	}
}

func TestBadFlagsAreNamed(t *testing.T) {
	for flag, want := range map[string]string{
		"-anyio.shard=3/3":  "-anyio.shard=3/3: want I/N with 0 <= I < N",
		"-anyio.shard=x":    "-anyio.shard=x: want I/N",
		"-anyio.seed=-2":    "-anyio.seed=-2: want a seed",
		"-anyio.sched=fifo": `anyiotest.Seeds: -anyio.sched=fifo: anyio: backend "sim": anyio sim: SimScheduler("fifo"): unknown policy`,
	} {
		out, err := goTest("-test.run=^TestSweepOfNine$", flag)
		if err == nil || !strings.Contains(out, want) {
			t.Errorf("%s: err = %v, want a failure that says %q; output:\n%s", flag, err, want, out)
		}
		// A flag's error is the flag's, said once, not one seed's failure.
		if strings.Contains(out, "seed=0") || strings.Contains(out, "with seed") {
			t.Errorf("%s: the bad flag is reported as a seed's failure; output:\n%s", flag, out)
		}
	}
}

// The replay commands printed under -anyio.checkdeterminism keep the flag,
// so that they replay the check that failed.
func TestReplayKeepsTheDeterminismCheck(t *testing.T) {
	out, err := goTest("-test.run=^TestMapOrder$", "-anyio.checkdeterminism")
	if err == nil || strings.Count(out, "-anyio.checkdeterminism\n") != 2 {
		t.Errorf("err = %v, want both replay commands to carry -anyio.checkdeterminism; output:\n%s", err, out)
	}
}

// "-anyio.sched=pct:D: PCT of depth D": the order bug that 50 random seeds
// miss, PCT finds.
func TestSchedPCTFindsTheOrderBug(t *testing.T) {
	if out, err := goTest("-test.run=^TestOrderBug$"); err != nil {
		t.Fatalf("the random scheduler found the order bug; the demo no longer tells the policies apart:\n%s", out)
	}
	out, err := goTest("-test.run=^TestOrderBug$", "-anyio.sched=pct:3")
	if err == nil || !strings.Contains(out, "the order bug: c, then b, then a") {
		t.Errorf("-anyio.sched=pct:3: err = %v, want the order bug found; output:\n%s", err, out)
	}
}

// "-anyio.checkdeterminism: each seed runs twice; a difference fails,
// naming the first differing event of both runs." The body follows map
// iteration order.
func TestCheckDeterminismCatchesMapOrder(t *testing.T) {
	if out, err := goTest("-test.run=^TestMapOrder$"); err != nil {
		t.Fatalf("TestMapOrder fails without the check:\n%s", out)
	}
	out, err := goTest("-test.run=^TestMapOrder$", "-anyio.checkdeterminism")
	want := regexp.MustCompile(`demo_test\.go:\d+: -anyio\.checkdeterminism: seed \d+ ran differently the second time: at event \d+ of the trace\n\s+first run:  .*"\\"(alpha|beta|gamma|delta|epsilon|zeta)\\" \(task \d\)".*\n\s+second run: .*"\\"(alpha|beta|gamma|delta|epsilon|zeta)\\" \(task \d\)"`)
	if err == nil || !want.MatchString(out) {
		t.Errorf("err = %v, want the first differing event of both runs, naming the tasks; output:\n%s", err, out)
	}
}

// "Seeds can run in parallel over the machine's cores": runs overlap with
// -parallel 2, and do not with -parallel 1.
func TestSeedsRunInParallel(t *testing.T) {
	for parallel, want := range map[string]string{"2": "at most 2 runs at once", "1": "at most 1 runs at once"} {
		out, err := goTest("-test.run=^TestParallelSeeds$", "-test.parallel="+parallel)
		if err != nil || !strings.Contains(out, want) {
			t.Errorf("-parallel %s: err = %v, want %q; output:\n%s", parallel, err, want, out)
		}
	}
}

// "the trace of the failing run is written to a file whose path the
// message gives."
func TestFailingSeedsTraceIsWritten(t *testing.T) {
	out, _ := goTest("-test.run=^TestLostUpdate$")
	m := regexp.MustCompile(`trace of the run: (\S+) \(open it in ui\.perfetto\.dev\)`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("no trace path in the output:\n%s", out)
	}
	path := strings.ReplaceAll(m[1], "$TMPDIR", os.TempDir())
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		TraceEvents []map[string]any `json:"traceEvents"`
	}
	if err := json.Unmarshal(data, &doc); err != nil || len(doc.TraceEvents) < 10 {
		t.Errorf("%s holds no trace (%v, %d events)", path, err, len(doc.TraceEvents))
	}
}

// ... and a body whose timing follows a global math/rand draw.
func TestCheckDeterminismCatchesGlobalRand(t *testing.T) {
	if out, err := goTest("-test.run=^TestGlobalRand$"); err != nil {
		t.Fatalf("TestGlobalRand fails without the check:\n%s", out)
	}
	out, err := goTest("-test.run=^TestGlobalRand$", "-anyio.checkdeterminism")
	if err == nil || !strings.Contains(out, "ran differently the second time") || !strings.Contains(out, "a global math/rand draw") {
		t.Errorf("err = %v, want the determinism check to fail; output:\n%s", err, out)
	}
}

// math/rand's v1 global source, which libraries draw from, follows the
// seed where the binary lets rand.Seed act: the helper then runs seeds one
// at a time, even when -parallel asks for more.
func TestCheckDeterminismPassesGlobalRandV1WhereSeedActs(t *testing.T) {
	out, err := goTestEnv([]string{"GODEBUG=randseednop=0"}, "-test.run=^TestGlobalRandV1$", "-anyio.checkdeterminism", "-test.parallel=2")
	if err != nil {
		t.Errorf("with GODEBUG=randseednop=0: %v, want the determinism check to pass; output:\n%s", err, out)
	}
	out, err = goTest("-test.run=^TestGlobalRandV1$", "-anyio.checkdeterminism")
	if err == nil || !strings.Contains(out, "ran differently the second time") {
		t.Errorf("without it: %v, want the determinism check to fail; output:\n%s", err, out)
	}
}

// A part of a sweep (one seed, a shard, a -run filter) cannot tell that a
// Sometimes name is never true: only a whole sweep judges.
func TestSometimesJudgedOnWholeSweepsOnly(t *testing.T) {
	for _, args := range [][]string{
		{"-test.run=^TestSometimesNeverTrue$", "-anyio.seed=1"},
		{"-test.run=^TestSometimesNeverTrue$", "-anyio.shard=0/2"},
		{"-test.run=^TestSometimesNeverTrue$/^seed=1$"},
	} {
		if out, err := goTest(args...); err != nil {
			t.Errorf("%q: err = %v, want a pass; output:\n%s", args, err, out)
		}
	}
}

// The replay commands of a seed found under PCT keep the scheduler.
func TestReplayKeepsTheScheduler(t *testing.T) {
	out, err := goTest("-test.run=^TestOrderBug$", "-anyio.sched=pct:3")
	m := replayRE.FindStringSubmatch(strings.ReplaceAll(out, " -anyio.sched=pct:3\n", "\n"))
	if err == nil || m == nil || strings.Count(out, "-anyio.sched=pct:3\n") != 2 {
		t.Errorf("err = %v, want both replay commands to carry -anyio.sched=pct:3; output:\n%s", err, out)
	}
}
