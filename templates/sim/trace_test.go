package sim

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	anyiort "github.com/anyiogen/anyiogen/runtime"
)

// simTraceOpt turns Trace on for a test run.
func simTraceOpt(buf *bytes.Buffer) anyiort.RunOption {
	return func(cfg *anyiort.RunConfig) { cfg.Set(simTraceKey{}, buf) }
}

// simTracedWorkers is a run worth tracing: two workers that sleep and
// hand a waiter back and forth, under the seed's interleaving.
func simTracedWorkers(b *simBackend) error {
	done := b.NewWaiter()
	left := 2
	for _, name := range []string{"alpha", "beta"} {
		b.Go(name, func() {
			for i := range 3 {
				b.Yield()
				simSleep(context.Background(), b, time.Duration(i+1)*time.Millisecond)
			}
			b.mu.Lock()
			left--
			last := left == 0
			b.mu.Unlock()
			if last {
				done.Wake()
			}
		})
	}
	return done.Wait(context.Background(), "the workers")
}

// simTraceOf runs simTracedWorkers with seed and returns its trace.
func simTraceOf(t *testing.T, seed int64) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := simMustRun(t, simTracedWorkers, simTraceOpt(&buf), func(cfg *anyiort.RunConfig) { cfg.Set(simSeedKey{}, seed) }); err != nil {
		t.Fatalf("Run = %v", err)
	}
	return buf.Bytes()
}

func TestTraceSameSeedSameBytes(t *testing.T) {
	differs := false
	for seed := range int64(5) {
		a, b := simTraceOf(t, seed), simTraceOf(t, seed)
		if !bytes.Equal(a, b) {
			t.Fatalf("seed %d wrote two different traces:\n%s\n----\n%s", seed, a, b)
		}
		differs = differs || !bytes.Equal(a, simTraceOf(t, 0))
	}
	if !differs {
		t.Error("seeds 0 to 4 all wrote the trace of seed 0: the trace does not follow the schedule")
	}
}

func TestTraceIsChromeTraceEventJSON(t *testing.T) {
	var doc struct {
		TraceEvents []struct {
			Name string         `json:"name"`
			Cat  string         `json:"cat"`
			Ph   string         `json:"ph"`
			Pid  int            `json:"pid"`
			Tid  int64          `json:"tid"`
			Ts   float64        `json:"ts"`
			Dur  float64        `json:"dur"`
			Args map[string]any `json:"args"`
		} `json:"traceEvents"`
	}
	raw := simTraceOf(t, 3)
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatalf("the trace is not JSON: %v\n%s", err, raw)
	}
	tracks := map[int64]string{}
	var sleeps, starts, ends, runs, timers int
	maxEnd := 0.0
	for _, e := range doc.TraceEvents {
		switch {
		case e.Ph == "M" && e.Name == "thread_name":
			tracks[e.Tid] = e.Args["name"].(string)
		case e.Ph == "X" && e.Cat == "wait" && strings.HasPrefix(e.Name, "wait: sleep "):
			sleeps++
		case e.Ph == "X" && e.Cat == "run":
			runs++
		case e.Ph == "i" && e.Name == "start":
			starts++
		case e.Ph == "i" && e.Name == "end":
			ends++
		case e.Ph == "i" && e.Cat == "timer":
			timers++
		}
		maxEnd = max(maxEnd, e.Ts+e.Dur)
	}
	for tid, want := range map[int64]string{0: "scheduler", 1: `"main" (task 1)`, 2: `"alpha" (task 2)`, 3: `"beta" (task 3)`} {
		if tracks[tid] != want {
			t.Errorf("track %d is named %q, want %q", tid, tracks[tid], want)
		}
	}
	if sleeps != 6 || timers != 6 || starts != 3 || ends != 3 || runs < 9 {
		t.Errorf("the trace has %d sleep waits, %d timers, %d starts, %d ends, %d running spans; want 6, 6, 3, 3 and at least 9:\n%s", sleeps, timers, starts, ends, runs, raw)
	}
	// Each worker sleeps 1+2+3 ms of virtual time, in parallel.
	if maxEnd != 6000 {
		t.Errorf("the trace ends at %vµs, want 6000µs of virtual time", maxEnd)
	}
}

func TestTraceTailInAFailedRunsError(t *testing.T) {
	var buf bytes.Buffer
	err := simMustRun(t, func(b *simBackend) error {
		b.Go("stuck", func() { b.NewWaiter().Wait(context.Background(), "a wake-up that never comes") })
		return b.NewWaiter().Wait(context.Background(), "stuck")
	}, simTraceOpt(&buf))
	if !errors.Is(err, anyiort.ErrDeadlock) {
		t.Fatalf("Run = %v, want a deadlock", err)
	}
	for _, want := range []string{"last events of the run:", `"stuck" (task 2): start`, `"main" (task 1): run (0s)`, "scheduler: run ended\n"} {
		if !strings.Contains(err.Error()+"\n", want) {
			t.Errorf("the error does not say %q:\n%v", want, err)
		}
	}
	// The error's own text is said once, above the events, not again in
	// the run's last one.
	if n := strings.Count(err.Error(), anyiort.ErrDeadlock.Error()); n != 1 {
		t.Errorf("the error says %q %d times, want once:\n%v", anyiort.ErrDeadlock.Error(), n, err)
	}
	// The trace itself keeps it, for Perfetto.
	if !strings.Contains(buf.String(), "run ended: "+anyiort.ErrDeadlock.Error()) {
		t.Errorf("the trace's run-ended instant does not name the error:\n%s", buf.Bytes())
	}
	if !json.Valid(buf.Bytes()) {
		t.Errorf("the failed run's trace is not JSON:\n%s", buf.Bytes())
	}
}

func TestTraceOffByDefault(t *testing.T) {
	var b *simBackend
	if err := simMustRun(t, func(bb *simBackend) error { b = bb; return simTracedWorkers(bb) }); err != nil {
		t.Fatalf("Run = %v", err)
	}
	if b.tracer != nil {
		t.Error("a run without Trace has a tracer")
	}
}
