package generated

// "One world per run": a network per run in a sweep, a network that
// belongs to its first run, and faults on unknown hosts refused.

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/anyiogen/anyiogen/generated/anyio"
	"github.com/anyiogen/anyiogen/generated/anyio/anyiotest"
)

// "NetworkFunc is how a sweep gets a cluster: Seeds ... call f once per
// run, so faults, partitions and crashes of one seed never touch another,
// and seeds still run in parallel." Each seed finds its links whole, then
// cuts one and crashes a host, and leaves them so: with one network for
// the sweep, the next seed would find the link cut (with -parallel 1), or
// a crash would reach another seed's run (in parallel).
func TestNetworkFuncGivesEachRunItsOwnNetwork(t *testing.T) {
	var made atomic.Int32
	anyiotest.Seeds(t, 20, func(t *testing.T, ctx context.Context) error {
		nw := anyio.CurrentNetwork(ctx)
		if nw == nil {
			return errors.New("CurrentNetwork in a sim run is nil")
		}
		ln, err := anyio.ListenTCP(ctx, "", 7000)
		if err != nil {
			return err
		}
		defer ln.Close()
		err = anyio.WithTaskGroup(ctx, func(ctx context.Context, tg *anyio.TaskGroup) error {
			tg.StartSoon(func(ctx context.Context) error {
				return anyio.RunHost(ctx, "a", func(ctx context.Context) error {
					return anyio.FailAfter(ctx, time.Second, func(ctx context.Context) error {
						c, err := anyio.ConnectTCP(ctx, "localhost", 7000)
						if err != nil {
							return fmt.Errorf("a fresh network's link from a to localhost: %w", err)
						}
						return c.Close()
					})
				})
			})
			s, err := ln.Accept(ctx)
			if err != nil {
				return err
			}
			return s.Close()
		})
		nw.Partition("a", "localhost")
		nw.Crash("b")
		return err
	}, anyio.NetworkFunc(func(seed int64) *anyio.SimNetwork {
		made.Add(1) // seeds run in parallel
		return clusterNetwork()
	}))
	if n := made.Load(); n != 20 {
		t.Errorf("NetworkFunc's f ran %d times for 20 seeds, want once per run", n)
	}
}

// "A SimNetwork given to Network belongs to the first run that uses it: a
// second run that starts with it ... gets an error at Run naming the
// network (never a crash of the test binary, never state left over from an
// earlier seed)."
func TestNetworkReusedByASecondRunIsAnError(t *testing.T) {
	nw := clusterNetwork()
	first := simRun(t, func(ctx context.Context) error {
		if anyio.CurrentNetwork(ctx) != nw {
			return errors.New("CurrentNetwork is not the network given to Network")
		}
		nw.Partition("a", "b")
		return nil
	}, anyio.Network(nw), anyio.Seed(3))
	if first != nil {
		t.Fatalf("the first run with the network: %v", first)
	}
	ran := false
	second := simRun(t, func(ctx context.Context) error { ran = true; return nil }, anyio.Network(nw), anyio.Seed(4))
	if second == nil || ran {
		t.Fatalf("a second run with the same network: err %v, body ran %v; want an error before the body", second, ran)
	}
	for _, want := range []string{"SimNetwork (hosts a, b, c, localhost)", "belongs to the run with seed 3", "NetworkFunc"} {
		if !strings.Contains(second.Error(), want) {
			t.Errorf("the second run's error %q does not say %q", second, want)
		}
	}
	if got := anyio.CurrentNetwork(context.Background()); got != nil {
		t.Errorf("CurrentNetwork outside a sim run = %v, want nil", got)
	}
}

// "Every SimNetwork method that takes a host name refuses a name (or
// address) that was never added: it panics with a message that names the
// unknown host and lists the known ones."
func TestUnknownHostPanicsNamingTheKnownOnes(t *testing.T) {
	nw := clusterNetwork()
	for name, fault := range map[string]func(){
		"Partition":       func() { nw.Partition("a", "n4") },
		"PartitionOneWay": func() { nw.PartitionOneWay("n4", "a") },
		"Hold":            func() { nw.Hold("n4", "b") },
		"Release":         func() { nw.Release("a", "n4") },
		"Heal":            func() { nw.Heal("n4", "c") },
		"SetLinkLatency":  func() { nw.SetLinkLatency("a", "n4", time.Millisecond) },
		"Crash":           func() { nw.Crash("n4") },
	} {
		func() {
			defer func() {
				want := fmt.Sprintf(`anyio sim: SimNetwork.%s: unknown host "n4" (known: a, b, c, localhost)`, name)
				if r := recover(); r != want {
					t.Errorf("%s with an unknown host: recovered %v, want %q", name, r, want)
				}
			}()
			fault()
		}()
	}
	// Names are case-insensitive, and a host's address names it too.
	nw.Partition("A", "10.0.0.2")
	nw.Heal("a", "10.0.0.2")
	defer func() {
		if r := recover(); r == nil || !strings.Contains(fmt.Sprint(r), `unknown host "10.9.9.9"`) {
			t.Errorf("Partition with an address no host has: recovered %v, want a panic naming it", r)
		}
	}()
	nw.Partition("a", "10.9.9.9")
}

