package anyiort

import "math/rand/v2"

// Randomness is implemented by backends whose random numbers must follow
// the run (a simulated one, which draws them from its seed).
type Randomness interface {
	// NewRand returns a new generator the caller owns.
	NewRand() *rand.Rand
}
