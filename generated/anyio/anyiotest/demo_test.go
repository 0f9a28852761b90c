package anyiotest_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/anyiogen/anyiogen/generated/anyio"
	"github.com/anyiogen/anyiogen/generated/anyio/anyiotest"
)

// The demos: tests that the examples and the tests of anyiotest run in a
// child test binary (see goTest), because they show failures on purpose.

func TestSum(t *testing.T) {
	demoOnly(t)
	sumTest(t)
}

func TestLostUpdate(t *testing.T) {
	demoOnly(t)
	lostUpdateTest(t)
}

// TestFailsOnSim fails on sim only.
func TestFailsOnSim(t *testing.T) {
	demoOnly(t)
	anyiotest.Run(t, func(t *testing.T, ctx context.Context) error {
		if anyio.CurrentBackend(ctx) == anyio.BackendSim {
			return errors.New("boom")
		}
		return nil
	})
}

// TestErrorfOnThirdSeed fails through t.Errorf, not an error, on the third
// seed it runs.
func TestErrorfOnThirdSeed(t *testing.T) {
	demoOnly(t)
	runs := 0
	anyiotest.Seeds(t, 10, func(t *testing.T, ctx context.Context) error {
		if runs++; runs == 3 {
			t.Errorf("run %d went wrong", runs)
		}
		return nil
	})
}

// TestSeedsBadN calls Seeds with n = 0.
func TestSeedsBadN(t *testing.T) {
	demoOnly(t)
	anyiotest.Seeds(t, 0, func(t *testing.T, ctx context.Context) error { return nil })
	fmt.Println("Seeds returned") // it must not: n = 0 is a t.Fatal
}

// TestSometimesNeverTrue sweeps a body whose retry path is never taken.
func TestSometimesNeverTrue(t *testing.T) {
	demoOnly(t)
	anyiotest.Seeds(t, 5, func(t *testing.T, ctx context.Context) error {
		anyio.Sometimes(ctx, false, "a retry happened")
		anyio.Sometimes(ctx, anyio.Rand(ctx).IntN(2) == 0, "half the runs")
		return nil
	})
}

// TestRawChannelBlock has a task wait on a channel that nothing sends on.
func TestRawChannelBlock(t *testing.T) {
	demoOnly(t)
	anyiotest.Seeds(t, 3, func(t *testing.T, ctx context.Context) error {
		never := make(chan int)
		return anyio.WithTaskGroup(ctx, func(ctx context.Context, tg *anyio.TaskGroup) error {
			tg.StartSoon(func(ctx context.Context) error {
				<-never // the misuse: no ctx can cut it short
				return nil
			}, anyio.Name("waiter"))
			return anyio.Sleep(ctx, time.Second)
		})
	})
}

// TestMutexBlock has a task wait on a sync.Mutex that a parked task holds.
func TestMutexBlock(t *testing.T) {
	demoOnly(t)
	var mu sync.Mutex
	anyiotest.Seeds(t, 3, func(t *testing.T, ctx context.Context) error {
		mu.Lock()
		return anyio.WithTaskGroup(ctx, func(ctx context.Context, tg *anyio.TaskGroup) error {
			tg.StartSoon(func(ctx context.Context) error {
				mu.Lock() // the misuse: the holder is parked in Sleep
				defer mu.Unlock()
				return nil
			}, anyio.Name("locker"))
			defer mu.Unlock()
			return anyio.Sleep(ctx, time.Second)
		})
	}, anyio.SimWatchdog(200*time.Millisecond))
}