// "Fuzz's input drives every draw of a run, not only the scheduler's: ...
// Buggify, Rand, jitter ... draw from the input's bytes (then from a fixed
// seed once they run out), so go test -fuzz searches fault plans as well as
// interleavings, and a saved input replays all of them."
func TestChoicesDriveEveryDraw(t *testing.T) {
	type draws struct {
		rand    uint64
		buggify string
		connect time.Duration // two one-way delays, each with a draw of jitter
	}
	run := func(input []byte) draws {
		var d draws
		nw := anyio.NewSimNetwork()
		nw.SetLatency(time.Millisecond)
		nw.SetJitter(50 * time.Millisecond)
		err := simRun(t, func(ctx context.Context) error {
			d.rand = anyio.Rand(ctx).Uint64()
			for range 32 {
				if anyio.Buggify(ctx) {
					d.buggify += "1"
				} else {
					d.buggify += "0"
				}
			}
			ln, err := anyio.ListenTCP(ctx, "127.0.0.1", 0)
			if err != nil {
				return err
			}
			defer ln.Close()
			start := anyio.Now(ctx)
			return anyio.WithTaskGroup(ctx, func(ctx context.Context, tg *anyio.TaskGroup) error {
				tg.StartSoon(func(ctx context.Context) error {
					s, err := ln.Accept(ctx)
					if err == nil {
						s.Close()
					}
					return err
				})
				c, err := anyio.ConnectTCP(ctx, "127.0.0.1", ln.Addr().(*net.TCPAddr).Port)
				if err != nil {
					return err
				}
				d.connect = anyio.Now(ctx).Sub(start)
				return c.Close()
			})
		}, anyio.SimChoices(input), anyio.Network(nw))
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	seedOnly := run(nil)
	if again := run(nil); again != seedOnly {
		t.Fatalf("seed 0 drew %+v, then %+v", seedOnly, again)
	}
	var inputs [][]byte
	for i := range 8 {
		in := make([]byte, 256)
		for j := range in {
			in[j] = byte(i*131 + j*29 + j*j)
		}
		inputs = append(inputs, in)
	}
	randDiffers, buggifyDiffers, jitterDiffers := false, false, false
	for _, in := range inputs {
		d := run(in)
		if again := run(in); again != d {
			t.Fatalf("one input drew %+v, then %+v: a saved input must replay", d, again)
		}
		randDiffers = randDiffers || d.rand != seedOnly.rand
		buggifyDiffers = buggifyDiffers || d.buggify != seedOnly.buggify
		jitterDiffers = jitterDiffers || d.connect != seedOnly.connect
	}
	if !randDiffers || !buggifyDiffers || !jitterDiffers {
		t.Errorf("over 8 inputs, Rand differed from seed 0's: %v, Buggify: %v, the network's jitter: %v; want all three driven by the input", randDiffers, buggifyDiffers, jitterDiffers)
	}
}

// A run refused for a bad option has not used its network; Crash by one of
// a host's addresses crashes that host.
func TestNetworkClaimedOnlyByARunThatStarts(t *testing.T) {
	t.Parallel()
	nw := clusterNetwork()
	if err := simRun(t, func(ctx context.Context) error { return nil }, anyio.Network(nw), anyio.SimScheduler("pct:0")); err == nil {
		t.Fatal("a run with a bad scheduler started")
	}
	err := simRun(t, func(ctx context.Context) error {
		return anyio.WithTaskGroup(ctx, func(ctx context.Context, tg *anyio.TaskGroup) error {
			tg.StartSoon(func(ctx context.Context) error {
				err := anyio.RunHost(ctx, "a", func(ctx context.Context) error { return anyio.Sleep(ctx, time.Hour) })
				if !errors.Is(err, anyio.ErrHostCrashed) {
					return fmt.Errorf("RunHost(a) after Crash by its address = %v, want ErrHostCrashed", err)
				}
				return nil
			})
			if err := anyio.Sleep(ctx, time.Millisecond); err != nil {
				return err
			}
			nw.Crash("10.0.0.1")
			return nil
		})
	}, anyio.Network(nw))
	if err != nil {
		t.Errorf("the network after a refused run: %v", err)
	}
}
