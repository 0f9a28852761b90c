package main

import (
	"testing"

	"github.com/anyiogen/anyiogen/examples/internal/exampletest"
	"github.com/anyiogen/anyiogen/internal/leaktest"

	"github.com/anyiogen/anyiogen/generated/anyio"
)

func TestMain(m *testing.M) { leaktest.Main(m) }

const wantItems = `item-0
item-1
item-2
item-3
item-4
item-5
item-6
item-7
item-8
item-9
received 10 items; the stream has ended
`

func TestProducerconsumerStd(t *testing.T) {
	if got := exampletest.Run(t, run, anyio.BackendStd, 0); got != wantItems {
		t.Errorf("run on std printed\n%s\nwant\n%s", got, wantItems)
	}
}

// Whatever order the seed gives the two tasks, the consumer receives every
// item once, in order.
func TestProducerconsumerSim(t *testing.T) {
	for _, seed := range []int64{0, 1, 42} {
		if got := exampletest.Run(t, run, anyio.BackendSim, seed); got != wantItems {
			t.Errorf("run on sim, seed %d, printed\n%s\nwant\n%s", seed, got, wantItems)
		}
	}
}
