package conformance

import (
	"fmt"
	"testing/synctest"

	anyio "github.com/anyiogen/anyiogen/generated/anyio"
)

// confSimSeeds is how many seeds the repository runs every conformance test
// under on the simulator: each seed is another interleaving, and the suite
// must hold on all of them. (A repo_ file: the generator does not emit it,
// and an emitted suite runs each backend once.)
const confSimSeeds = 5

func init() {
	confRunVariants = func(backend string) []confVariant {
		if backend != anyio.BackendSim {
			return nil
		}
		variants := make([]confVariant, confSimSeeds)
		for seed := range variants {
			variants[seed] = confVariant{name: fmt.Sprintf("seed=%d", seed), opts: []anyio.RunOption{anyio.Seed(int64(seed))}}
		}
		// One more run, inside a testing/synctest bubble, where the
		// simulator shares its clock with the time package, as every run
		// of anyiotest does.
		return append(variants, confVariant{name: "bubble", opts: []anyio.RunOption{anyio.Seed(0)}, around: synctest.Test})
	}
}
