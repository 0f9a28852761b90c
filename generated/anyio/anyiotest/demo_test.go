package anyiotest_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

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
