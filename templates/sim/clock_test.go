package sim

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"
)

func TestClockStartsAtEpoch(t *testing.T) {
	err := simMustRun(t, func(b *simBackend) error {
		if got := b.Now(); !got.Equal(simEpoch) {
			return fmt.Errorf("Now() = %v, want %v", got, simEpoch)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestClockJumpsToTimers(t *testing.T) {
	var got []string
	err := simMustRun(t, func(b *simBackend) error {
		rec := func(name string) func() {
			return func() { got = append(got, fmt.Sprintf("%s@%v", name, simElapsed(b))) }
		}
		b.AfterFunc(3*time.Second, rec("c"))
		b.AfterFunc(time.Second, rec("a"))
		b.AfterFunc(time.Second, rec("b")) // same instant as a: fires after it
		stopped := b.AfterFunc(2*time.Second, rec("stopped"))
		if !stopped.Stop() {
			return errors.New("Stop before the timer fired = false, want true")
		}
		fired := b.AfterFunc(0, rec("zero"))
		if err := simSleep(context.Background(), b, time.Hour); err != nil {
			return err
		}
		if fired.Stop() {
			return errors.New("Stop after the timer fired = true, want false")
		}
		if got := simElapsed(b); got != time.Hour {
			return fmt.Errorf("after Sleep(1h) the clock moved %v", got)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"zero@0s", "a@1s", "b@1s", "c@3s"}
	if !slices.Equal(got, want) {
		t.Errorf("timers fired as %v, want %v", got, want)
	}
}

func TestClockStillWhileTasksRun(t *testing.T) {
	err := simMustRun(t, func(b *simBackend) error {
		b.Go("sleeper", func() { simSleep(context.Background(), b, time.Second) })
		for range 100 {
			b.Yield()
			if d := simElapsed(b); d != 0 {
				return fmt.Errorf("the clock moved %v while a task was runnable", d)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestDueTimerFiresBeforeNextTask(t *testing.T) {
	err := simMustRun(t, func(b *simBackend) error {
		// A busy task keeps the run from ever going idle; a timer due
		// now must still fire at the next scheduling point.
		stop := false
		b.Go("busy", func() {
			for !stop {
				b.Yield()
			}
		})
		fired := false
		b.AfterFunc(-time.Second, func() { fired = true })
		b.Yield()
		stop = true
		if !fired {
			return errors.New("a due timer did not fire at the next scheduling point")
		}
		return nil
	}, Seed(3))
	if err != nil {
		t.Fatal(err)
	}
}

func TestManySleepersWakeInOrder(t *testing.T) {
	const n = 1000 // the race detector allows 8128 live goroutines
	var woke []time.Duration
	err := simMustRun(t, func(b *simBackend) error {
		done := b.NewWaiter()
		for i := range n {
			d := time.Duration((i*7919)%n+1) * time.Millisecond
			b.Go("", func() {
				simSleep(context.Background(), b, d)
				if woke = append(woke, simElapsed(b)); len(woke) == n {
					done.Wake()
				}
			})
		}
		return done.Wait(context.Background(), "sleepers")
	})
	if err != nil {
		t.Fatal(err)
	}
	for i, d := range woke {
		if want := time.Duration(i+1) * time.Millisecond; d != want {
			t.Fatalf("sleeper %d woke at %v, want %v", i, d, want)
		}
	}
}
