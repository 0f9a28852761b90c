package sim

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	anyiort "github.com/anyiogen/anyiogen/runtime"
)

// simBubbleRun runs main as the first task of a fresh sim run in the
// calling goroutine, which the tests below call inside a synctest bubble.
func simBubbleRun(t *testing.T, main func(b *simBackend) error, opts ...anyiort.RunOption) error {
	t.Helper()
	b := simTestBackend(t, opts...)
	return b.Run(func() error { return main(b) })
}

func TestBubbleContextWithTimeoutFollowsTheVirtualClock(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var slept, wall time.Duration
		err := simBubbleRun(t, func(b *simBackend) error {
			start, wallStart := b.Now(), time.Now()
			ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
			defer cancel()
			err := simSleep(ctx, b, time.Hour)
			slept, wall = b.Now().Sub(start), time.Since(wallStart)
			return err
		})
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("an hour's sleep under a 100ms context.WithTimeout returned %v, want context.DeadlineExceeded", err)
		}
		if slept != 100*time.Millisecond || wall != 100*time.Millisecond {
			t.Errorf("the deadline struck after %v of virtual time and %v on the time package's clock, want exactly 100ms on both", slept, wall)
		}
	})
}

func TestBubbleTimeSleepInATaskMovesTheVirtualClock(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var order []string
		err := simBubbleRun(t, func(b *simBackend) error {
			start := b.Now()
			b.Go("sleeper", func() {
				time.Sleep(6 * time.Second) // longer than the watchdog: on a shared clock it is a wait
				order = append(order, "slept 6s at "+b.Now().Sub(start).String())
			})
			if err := simSleep(context.Background(), b, 10*time.Second); err != nil {
				return err
			}
			order = append(order, "main woke at "+b.Now().Sub(start).String())
			return nil
		}, simWatchdogOpt(time.Second))
		if err != nil {
			t.Fatalf("Run = %v, want nil", err)
		}
		want := "slept 6s at 6s; main woke at 10s"
		if got := strings.Join(order, "; "); got != want {
			t.Errorf("events: %s, want %s", got, want)
		}
	})
}

func TestBubbleRawChannelBlockIsReportedAtOnce(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		release := make(chan struct{})
		err := simBubbleRun(t, func(b *simBackend) error {
			b.Go("raw reader", func() {
				<-release // the misuse under test
			})
			return simSleep(context.Background(), b, time.Minute)
		}, simWatchdogOpt(time.Hour)) // only the bubble can report it in time
		close(release)
		simCheckBubbleMisuse(t, err, `task "raw reader" (task 2)`, "blocked forever outside the simulator",
			"chan receive (durable) in github.com/anyiogen/anyiogen/templates/sim.TestBubbleRawChannelBlockIsReportedAtOnce")
	})
}

func TestBubbleContextDeadlineOutsideATestStillRefused(t *testing.T) {
	// The same wait outside a bubble is refused with an error that names
	// the deadline: the run's clock is not the time package's there.
	err := simMustRun(t, func(b *simBackend) error {
		ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
		defer cancel()
		return simSleep(ctx, b, time.Hour)
	})
	var wall *simWallDeadlineError
	if !errors.As(err, &wall) || !strings.Contains(err.Error(), "testing/synctest") {
		t.Fatalf("Run = %v, want a simWallDeadlineError that points to testing/synctest", err)
	}
}

func TestBubbleMutexBlockIsReportedFromOutside(t *testing.T) {
	// A sync.Mutex wait stops the fake clock, so nothing inside the bubble
	// can see it; the watcher outside reports it after the watchdog period
	// of wall time. Here its report unlocks the mutex, so the run goes on.
	var mu sync.Mutex
	var reports []string
	stop := anyiort.WatchStalls(func(d string) {
		reports = append(reports, d)
		mu.Unlock()
	})
	synctest.Test(t, func(t *testing.T) {
		mu.Lock()
		err := simBubbleRun(t, func(b *simBackend) error {
			mu.Lock() // the misuse under test
			defer mu.Unlock()
			return nil
		}, simWatchdogOpt(100*time.Millisecond))
		if err != nil {
			t.Errorf("Run = %v, want nil once the watcher freed the mutex", err)
		}
	})
	stop()
	if len(reports) != 1 {
		t.Fatalf("the watcher reported %d times, want once: %q", len(reports), reports)
	}
	for _, want := range []string{`task "main" (task 1)`, "100ms of wall time", "sync.Mutex.Lock in github.com/anyiogen/anyiogen/templates/sim.TestBubbleMutexBlockIsReportedFromOutside"} {
		if !strings.Contains(reports[0], want) {
			t.Errorf("the report does not say %q:\n%s", want, reports[0])
		}
	}
}

// simCheckBubbleMisuse checks a misuse report from inside a bubble.
func simCheckBubbleMisuse(t *testing.T, err error, wants ...string) {
	t.Helper()
	var misuse *simMisuseError
	if !errors.As(err, &misuse) {
		t.Fatalf("Run = %v, want a misuse error", err)
	}
	for _, want := range wants {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("the misuse error does not say %q:\n%v", want, err)
		}
	}
}

// A run that ends in a deadlock inside a bubble, which may adopt goroutines
// that are still to call in, is declared once the bubble's clock has run
// out to the horizon; the run's clock stays where the run went idle, and
// that is the moment its report and its unwinding see.
func TestBubbleDeadlockKeepsTheMomentTheRunWentIdle(t *testing.T) {
	anyiort.SetBubbleWait(synctest.Wait)
	synctest.Test(t, func(t *testing.T) {
		var run *simBackend
		var start time.Time
		err := simBubbleRun(t, func(b *simBackend) error {
			run, start = b, b.Now()
			if err := simSleep(context.Background(), b, time.Second); err != nil {
				return err
			}
			return b.NewWaiter().Wait(context.Background(), "nothing")
		})
		if !errors.Is(err, anyiort.ErrDeadlock) {
			t.Fatalf("Run = %v, want a deadlock", err)
		}
		if at := run.Now().Sub(start); at != time.Second {
			t.Errorf("after the deadlock the run's clock reads %v from its start, want 1s, where it went idle", at)
		}
	})
}
