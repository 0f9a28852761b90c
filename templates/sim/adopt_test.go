package sim

import (
	"bytes"
	"context"
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
// bounded however many it meets.
func TestAdoptingRunForgetsGoroutinesThatEnded(t *testing.T) {
	anyiort.SetBubbleWait(synctest.Wait)
	const calls = 3 * simForgetAtLeast
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
		})
		if err != nil {
			t.Fatalf("Run = %v", err)
		}
		if known >= 2*simForgetAtLeast || live >= 2*simForgetAtLeast {
			t.Errorf("after %d goroutines that each called once and ended, the run still knows %d goroutines and %d live tasks, want fewer than %d",
				calls, known, live, 2*simForgetAtLeast)
		}
	})
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
