package sim

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	anyiort "github.com/anyiogen/anyiogen/runtime"
)

// A run that adopts a goroutine per call, as net/http's server does per
// request, forgets each once it has ended: what the run holds on to stays
// bounded however many it meets. Each is drawn ended in the trace, once,
// and the trace is the same on a second run.
func TestAdoptingRunForgetsGoroutinesThatEnded(t *testing.T) {
	anyiort.SetBubbleWait(synctest.Wait)
	const calls = 3 * simForgetAtLeast
	var traces [2]bytes.Buffer
	for i := range traces {
		synctest.Test(t, func(t *testing.T) {
			var known, live int
			err := simBubbleRun(t, func(b *simBackend) error {
				b.Adopt()
				if !b.adopting.Load() {
					return errors.New("Adopt in a bubble with the bubble's Wait did not start adopting")
				}
				for i := range calls {
					done := make(chan error)
					go func() { done <- b.Enter(context.Background(), "call") }()
					if err := <-done; err != nil {
						return fmt.Errorf("call %d: Enter = %w", i, err)
					}
				}
				b.mu.Lock()
				known, live = len(b.byGID), len(b.live)
				b.mu.Unlock()
				return nil
			}, simTraceOpt(&traces[i]))
			if err != nil {
				t.Fatalf("Run = %v", err)
			}
			if known >= 2*simForgetAtLeast || live >= 2*simForgetAtLeast {
				t.Errorf("after %d goroutines that each called once and ended, the run still knows %d goroutines and %d live tasks, want fewer than %d",
					calls, known, live, 2*simForgetAtLeast)
			}
		})
	}
	ends, outside := 0, 0
	for _, c := range simTestTracks(t, traces[0].Bytes()) {
		ends += c.ends
		outside += c.outside
	}
	// Every task ends once, and no goroutine is drawn waiting outside:
	// only main, taken back as it first waits for one and never calling
	// in again (the run sees no more of it until it returns).
	if ends != calls+1 || outside != 1 {
		t.Errorf("the trace has %d ends and %d waits outside the simulator, want %d and 1", ends, outside, calls+1)
	}
	if !bytes.Equal(traces[0].Bytes(), traces[1].Bytes()) {
		t.Errorf("two runs of one seed wrote different traces")
	}
}

// A task of the run's own that waits on a channel of the test's while a
// goroutine it started calls in is drawn waiting outside the simulator,
// not ended: a task of the run ends only by returning.
func TestTaskWaitingOutsideIsNotDrawnAsEnded(t *testing.T) {
	anyiort.SetBubbleWait(synctest.Wait)
	synctest.Test(t, func(t *testing.T) {
		var trace bytes.Buffer
		err := simBubbleRun(t, func(b *simBackend) error {
			done := make(chan error)
			go func() { done <- simSleep(context.Background(), b, time.Second) }()
			return <-done
		}, simTraceOpt(&trace))
		if err != nil {
			t.Fatalf("Run = %v", err)
		}
		var ends, outside int
		for line := range strings.SplitSeq(trace.String(), "\n") {
			if strings.Contains(line, `"tid":1,`) && strings.Contains(line, `"name":"end"`) {
				ends++
			}
			if strings.Contains(line, `"tid":1,`) && strings.Contains(line, `"name":"wait: outside the simulator"`) {
				outside++
			}
		}
		if ends != 1 || outside != 1 {
			t.Errorf("the main task's track has %d end events and %d waits outside the simulator, want 1 of each (it waited, then returned):\n%s", ends, outside, trace.String())
		}
	})
}

// An adopted goroutine taken back while it waits on a channel of its own
// is drawn waiting outside the simulator until it calls again; one taken
// back because it returned is drawn ended there, once a traceback (here,
// the one at the run's end) finds it gone. Neither call says which it was.
func TestAdoptedGoroutineTakenBackIsDrawnWaitingOrEnded(t *testing.T) {
	anyiort.SetBubbleWait(synctest.Wait)
	synctest.Test(t, func(t *testing.T) {
		var trace bytes.Buffer
		err := simBubbleRun(t, func(b *simBackend) error {
			b.Adopt()
			gate, done := make(chan struct{}), make(chan error, 2)
			go simTestSleepsTwiceAroundAGate(b, gate, done)
			go simTestSleepsOnce(b, done)
			if err := simSleep(context.Background(), b, 3*time.Second); err != nil {
				return err
			}
			close(gate)
			return cmp.Or(<-done, <-done)
		}, simTraceOpt(&trace))
		if err != nil {
			t.Fatalf("Run = %v", err)
		}
		tracks := simTestTracks(t, trace.Bytes())
		for _, want := range []struct {
			fn            string
			outside, ends int
		}{
			{"simTestSleepsTwiceAroundAGate", 1, 1},
			{"simTestSleepsOnce", 0, 1},
		} {
			got := tracks[want.fn]
			if got.outside != want.outside || got.ends != want.ends {
				t.Errorf("%s's track has %d waits outside the simulator and %d ends, want %d and %d:\n%s",
					want.fn, got.outside, got.ends, want.outside, want.ends, trace.String())
			}
		}
	})
}

func simTestSleepsTwiceAroundAGate(b *simBackend, gate chan struct{}, done chan error) {
	if err := simSleep(context.Background(), b, time.Second); err != nil {
		done <- err
		return
	}
	<-gate
	done <- simSleep(context.Background(), b, time.Second)
}

func simTestSleepsOnce(b *simBackend, done chan error) {
	done <- simSleep(context.Background(), b, time.Second)
}

// simTestTrackCounts is what a trace drew on one task's track.
type simTestTrackCounts struct{ outside, ends int }

// simTestTracks counts, per track named after a function (the name of an
// adopted goroutine's track has it), the waits outside the simulator and
// the ends drawn on it.
func simTestTracks(t *testing.T, trace []byte) map[string]simTestTrackCounts {
	t.Helper()
	var doc struct {
		TraceEvents []struct {
			Name string         `json:"name"`
			TID  int64          `json:"tid"`
			Args map[string]any `json:"args"`
		} `json:"traceEvents"`
	}
	if err := json.Unmarshal(trace, &doc); err != nil {
		t.Fatalf("the trace is not JSON: %v", err)
	}
	names := map[int64]string{}
	for _, e := range doc.TraceEvents {
		if e.Name == "thread_name" {
			label, _ := e.Args["name"].(string)
			if i := strings.LastIndexByte(label, '.'); i >= 0 {
				label = label[i+1:]
			}
			label, _, _ = strings.Cut(label, `"`)
			names[e.TID] = label
		}
	}
	counts := map[string]simTestTrackCounts{}
	for _, e := range doc.TraceEvents {
		c := counts[names[e.TID]]
		switch e.Name {
		case simWaitOutside:
			c.outside++
		case "end":
			c.ends++
		}
		counts[names[e.TID]] = c
	}
	return counts
}
