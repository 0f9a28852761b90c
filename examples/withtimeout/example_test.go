package main

import (
	"testing"

	"github.com/anyiogen/anyiogen/examples/internal/exampletest"
	"github.com/anyiogen/anyiogen/internal/leaktest"

	"github.com/anyiogen/anyiogen/generated/anyio"
)

func TestMain(m *testing.M) { leaktest.Main(m) }

func TestWithtimeoutStd(t *testing.T) {
	want := `FailAfter: anyio: timed out; errors.Is(err, anyio.ErrTimeout) = true
MoveOnAfter, 1s operation: "default value", timed out: true
MoveOnAfter, 10ms operation: "computed in 10ms", timed out: false
`
	if got := exampletest.Run(t, run, anyio.BackendStd, 0); got != want {
		t.Errorf("run on std printed\n%s\nwant\n%s", got, want)
	}
}

// On sim the clock is virtual: each timeout strikes at exactly 100ms and
// the fast operation takes exactly 10ms, whatever the seed.
func TestWithtimeoutSim(t *testing.T) {
	want := `FailAfter: anyio: timed out; errors.Is(err, anyio.ErrTimeout) = true (at 100ms virtual)
MoveOnAfter, 1s operation: "default value", timed out: true (at 200ms virtual)
MoveOnAfter, 10ms operation: "computed in 10ms", timed out: false (at 210ms virtual)
`
	for _, seed := range []int64{0, 1, 42} {
		if got := exampletest.Run(t, run, anyio.BackendSim, seed); got != want {
			t.Errorf("run on sim, seed %d, printed\n%s\nwant\n%s", seed, got, want)
		}
	}
}
