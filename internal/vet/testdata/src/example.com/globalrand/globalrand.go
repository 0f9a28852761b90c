package globalrand

import (
	"context"
	randv1 "math/rand"
	"math/rand/v2"

	"example.com/gen/anyio"
)

func Main() {
	_ = rand.IntN(10)   // outside any run: not reported
	_ = randv1.Intn(10) // nor this
	_ = anyio.Run(func(ctx context.Context) error {
		_ = rand.IntN(10)                // want `rand.IntN inside a run draws from the global source, which the seed does not decide; draw from anyio.Rand\(ctx\)`
		_ = randv1.Intn(10)              // want `rand.Intn inside a run draws from the global source`
		_ = rand.N(10)                   // want `rand.N inside a run draws from the global source`
		r := rand.New(rand.NewPCG(1, 2)) // a generator of its own, seeded: fine
		_ = r.IntN(10)
		return nil
	})
}
