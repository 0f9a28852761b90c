package sim

// Misuse is loud: a task that blocks outside the simulator (a raw channel, a
// mutex held by a parked task) ends the run, instead of hanging it, with an
// error that names the task and says how to fix it; and the task's goroutine
// still ends once it is unblocked. Written against the backend contract, with the
// watchdog shortened by the option that only these tests can reach.

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"
)

// simMisuseWatchdog is the shortened watchdog of these tests.
const simMisuseWatchdog = 20 * time.Millisecond

// simCheckMisuse checks that err is a misuse error that says each of wants
// and names the fix. (That Run returned at all, rather than hanging, is
// simTestRun's bound.)
func simCheckMisuse(t *testing.T, err error, wants ...string) {
	t.Helper()
	var misuse *simMisuseError
	if !errors.As(err, &misuse) {
		t.Fatalf("Run = %v, want a misuse error", err)
	}
	wants = append(wants, "without reaching a scheduling point", "call anyio functions with the ctx the task was given")
	for _, want := range wants {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("the misuse error does not say %q:\n%v", want, err)
		}
	}
}

// simAwaitClosed waits, bounded, for ch to be closed by a plain goroutine.
func simAwaitClosed(t *testing.T, ch <-chan struct{}, what string) {
	t.Helper()
	select {
	case <-ch:
	case <-time.After(simTestTimeout):
		t.Fatalf("%s never happened", what)
	}
}

func TestWatchdogRawChannel(t *testing.T) {
	for _, c := range []struct {
		name   string
		inMain bool
		want   string
	}{
		{"in a task", false, `task "raw reader" (task 2)`},
		{"in main", true, `task "main" (task 1)`},
	} {
		t.Run(c.name, func(t *testing.T) {
			release, finished := make(chan struct{}), make(chan struct{})
			blockOnChannel := func() {
				defer close(finished)
				<-release // the misuse under test
			}
			err := simMustRun(t, func(b *simBackend) error {
				if c.inMain {
					blockOnChannel()
					return nil
				}
				b.Go("raw reader", blockOnChannel)
				b.Go("bystander", func() { simSleep(context.Background(), b, time.Hour) })
				return b.NewWaiter().Wait(context.Background(), "the raw reader")
			}, simWatchdogOpt(simMisuseWatchdog))
			close(release)
			simAwaitClosed(t, finished, "the blocked task finishing after its channel was closed")
			simCheckMisuse(t, err, c.want, "chan receive in github.com/anyiogen/anyiogen/templates/sim.TestWatchdogRawChannel")
		})
	}
}

func TestWatchdogMutexHeldByParkedTask(t *testing.T) {
	// "holder" parks while holding a mutex; "locker" then blocks on it, out
	// of the simulator's sight. The report names locker; once the run is
	// over, holder unwinds, its deferred Unlock frees locker, and locker's
	// goroutine ends without running on as a task.
	var mu sync.Mutex
	finished := make(chan struct{})
	lockerRanOn := false
	err := simMustRun(t, func(b *simBackend) error {
		b.Go("holder", func() {
			mu.Lock()
			defer mu.Unlock()
			b.Go("locker", func() {
				defer close(finished)
				mu.Lock() // the misuse under test
				defer mu.Unlock()
				if simSleep(context.Background(), b, time.Second) == nil {
					lockerRanOn = true
				}
			})
			b.NewWaiter().Wait(context.Background(), "nothing: parked holding the mutex")
		})
		return b.NewWaiter().Wait(context.Background(), "the workers")
	}, simWatchdogOpt(simMisuseWatchdog))
	simAwaitClosed(t, finished, "the locker finishing once the holder unwound")
	simCheckMisuse(t, err, `task "locker"`, "sync.Mutex.Lock in github.com/anyiogen/anyiogen/templates/sim.TestWatchdogMutexHeldByParkedTask")
	if lockerRanOn {
		t.Error("the locker's Sleep succeeded after the run had ended; want it to unwind")
	}
}
