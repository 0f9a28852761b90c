package main

import (
	"bytes"
	"testing"
	"time"

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
	if got := runBounded(t, anyio.BackendStd, 0); got != wantItems {
		t.Errorf("run on std printed\n%s\nwant\n%s", got, wantItems)
	}
}

// Whatever order the seed gives the two tasks, the consumer receives every
// item once, in order.
func TestProducerconsumerSim(t *testing.T) {
	for _, seed := range []int64{0, 1, 42} {
		if got := runBounded(t, anyio.BackendSim, seed); got != wantItems {
			t.Errorf("run on sim, seed %d, printed\n%s\nwant\n%s", seed, got, wantItems)
		}
	}
}

// runBounded calls run and returns what it printed, failing the test if
// run fails or takes longer than a minute.
func runBounded(t *testing.T, backend string, seed int64) string {
	t.Helper()
	var out bytes.Buffer
	done := make(chan error, 1)
	go func() { done <- run(&out, backend, seed) }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("run on %s, seed %d: %v", backend, seed, err)
		}
	case <-time.After(time.Minute):
		t.Fatalf("run on %s, seed %d, did not return within a minute", backend, seed)
	}
	return out.String()
}
