package main

import (
	"testing"

	"github.com/anyiogen/anyiogen/examples/internal/exampletest"
	"github.com/anyiogen/anyiogen/internal/leaktest"

	"github.com/anyiogen/anyiogen/generated/anyio"
)

func TestMain(m *testing.M) { leaktest.Main(m) }

func TestTcpclientStd(t *testing.T) {
	want := `connected to 127.0.0.1
sent "Hello", received "Hello"
`
	if got := exampletest.Run(t, run, anyio.BackendStd, 0); got != want {
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
		if got := exampletest.Run(t, run, anyio.BackendSim, seed); got != want {
			t.Errorf("run on sim, seed %d, printed\n%s\nwant\n%s", seed, got, want)
		}
	}
}
