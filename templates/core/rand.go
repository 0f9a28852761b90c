package core

import (
	"context"
	"math/rand/v2"

	anyiort "github.com/anyiogen/anyiogen/runtime"
)

// Rand returns a new random generator for the caller to use freely: on a
// simulated backend one drawn from the run's seed, so that the same seed
// gives the same numbers; elsewhere one seeded at random.
func Rand(ctx context.Context) *rand.Rand {
	if r, ok := backendOf(ctx).(anyiort.Randomness); ok {
		return r.NewRand()
	}
	return rand.New(rand.NewPCG(rand.Uint64(), rand.Uint64()))
}
