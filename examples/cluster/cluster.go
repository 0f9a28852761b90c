package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"path"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/anyiogen/anyiogen/generated/anyio"
)

// replicas are the service's hosts and their addresses on the simulated
// network.
var replicas = []struct {
	name string
	addr netip.Addr
}{
	{"n1", netip.MustParseAddr("10.0.0.1")},
	{"n2", netip.MustParseAddr("10.0.0.2")},
	{"n3", netip.MustParseAddr("10.0.0.3")},
}

const (
	items        = 30                    // the client adds items 1..items
	replicaPort  = 7000                  // where each replica serves, on sim
	requestLimit = 20 * time.Millisecond // a replica that has not answered by then did not ack, on sim
	// stdRequestLimit is requestLimit on std, where a durable replica's
	// fsync on a busy disk, under the race detector, can take longer than
	// the simulated disk's whole run.
	stdRequestLimit = 2 * time.Second
	faultPeriod     = 10 * time.Millisecond  // the nemesis's mean time between faults
	faultsFor       = 250 * time.Millisecond // how long it injects them
)

// cluster is one run: three replicas, their disks, a client and, on sim,
// the faults.
type cluster struct {
	sim     bool
	storage Storage
	root    string // where the replicas keep their files: "/" on sim, where each host has a disk; a temporary directory on std
	nw      *anyio.SimNetwork
	log     eventLog
	out     Outcome
	mu      sync.Mutex                // guards the maps and the client's tallies on std, where tasks run in parallel
	hist    history                   // the client's operations, for the linearizability check
	ports   map[string]netip.AddrPort // where each replica serves
	up      map[string]*anyio.Event   // set once the replica serves
}

func newCluster(sim bool, storage Storage, root string) *cluster {
	return &cluster{sim: sim, storage: storage, root: root, ports: map[string]netip.AddrPort{}, up: map[string]*anyio.Event{}}
}

// network is the simulated network: the three hosts, 1 ms of latency and
// up to 2 ms of jitter, so the seed decides which replica answers first.
func (c *cluster) network() *anyio.SimNetwork {
	c.nw = anyio.NewSimNetwork()
	for _, r := range replicas {
		c.nw.AddHost(r.name, r.addr)
	}
	c.nw.SetLatency(time.Millisecond)
	c.nw.SetJitter(2 * time.Millisecond)
	return c.nw
}

type epochKey struct{}

// epoch is when the run began, for the log's timestamps.
func epoch(ctx context.Context) time.Time {
	t, _ := ctx.Value(epochKey{}).(time.Time)
	return t
}

// run is the whole scenario: replicas, faults, writes, heal, read.
func (c *cluster) run(ctx context.Context) error {
	ctx = context.WithValue(ctx, epochKey{}, anyio.Now(ctx))
	return anyio.WithTaskGroup(ctx, func(ctx context.Context, tg *anyio.TaskGroup) error {
		for _, r := range replicas {
			c.up[r.name] = anyio.NewEvent() // all made before any supervisor starts
		}
		for _, r := range replicas {
			tg.StartSoon(func(ctx context.Context) error { return c.supervise(ctx, r.name, r.addr) }, anyio.Name("supervisor "+r.name))
		}
		for _, r := range replicas {
			if err := c.upEvent(r.name).Wait(ctx); err != nil {
				return err
			}
		}
		faultsDone := anyio.NewEvent()
		if c.sim {
			tg.StartSoon(func(ctx context.Context) error {
				defer faultsDone.Set()
				return c.faults(ctx)
			}, anyio.Name("nemesis"))
		} else {
			faultsDone.Set()
		}
		if err := c.write(ctx); err != nil {
			return err
		}
		if err := faultsDone.Wait(ctx); err != nil {
			return err
		}
		if c.sim {
			c.log.add(ctx, "the nemesis healed everything; wait for every replica to be up")
		}
		for _, r := range replicas {
			if err := c.upEvent(r.name).Wait(ctx); err != nil {
				return err
			}
		}
		answer := c.hist.invoke(ctx, readItems{})
		read, err := c.read(ctx)
		if err != nil {
			return err
		}
		answer(ctx, itemSet(read))
		c.out.Read = read
		c.log.add(ctx, "quorum read: %d items", len(read))
		tg.CancelScope().Cancel() // stop the replicas
		return nil
	})
}

// upEvent is set once replica name serves.
func (c *cluster) upEvent(name string) *anyio.Event {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.up[name]
}

// supervise runs the replica name and, on sim, logs each crash and
// restarts it 5 ms later.
func (c *cluster) supervise(ctx context.Context, name string, addr netip.Addr) error {
	if !c.sim {
		return c.replica(ctx, name, netip.AddrPortFrom(netip.MustParseAddr("127.0.0.1"), 0))
	}
	for {
		err := anyio.RunHost(ctx, name, func(ctx context.Context) error {
			return c.replica(ctx, name, netip.AddrPortFrom(addr, replicaPort))
		})
		if !errors.Is(err, anyio.ErrHostCrashed) {
			return err
		}
		c.log.add(ctx, "crash %s", name)
		c.mu.Lock()
		c.up[name] = anyio.NewEvent()
		c.mu.Unlock()
		if err := anyio.Sleep(ctx, 5*time.Millisecond); err != nil {
			return err
		}
		c.log.add(ctx, "restart %s", name)
	}
}

