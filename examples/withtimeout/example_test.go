package main

import (
	"bytes"
	"testing"
	"time"

	"github.com/anyiogen/anyiogen/internal/leaktest"

	"github.com/anyiogen/anyiogen/generated/anyio"
)

func TestMain(m *testing.M) { leaktest.Main(m) }

func TestWithtimeoutStd(t *testing.T) {
	want := `FailAfter: anyio: timed out; errors.Is(err, anyio.ErrTimeout) = true
MoveOnAfter, 1s operation: "default value", timed out: true
MoveOnAfter, 10ms operation: "computed in 10ms", timed out: false
`
	if got := runBounded(t, anyio.BackendStd, 0); got != want {
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
		if got := runBounded(t, anyio.BackendSim, seed); got != want {
			t.Errorf("run on sim, seed %d, printed\n%s\nwant\n%s", seed, got, want)
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
