// Cluster tests a small replicated service the way FoundationDB and
// TigerBeetle test theirs: on a simulated cluster whose hosts crash and
// restart and whose links partition, on a seed, so that whatever goes wrong
// goes wrong again, the same way, when the seed is replayed.
//
// The service is written once, against the portable API: three replicas
// (n1, n2, n3) each keep a set of items, and a client adds an item by
// sending it to every replica and calling it stored once two of the three
// acknowledge it (a write quorum). Its promise: once the network is healed
// and every replica is up, a read from any two replicas (a read quorum)
// returns every item the client was told was stored.
//
// A nemesis (RunNemesis) crashes replicas, which a supervisor restarts, and
// cuts, holds and clogs the links between them and the client, on a plan
// drawn from the seed; the client writes meanwhile. At the end the nemesis
// has healed everything and the client reads.
//
// Each replica keeps its items in a file on its host's disk, through the
// package's files: on sim a simulated disk that a crash empties of all
// that was not made durable. -storage picks how carefully:
//
//   - nosync appends each item and acknowledges it without a Sync: the
//     page cache said yes, and a crash forgets.
//   - nodirsync syncs the file after each item, and every 8 items rewrites
//     it whole into a new file that it syncs and renames over the old one,
//     but never syncs the directory: after a crash the old name still
//     points at the old file, without the items added since the rename.
//   - durable does the same and syncs the directory after each rename.
//
// To run it:
//
//	go run ./examples/cluster -seed 3 -storage nosync     # items lost: an unsynced replica crashed
//	go run ./examples/cluster -seed 0                     # durable replicas: the promise kept
//	go run ./examples/cluster -seed 0 -trace t.json       # then open t.json in ui.perfetto.dev
//	go run ./examples/cluster -backend std                # no faults, real sockets and files
//
// cluster_test.go sweeps 100 seeds of each: the durable service keeps its
// promise on all of them; nosync breaks it on 23 of them, nodirsync, the
// subtler bug, on 9.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/anyiogen/anyiogen/check"
	"github.com/anyiogen/anyiogen/generated/anyio"
)

func main() {
	backend := flag.String("backend", anyio.BackendSim, "backend to run on: sim (with faults) or std (without)")
	seed := flag.Int64("seed", 0, "sim: the seed of the schedule, the faults and the network's jitter")
	storage := flag.String("storage", "durable", "how replicas keep items on disk: nosync, nodirsync (no SyncDir after a rename) or durable")
	trace := flag.String("trace", "", "sim: write the run's trace (Chrome trace-event JSON) to this file")
	flag.Parse()
	opts := []anyio.RunOption{}
	if *trace != "" {
		f, err := os.Create(*trace)
		if err != nil {
			fmt.Fprintln(os.Stderr, "cluster:", err)
			os.Exit(1)
		}
		defer f.Close()
		opts = append(opts, anyio.Trace(f))
	}
	mode, ok := Storages[*storage]
	if !ok {
		fmt.Fprintf(os.Stderr, "cluster: -storage %q: want nosync, nodirsync or durable\n", *storage)
		os.Exit(2)
	}
	out, err := Simulate(*backend, *seed, mode, opts...)
	fmt.Print(out.Log)
	switch {
	case err != nil:
		fmt.Fprintln(os.Stderr, "cluster:", err)
		os.Exit(1)
	case len(out.Lost) > 0:
		fmt.Printf("PROMISE BROKEN: acknowledged items %v are missing from the read\n", out.Lost)
		fmt.Println(out.Linearizable())
		os.Exit(2)
	default:
		fmt.Printf("promise kept: all %d acknowledged items were read back\n", len(out.Acked))
	}
}

// Outcome is what a run of the cluster did.
type Outcome struct {
	Acked   []int             // items the client was told were stored
	Read    []int             // what the final quorum read returned
	Lost    []int             // acknowledged items missing from the read
	Log     string            // what happened, one event per line, at virtual time
	History []check.Operation // the client's operations, for Linearizable
}

// Linearizable checks the run's history against the promise: the client's
// adds and its read are those of one set. On failure the Result names the
// operations and where porcupine's visualization of them was written.
func (o Outcome) Linearizable() check.Result {
	return check.Linearizable(o.History, setModel())
}

// Simulate runs the cluster on backend (with faults only on sim) and
// returns what happened.
func Simulate(backend string, seed int64, storage Storage, opts ...anyio.RunOption) (Outcome, error) {
	root := "/"
	if backend != anyio.BackendSim {
		dir, err := os.MkdirTemp("", "cluster")
		if err != nil {
			return Outcome{}, err
		}
		defer os.RemoveAll(dir)
		root = dir
	}
	c := newCluster(backend == anyio.BackendSim, storage, root)
	// A network per run, built from the seed: a sweep of runs never shares
	// one (the cluster's network keeps the hosts and links its run broke).
	network := anyio.NetworkFunc(func(int64) *anyio.SimNetwork { return c.network() })
	opts = append(opts, anyio.Backend(backend), anyio.Seed(seed), network)
	err := anyio.Run(c.run, opts...)
	c.out.Lost = missing(c.out.Acked, c.out.Read)
	c.out.Log = c.log.String()
	c.out.History = c.hist.operations()
	return c.out, err
}

// missing lists the items of want that got lacks.
func missing(want, got []int) []int {
	have := map[int]bool{}
	for _, k := range got {
		have[k] = true
	}
	var lost []int
	for _, k := range want {
		if !have[k] {
			lost = append(lost, k)
		}
	}
	return lost
}

// eventLog collects the run's story.
type eventLog struct {
	b strings.Builder
}

func (l *eventLog) add(ctx context.Context, format string, args ...any) {
	fmt.Fprintf(&l.b, "%8v  %s\n", anyio.Now(ctx).Sub(epoch(ctx)).Round(time.Microsecond), fmt.Sprintf(format, args...))
}

func (l *eventLog) String() string { return l.b.String() }
