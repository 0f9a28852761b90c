package generated

// "Fault plans from the seed": RunNemesis over a three-host cluster.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/anyiogen/anyiogen/generated/anyio"
)

// nemesisCluster runs an echo server on each of a, b and c, restarted by
// the nemesis after a crash, injects faults for 400 ms, then checks that
// every host answers again; it returns the fault instants of the trace.
func nemesisCluster(t *testing.T, seed int64) (faults []string, restarts []string) {
	t.Helper()
	var trace bytes.Buffer
	var took time.Duration
	err := simRun(t, func(ctx context.Context) error {
		nw := anyio.CurrentNetwork(ctx)
		return anyio.WithTaskGroup(ctx, func(ctx context.Context, servers *anyio.TaskGroup) error {
			serve := func(host string) {
				servers.StartSoon(func(ctx context.Context) error {
					err := anyio.RunHost(ctx, host, func(ctx context.Context) error {
						ln, err := anyio.ListenTCP(ctx, "", 7000)
						if err != nil {
							return err
						}
						defer ln.Close()
						return ln.Serve(ctx, func(ctx context.Context, s *anyio.SocketStream) error { return echoUntilEnd(ctx, s) })
					})
					if errors.Is(err, anyio.ErrHostCrashed) {
						return nil // the nemesis restarts it
					}
					return err
				}, anyio.Name("server "+host))
			}
			for _, h := range []string{"a", "b", "c"} {
				serve(h)
			}
			start := anyio.Now(ctx)
			err := nw.RunNemesis(ctx, anyio.Nemesis{
				Duration: 400 * time.Millisecond,
				Period:   20 * time.Millisecond,
				Restart: func(ctx context.Context, host string) {
					restarts = append(restarts, host)
					serve(host)
				},
			})
			took = anyio.Now(ctx).Sub(start)
			if err != nil {
				return err
			}
			// Liveness: every host answers again, at once.
			for _, h := range []string{"a", "b", "c"} {
				if err := anyio.FailAfter(ctx, 50*time.Millisecond, func(ctx context.Context) error {
					c, err := anyio.ConnectTCP(ctx, h, 7000)
					if err != nil {
						return err
					}
					defer c.Close()
					if err := c.Send(ctx, []byte("ping")); err != nil {
						return err
					}
					_, err = c.Receive(ctx, 4)
					return err
				}); err != nil {
					return fmt.Errorf("after RunNemesis returned, host %s does not answer: %w", h, err)
				}
			}
			servers.CancelScope().Cancel()
			return nil
		})
	}, anyio.Seed(seed), anyio.Network(clusterNetwork()), anyio.Trace(&trace))
	if err != nil {
		t.Fatalf("seed %d: %v", seed, err)
	}
	if took > 400*time.Millisecond {
		t.Errorf("seed %d: RunNemesis returned after %v, want at most its Duration, 400ms", seed, took)
	}
	var doc struct {
		TraceEvents []struct{ Name, Cat string } `json:"traceEvents"`
	}
	if err := json.Unmarshal(trace.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	for _, e := range doc.TraceEvents {
		if e.Cat == "fault" {
			faults = append(faults, e.Name)
		}
	}
	return faults, restarts
}

// echoUntilEnd echoes what s receives until the stream ends or fails.
func echoUntilEnd(ctx context.Context, s *anyio.SocketStream) error {
	for {
		data, err := s.Receive(ctx, 1024)
		if err != nil {
			return nil
		}
		if err := s.Send(ctx, data); err != nil {
			return nil
		}
	}
}

// "Every choice the nemesis makes is drawn from the run's seed ..., and
// each fault is an instant in the trace ..., named as in the calls above
// (crash n2, partition [n1] | [n2 n3])." "After RunNemesis returns, the
// network is whole again."
func TestNemesisPlanIsTheSeeds(t *testing.T) {
	t.Parallel()
	var plans []string
	kinds := map[string]bool{}
	for seed := range int64(6) {
		faults, restarts := nemesisCluster(t, seed)
		again, _ := nemesisCluster(t, seed)
		if !slices.Equal(faults, again) {
			t.Fatalf("seed %d drew two fault plans:\n%v\n%v", seed, faults, again)
		}
		if len(faults) < 5 || faults[len(faults)-1] != "heal all" {
			t.Errorf("seed %d: faults %v, want several, ending with heal all", seed, faults)
		}
		crashes := 0
		for _, f := range faults {
			kind, _, _ := strings.Cut(f, " ")
			kinds[kind] = true
			if kind == "crash" {
				crashes++
			}
			if kind == "partition" && !strings.HasPrefix(f, "partition [") && !strings.Contains(f, " → ") {
				t.Errorf("seed %d: a partition named %q, want partition [..] | [..] or a one-way one", seed, f)
			}
		}
		if len(restarts) != crashes {
			t.Errorf("seed %d: %d crashes, %d restarts (%v): every crashed host comes back", seed, crashes, len(restarts), restarts)
		}
		plans = append(plans, strings.Join(faults, "; "))
	}
	if distinct := slices.Compact(slices.Sorted(slices.Values(plans))); len(distinct) < 4 {
		t.Errorf("6 seeds drew only %d different plans", len(distinct))
	}
	for _, kind := range []string{"crash", "partition", "hold", "clog", "heal"} {
		if !kinds[kind] {
			t.Errorf("no seed drew a %s (drew %v)", kind, kinds)
		}
	}
}

// RunNemesis breaks only the run's own network, and refuses another.
func TestNemesisNeedsTheRunsNetwork(t *testing.T) {
	t.Parallel()
	err := simRun(t, func(ctx context.Context) error {
		return clusterNetwork().RunNemesis(ctx, anyio.Nemesis{})
	}, anyio.Network(clusterNetwork()))
	if err == nil || !strings.Contains(err.Error(), "not the run's") {
		t.Errorf("RunNemesis on another network = %v, want an error", err)
	}
}

// RunNemesis mends only what it broke: a partition the test made before it
// is still there after it, and it never crashes the host it runs on.
func TestNemesisMendsOnlyItsOwnFaults(t *testing.T) {
	t.Parallel()
	err := simRun(t, func(ctx context.Context) error {
		nw := anyio.CurrentNetwork(ctx)
		nw.Partition("a", "c")
		err := anyio.RunHost(ctx, "b", func(ctx context.Context) error {
			if err := nw.RunNemesis(ctx, anyio.Nemesis{Hosts: []string{"a", "b"}}); err == nil || !strings.Contains(err.Error(), "runs on host b") {
				return fmt.Errorf("RunNemesis on host b that may crash b = %v, want an error", err)
			}
			// By default it leaves its own host out, and localhost.
			return nw.RunNemesis(ctx, anyio.Nemesis{Duration: 300 * time.Millisecond, Period: 10 * time.Millisecond})
		})
		if err != nil {
			return err
		}
		ln, err := anyio.ListenTCP(ctx, "", 7000)
		if err != nil {
			return err
		}
		defer ln.Close()
		// The test's own cut between a and c outlived the nemesis.
		return anyio.RunHost(ctx, "a", func(ctx context.Context) error {
			l, err := anyio.ListenTCP(ctx, "", 7001)
			if err != nil {
				return err
			}
			defer l.Close()
			return anyio.RunHost(ctx, "c", func(ctx context.Context) error {
				scope, err := anyio.MoveOnAfter(ctx, 100*time.Millisecond, func(ctx context.Context) error {
					c, err := anyio.ConnectTCP(ctx, "a", 7001)
					if err == nil {
						c.Close()
					}
					return err
				})
				if err != nil || !scope.CancelledCaught() {
					return fmt.Errorf("a connect from c to a after RunNemesis: %v, cut short %v; want it stalled by the test's partition", err, scope.CancelledCaught())
				}
				return nil
			})
		})
	}, anyio.Network(clusterNetwork()))
	if err != nil {
		t.Fatal(err)
	}
}
