package sim

import (
	"context"
	"errors"
	"regexp"
	"strings"
	"testing"
	"time"

	anyiort "github.com/anyiogen/anyiogen/runtime"
)

func TestDeadlockNamesBlockedTasks(t *testing.T) {
	run := func() error {
		return simMustRun(t, func(b *simBackend) error {
			b.Go("zeta", func() { b.NewWaiter().Wait(context.Background(), "a message from alpha") })
			b.Go("alpha", func() { b.NewWaiter().Wait(context.Background(), "a message from zeta") })
			b.Go("", func() {
				simSleep(context.Background(), b, time.Second) // a pending timer is no deadlock
				b.NewWaiter().Wait(context.Background(), "nothing at all")
			})
			return b.NewWaiter().Wait(context.Background(), "the workers")
		})
	}
	err := run()
	if !errors.Is(err, anyiort.ErrDeadlock) {
		t.Fatalf("Run = %v, want ErrDeadlock", err)
	}
	// The unnamed task is named after its function, whose exact name
	// depends on the compiler's inlining.
	unnamed := regexp.MustCompile(`"sim\.TestDeadlockNamesBlockedTasks\.[^"/]*"`)
	got := unnamed.ReplaceAllString(err.Error(), `"sim.TestDeadlockNamesBlockedTasks..."`)
	want := strings.Join([]string{
		anyiort.ErrDeadlock.Error() + "; 4 blocked:",
		"\ttask \"alpha\" (task 3) waits on: a message from zeta",
		"\ttask \"main\" (task 1) waits on: the workers",
		"\ttask \"sim.TestDeadlockNamesBlockedTasks...\" (task 4) waits on: nothing at all",
		"\ttask \"zeta\" (task 2) waits on: a message from alpha",
	}, "\n")
	if got != want {
		t.Fatalf("deadlock report:\n%s\nwant:\n%s", got, want)
	}
	// (Each call of run is inlined with closures of its own, so compare
	// with the function names normalised.)
	if again := unnamed.ReplaceAllString(run().Error(), `"sim.TestDeadlockNamesBlockedTasks..."`); again != got {
		t.Errorf("the report changed between identical runs:\n%s\n----\n%s", got, again)
	}
}

func TestDeadlockOnNilDoneContext(t *testing.T) {
	err := simMustRun(t, func(b *simBackend) error {
		// context.Background() can never be cancelled: nothing to wait for.
		return b.NewWaiter().Wait(context.Background(), "nothing")
	})
	if !errors.Is(err, anyiort.ErrDeadlock) || !strings.Contains(err.Error(), `"main" (task 1) waits on: nothing`) {
		t.Fatalf("Run = %v, want a deadlock naming main", err)
	}
}
