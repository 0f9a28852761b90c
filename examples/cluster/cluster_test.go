package main

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/anyiogen/anyiogen/generated/anyio"
	"github.com/anyiogen/anyiogen/internal/leaktest"
	"github.com/anyiogen/anyiogen/internal/tracesvg"
)

func TestMain(m *testing.M) { leaktest.Main(m) }

// sweepSeeds is how many seeds each sweep tries.
const sweepSeeds = 100

// sweep runs the cluster with storage over sweepSeeds seeds and returns
// the seeds whose history is not linearizable: those that lost an
// acknowledged item, which the check must tell from the others by itself,
// writing a visualization for each.
func sweep(t *testing.T, storage Storage) (broken []int64) {
	t.Helper()
	for seed := range int64(sweepSeeds) {
		out, err := Simulate(anyio.BackendSim, seed, storage)
		if err != nil {
			t.Fatalf("%v, seed %d: %v\n%s", storage, seed, err, out.Log)
		}
		if len(out.Acked) == 0 {
			t.Fatalf("%v, seed %d: no item was acknowledged: the faults leave nothing to check\n%s", storage, seed, out.Log)
		}
		res := out.Linearizable()
		if res.OK == (len(out.Lost) > 0) {
			t.Fatalf("%v, seed %d: lost %v, yet the history's check says linearizable = %v", storage, seed, out.Lost, res.OK)
		}
		if !res.OK {
			broken = append(broken, seed)
			if _, err := os.Stat(res.Visualization); err != nil {
				t.Fatalf("%v, seed %d: the failed check wrote no visualization: %v", storage, seed, err)
			}
			os.Remove(res.Visualization)
		}
	}
	return broken
}

// A durable replica keeps the promise on every seed (its history is
// linearizable): each seed is another schedule of crashes, cuts and
// network delays.
func TestDurableClusterKeepsItsPromise(t *testing.T) {
	t.Parallel()
	if broken := sweep(t, Durable); len(broken) > 0 {
		out, _ := Simulate(anyio.BackendSim, broken[0], Durable)
		t.Fatalf("seed %d lost acknowledged items %v (replay: go run ./examples/cluster -seed %d)\n%s", broken[0], out.Lost, broken[0], out.Log)
	}
}

// The two buggy replicas break linearizability on some seeds (they lose
// acknowledged items), the one
// that never syncs far more often than the one that only forgets to sync
// its directory after a rename; each such seed replays exactly.
func TestBuggyStorageLosesItemsOnSomeSeeds(t *testing.T) {
	t.Parallel()
	noSync, noDirSync := sweep(t, NoSync), sweep(t, NoDirSync)
	t.Logf("seeds that lost an acknowledged item, of %d: nosync %d, nodirsync %d", sweepSeeds, len(noSync), len(noDirSync))
	for _, c := range []struct {
		storage Storage
		broken  []int64
	}{{NoSync, noSync}, {NoDirSync, noDirSync}} {
		if len(c.broken) == 0 || len(c.broken) == sweepSeeds {
			t.Fatalf("%v: %d of %d seeds lost an item; want some and not all: the bug needs a crash at the wrong moment", c.storage, len(c.broken), sweepSeeds)
		}
		first, _ := Simulate(anyio.BackendSim, c.broken[0], c.storage)
		again, _ := Simulate(anyio.BackendSim, c.broken[0], c.storage)
		if first.Log != again.Log || !slices.Equal(first.Lost, again.Lost) {
			t.Errorf("%v, seed %d told two stories:\n%s\n----\n%s", c.storage, c.broken[0], first.Log, again.Log)
		}
		if !strings.Contains(first.Log, "crash ") {
			t.Errorf("%v, seed %d lost items without a crash:\n%s", c.storage, c.broken[0], first.Log)
		}
	}
	if len(noDirSync) >= len(noSync) {
		t.Errorf("nodirsync lost items on %d seeds, nosync on %d: a replica that syncs its file should lose less", len(noDirSync), len(noSync))
	}
}

// On std, without faults, on real sockets and files, every item is stored
// and read.
func TestClusterOnStd(t *testing.T) {
	out, err := Simulate(anyio.BackendStd, 0, Durable)
	if err != nil {
		t.Fatalf("%v\n%s", err, out.Log)
	}
	if len(out.Acked) != items || len(out.Lost) != 0 {
		t.Errorf("acked %v, lost %v; want all %d items acked and none lost\n%s", out.Acked, out.Lost, items, out.Log)
	}
}

// The trace of a run opens in a trace viewer: a process per host, the
// crashes, and the replicas' disk operations.
func TestClusterTrace(t *testing.T) {
	var trace bytes.Buffer
	if _, err := Simulate(anyio.BackendSim, 1, Durable, anyio.Trace(&trace)); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"process_name","ph":"M","pid":2,"tid":0,"args":{"name":"n`, `"crash n`, `"sync /data/items"`, `"rename /data/items.tmp /data/items"`} {
		if !strings.Contains(trace.String(), want) {
			t.Errorf("the trace does not contain %s", want)
		}
	}
}

var update = flag.Bool("update", false, "redraw docs/cluster-trace.svg")

// TestREADMEPicture keeps docs/cluster-trace.svg, the README's picture of
// the failing seed it tells: go test ./examples/cluster -run
// TestREADMEPicture -update redraws it.
func TestREADMEPicture(t *testing.T) {
	var trace, svg bytes.Buffer
	if _, err := Simulate(anyio.BackendSim, 6, NoDirSync, anyio.Trace(&trace)); err != nil {
		t.Fatal(err)
	}
	if err := tracesvg.Render(&svg, &trace, "examples/cluster -seed 6 -storage nodirsync: crashes of n2 and n3 lose items 9 to 14"); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join("..", "..", "docs", "cluster-trace.svg")
	if *update {
		if err := os.WriteFile(path, svg.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to draw it)", err)
	}
	if !bytes.Equal(svg.Bytes(), want) {
		t.Errorf("%s is not the picture of seed 6: go test ./examples/cluster -run TestREADMEPicture -update", path)
	}
}