// faults is the nemesis: for faultsFor of virtual time it crashes
// replicas and cuts, holds and clogs the links between them and the client
// (localhost), on a plan drawn from the seed; then everything is healed.
// A crashed replica is restarted by its supervisor.
func (c *cluster) faults(ctx context.Context) error {
	return c.nw.RunNemesis(ctx, anyio.Nemesis{
		Hosts:    []string{"localhost", "n1", "n2", "n3"},
		Faults:   []anyio.Fault{anyio.FaultCrash, anyio.FaultPartition, anyio.FaultHold, anyio.FaultClog},
		Period:   faultPeriod,
		Duration: faultsFor,
	})
}

// replica serves the items of host name at addr until cancelled: "ADD k"
// stores k on the host's disk and answers "OK"; "ALL" answers with every
// item it has. It starts from what its disk kept.
func (c *cluster) replica(ctx context.Context, name string, addr netip.AddrPort) error {
	dir := path.Join(c.root, "data")
	if !c.sim {
		dir = path.Join(c.root, name, "data") // the replicas share one disk on std
	}
	st, err := openStore(ctx, c.storage, dir)
	if err != nil {
		return err
	}
	ln, err := anyio.ListenTCP(ctx, addr.Addr().String(), int(addr.Port()))
	if err != nil {
		return err
	}
	defer ln.Close()
	c.mu.Lock()
	c.ports[name] = ln.Addr().(*net.TCPAddr).AddrPort()
	up := c.up[name]
	c.mu.Unlock()
	up.Set()
	return ln.Serve(ctx, func(ctx context.Context, s *anyio.SocketStream) error {
		r := anyio.NewBufferedByteStream(s)
		line, err := r.ReceiveUntil(ctx, []byte("\n"), 64)
		if err != nil {
			return nil // the client went away
		}
		var k int
		answer := "ERR unknown command"
		switch {
		case string(line) == "ALL":
			answer = fmt.Sprint(st.all())
		case fmtSscan(string(line), "ADD %d", &k):
			if err := st.add(ctx, k); err != nil {
				return err
			}
			answer = "OK"
		}
		s.Send(ctx, []byte(answer+"\n")) // a client that went away is not the replica's failure
		return nil
	})
}

// fmtSscan reports whether line matches format.
func fmtSscan(line, format string, args ...any) bool {
	n, err := fmt.Sscanf(line, format, args...)
	return err == nil && n == len(args)
}

// ask sends one request to replica name and returns its answer, or ok
// false if none came within requestLimit (on std, stdRequestLimit): it is
// down, or cut off.
func (c *cluster) ask(ctx context.Context, name, request string) (answer string, ok bool) {
	limit := requestLimit
	if !c.sim {
		limit = stdRequestLimit
	}
	_, err := anyio.MoveOnAfter(ctx, limit, func(ctx context.Context) error {
		c.mu.Lock()
		to := c.ports[name]
		c.mu.Unlock()
		s, err := anyio.ConnectTCP(ctx, to.Addr().String(), int(to.Port()))
		if err != nil {
			return nil
		}
		defer s.Close()
		if err := s.Send(ctx, []byte(request+"\n")); err != nil {
			return nil
		}
		line, err := anyio.NewBufferedByteStream(s).ReceiveUntil(ctx, []byte("\n"), 1<<16)
		if err == nil {
			answer, ok = string(line), true
		}
		return nil
	})
	return answer, ok && err == nil
}

// write adds items 1..items, one after the other, each to every replica
// at once; an item is stored once two replicas acknowledge it.
func (c *cluster) write(ctx context.Context) error {
	for k := 1; k <= items; k++ {
		answer := c.hist.invoke(ctx, addItem{k})
		var acks []string
		err := anyio.WithTaskGroup(ctx, func(ctx context.Context, tg *anyio.TaskGroup) error {
			for _, r := range replicas {
				tg.StartSoon(func(ctx context.Context) error {
					if answer, ok := c.ask(ctx, r.name, fmt.Sprint("ADD ", k)); ok && answer == "OK" {
						c.mu.Lock()
						acks = append(acks, r.name)
						c.mu.Unlock()
					}
					return nil
				})
			}
			return nil
		})
		if err != nil {
			return err
		}
		if len(acks) >= 2 {
			slices.Sort(acks)
			c.out.Acked = append(c.out.Acked, k)
			answer(ctx, true)
			c.log.add(ctx, "item %d stored: acknowledged by %v", k, acks)
		} else {
			c.log.add(ctx, "item %d not stored: acknowledged by %v", k, acks)
		}
	}
	return nil
}

// read asks every replica for its items and returns the union of the first
// two answers: a read quorum.
func (c *cluster) read(ctx context.Context) ([]int, error) {
	var got [][]int
	var from []string
	err := anyio.WithTaskGroup(ctx, func(ctx context.Context, tg *anyio.TaskGroup) error {
		for _, r := range replicas {
			tg.StartSoon(func(ctx context.Context) error {
				answer, ok := c.ask(ctx, r.name, "ALL")
				c.mu.Lock()
				defer c.mu.Unlock()
				if !ok || len(got) == 2 {
					return nil
				}
				var items []int
				for _, f := range strings.Fields(strings.Trim(answer, "[]")) {
					var k int
					fmt.Sscan(f, &k)
					items = append(items, k)
				}
				got = append(got, items)
				from = append(from, r.name)
				if len(got) == 2 {
					tg.CancelScope().Cancel()
				}
				return nil
			})
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if len(got) < 2 {
		return nil, fmt.Errorf("the read reached %d replicas, want 2", len(got))
	}
	c.log.add(ctx, "read quorum: %v", from)
	union := slices.Concat(got...)
	slices.Sort(union)
	return slices.Compact(union), nil
}
