package sim

import (
	"math/rand/v2"

	simpick "github.com/anyiogen/anyiogen/templates/sim/pick"
)

// simDraws is every draw a run makes from its seed. Each kind of draw has
// a PCG stream of the seed of its own, so one kind never shifts another:
// a test that adds a Buggify site keeps its schedule.
type simDraws struct {
	seed       uint64                       // the run's seed, for the network's own stream
	rng        *rand.Rand                   // the scheduler's choices
	userRng    *rand.Rand                   // seeds the generators of Rand
	buggyRng   *rand.Rand                   // Buggify's draws
	buggySites map[uintptr]bool             // Buggify's sites enabled for the run
	sometimes  func(name string, cond bool) // a test helper's, or nil
	policy     simpick.Policy               // how the next task is picked
}

// simDrawsFrom makes the streams of seed.
func simDrawsFrom(seed int64) simDraws {
	return simDraws{
		seed:       uint64(seed),
		rng:        rand.New(rand.NewPCG(uint64(seed), 0x616e79696f73696d)),
		userRng:    rand.New(rand.NewPCG(uint64(seed), 0x616e79696f72616e)),
		buggyRng:   rand.New(rand.NewPCG(uint64(seed), 0x616e79696f627567)),
		buggySites: make(map[uintptr]bool),
	}
}
