package main

import (
	"bytes"
	"testing"
	"time"

	"github.com/anyiogen/anyiogen/internal/leaktest"

	"github.com/anyiogen/anyiogen/generated/anyio"
)

func TestMain(m *testing.M) { leaktest.Main(m) }

func TestTcpclientStd(t *testing.T) {
	want := `connected to 127.0.0.1
sent "Hello", received "Hello"
`
	if got := runBounded(t, anyio.BackendStd, 0); got != want {
		t.Errorf("run on std printed\n%s\nwant\n%s", got, want)
	}
}

// On sim the IPv6 address of echo.example is black-holed: happy eyeballs
// starts the IPv4 attempt after its 250ms delay, which connects after one
// round trip of 2×10ms, so the connect takes 270ms of virtual time.
func TestTcpclientSim(t *testing.T) {
	want := `connected to echo.example (192.0.2.7:7) in 270ms of virtual time
sent "Hello", received "Hello"
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
