//go:debug randseednop=0

package conformance

import (
	"context"
	"math/rand"
	"testing"

	anyio "github.com/anyiogen/anyiogen/generated/anyio"
)

// The repository's conformance binary lets rand.Seed act, so that sim runs
// seed math/rand's global source from their seeds and net/http's draws from
// it (Shutdown's poll jitter) follow the seed: each seed of
// TestNetHTTPShutdownWaitsForTheRunningHandler is compared whole. (The
// generator does not emit repo_ files: a user's binary keeps its own
// setting, and the test compares what it can.)

// A sim run's draws from the global source follow its seed: the same seed
// draws the same numbers, and another seed others.
func TestGlobalRandFollowsTheRunsSeed(t *testing.T) {
	if !confGlobalRandFollowsSeeds() {
		t.Fatal("rand.Seed does not act in this binary despite //go:debug randseednop=0")
	}
	draw := func(seed int64) (drawn [3]int64) {
		confRun(t, anyio.BackendSim, func(t *testing.T, ctx context.Context) error {
			for i := range drawn {
				drawn[i] = rand.Int63() //anyiovet:ignore the global source is what is tested
			}
			return nil
		}, anyio.Seed(seed))
		return drawn
	}
	first, again, other := draw(7), draw(7), draw(8)
	if first != again {
		t.Errorf("seed 7 drew %v, then %v: want the same numbers", first, again)
	}
	if first == other {
		t.Errorf("seeds 7 and 8 both drew %v: want the seed to choose them", first)
	}
}
