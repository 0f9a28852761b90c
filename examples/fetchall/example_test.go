package main

import (
	"testing"

	"github.com/anyiogen/anyiogen/examples/internal/exampletest"
	"github.com/anyiogen/anyiogen/internal/leaktest"

	"github.com/anyiogen/anyiogen/generated/anyio"
)

func TestMain(m *testing.M) { leaktest.Main(m) }

const wantPages = `http://docs.example.org/guide    "Task groups wait for all their tasks"
http://news.example.org/latest   "Nothing is lost when a scope is cancelled"
http://www.example.org/          "Welcome to example.org"
http://www.example.org/about     "About us: one task group, many tasks"
`

func TestFetchallStd(t *testing.T) {
	if got := exampletest.Run(t, run, anyio.BackendStd, 0); got != wantPages {
		t.Errorf("run on std printed\n%s\nwant\n%s", got, wantPages)
	}
}

// On sim the fetches overlap on the virtual clock: the slow page's 200ms
// plus two round trips of 2×10ms, not the sum of all four fetches. The
// output is the same for every seed.
func TestFetchallSim(t *testing.T) {
	want := wantPages + "fetched 4 URLs in 240ms of virtual time\n"
	for _, seed := range []int64{0, 1, 42} {
		if got := exampletest.Run(t, run, anyio.BackendSim, seed); got != want {
			t.Errorf("run on sim, seed %d, printed\n%s\nwant\n%s", seed, got, want)
		}
	}
}
