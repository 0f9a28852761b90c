package sim

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

func TestWatchdogCatchesBlockingTask(t *testing.T) {
	finished := make(chan struct{})
	err := simMustRun(t, func(b *simBackend) error {
		b.Go("sleeper", func() {
			defer close(finished)
			time.Sleep(200 * time.Millisecond) // the misuse under test
		})
		return b.NewWaiter().Wait(context.Background(), "the sleeper")
	}, simWatchdogOpt(20*time.Millisecond))
	var misuse *simMisuseError
	if !errors.As(err, &misuse) {
		t.Fatalf("Run = %v, want a misuse error", err)
	}
	for _, want := range []string{`"sleeper"`, "without reaching a scheduling point", "do not block on raw channels or time.Sleep"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not say %q", err, want)
		}
	}
	select {
	case <-finished:
	case <-time.After(simTestTimeout):
		t.Fatal("the sleeping task never finished")
	}
}

func TestWatchdogTaskComesBack(t *testing.T) {
	// A task the watchdog gave up on unwinds at its next scheduling point
	// instead of running on beside the others.
	finished := make(chan struct{})
	reached := false
	err := simMustRun(t, func(b *simBackend) error {
		b.Go("stuck", func() {
			defer close(finished)
			w := b.NewWaiter()
			time.Sleep(100 * time.Millisecond)
			w.Wait(context.Background(), "after the sleep")
			reached = true
		})
		return b.NewWaiter().Wait(context.Background(), "the stuck task")
	}, simWatchdogOpt(10*time.Millisecond))
	if err == nil {
		t.Fatal("Run = nil, want a misuse error")
	}
	select {
	case <-finished:
	case <-time.After(simTestTimeout):
		t.Fatal("the stuck task never finished")
	}
	if reached {
		t.Error("the stuck task went on past its scheduling point after the run ended")
	}
}
