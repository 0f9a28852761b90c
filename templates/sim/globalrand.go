package sim

import (
	mathrand "math/rand"
	"math/rand/v2"
)

// math/rand's global source. Code under test should draw from Rand(ctx),
// but libraries draw from the global source on their own
// (http.Server.Shutdown's poll jitter), and no seed reaches it: Go seeds
// it at random and, since Go 1.24, ignores rand.Seed unless the test
// binary sets GODEBUG randseednop=0 (a "//go:debug randseednop=0" line in
// one of its test files). Where it does, each run seeds the global source
// from its own seed as it starts, and such draws follow the seed too: for
// runs one at a time, since the source is the process's.

// simStreamGlobalRand is the seed's stream that seeds the global source.
const simStreamGlobalRand = 0x616e79696f676c62

// seedGlobalRand seeds math/rand's global source from the run's seed; a
// no-op unless the test binary lets rand.Seed act.
func (d *simDraws) seedGlobalRand() {
	seed := rand.New(rand.NewPCG(d.seed, simStreamGlobalRand)).Int64()
	//lint:ignore SA1019 the deprecated call is the only way to seed the global source, which libraries draw from; it acts only where the binary asks for it (randseednop=0)
	mathrand.Seed(seed)
}
