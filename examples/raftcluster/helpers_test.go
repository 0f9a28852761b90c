package raftcluster

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"slices"
	"sync"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/raft"

	"github.com/anyiogen/anyiogen/generated/anyio"
)

// raftPort is where every node listens, on its own host.
const raftPort = 7000

// hosts is the cluster's three hosts, at 10.0.0.1 to 10.0.0.3.
var hosts = []string{"n1", "n2", "n3"}

// clusterNetwork is a fresh network of the three hosts for each seed, with
// a millisecond's latency.
func clusterNetwork() anyio.RunOption {
	return anyio.NetworkFunc(func(int64) *anyio.SimNetwork {
		nw := anyio.NewSimNetwork()
		for i, name := range hosts {
			nw.AddHost(name, netip.AddrFrom4([4]byte{10, 0, 0, byte(i + 1)}))
		}
		nw.SetLatency(time.Millisecond)
		return nw
	})
}

// streamLayer is raft's transport's view of the package's sockets: the
// node's NetListener, and dials with DialContext bounded by raft's
// timeout on the run's clock.
type streamLayer struct {
	net.Listener
	ctx  context.Context
	dial func(ctx context.Context, network, address string) (net.Conn, error)
}

// Dial implements raft.StreamLayer.
func (s *streamLayer) Dial(address raft.ServerAddress, timeout time.Duration) (net.Conn, error) {
	ctx, cancel := context.WithTimeout(s.ctx, timeout)
	defer cancel()
	return s.dial(ctx, "tcp", string(address))
}

// logFSM is the replicated state machine: the commands applied, in order.
type logFSM struct {
	mu      sync.Mutex
	applied []string
}

// Apply implements raft.FSM.
func (f *logFSM) Apply(entry *raft.Log) any {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.applied = append(f.applied, string(entry.Data))
	return len(f.applied)
}

// Snapshot implements raft.FSM; the tests take none.
func (f *logFSM) Snapshot() (raft.FSMSnapshot, error) {
	return nil, errors.New("logFSM takes no snapshots")
}

// Restore implements raft.FSM; the tests take none.
func (f *logFSM) Restore(io.ReadCloser) error { return errors.New("logFSM takes no snapshots") }

// Applied is what the node has applied so far.
func (f *logFSM) Applied() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.applied)
}

// node is one member of the cluster.
type node struct {
	name string
	raft *raft.Raft
	fsm  *logFSM
}

// cluster is the three nodes, each running on its host in a task of the
// group that withCluster made.
type cluster struct {
	nodes []*node
}

// withCluster starts a raft node on each host, bootstrapped with all three
// as voters, calls body, and shuts every node down when body returns.
func withCluster(ctx context.Context, body func(ctx context.Context, c *cluster) error) error {
	servers := make([]raft.Server, len(hosts))
	for i, name := range hosts {
		servers[i] = raft.Server{ID: raft.ServerID(name), Address: raft.ServerAddress(fmt.Sprintf("10.0.0.%d:%d", i+1, raftPort))}
	}
	return anyio.WithTaskGroup(ctx, func(ctx context.Context, tg *anyio.TaskGroup) error {
		stop := anyio.NewEvent()
		defer stop.Set()
		c := &cluster{nodes: make([]*node, len(hosts))}
		for i, name := range hosts {
			started := anyio.NewEvent()
			var startErr error
			tg.StartSoon(func(ctx context.Context) error {
				return anyio.RunHost(ctx, name, func(ctx context.Context) error {
					n, shutdown, err := startNode(ctx, name, servers)
					c.nodes[i], startErr = n, err
					started.Set()
					if err != nil {
						return err
					}
					_ = stop.Wait(ctx)
					return shutdown()
				})
			}, anyio.Name("host "+name))
			if err := started.Wait(ctx); err != nil {
				return err
			}
			if startErr != nil {
				return fmt.Errorf("starting %s: %w", name, startErr)
			}
		}
		return body(ctx, c)
	})
}

// startNode runs a raft node on the current host, listening on raftPort,
// with its logs in memory, and returns it with what shuts it down.
func startNode(ctx context.Context, name string, servers []raft.Server) (*node, func() error, error) {
	ln, err := anyio.ListenTCP(ctx, name, raftPort)
	if err != nil {
		return nil, nil, err
	}
	layer := &streamLayer{Listener: ln.NetListener(ctx), ctx: ctx, dial: anyio.DialContext(ctx)}
	transport := raft.NewNetworkTransport(layer, 3, time.Second, io.Discard)
	cfg := raft.DefaultConfig()
	cfg.LocalID = raft.ServerID(name)
	cfg.Logger = hclog.New(&hclog.LoggerOptions{Name: name, Output: io.Discard, Level: hclog.Off})
	store, snapshots := raft.NewInmemStore(), raft.NewInmemSnapshotStore()
	if err := raft.BootstrapCluster(cfg, store, store, snapshots, transport, raft.Configuration{Servers: servers}); err != nil {
		return nil, nil, errors.Join(err, transport.Close())
	}
	fsm := &logFSM{}
	r, err := raft.NewRaft(cfg, fsm, store, store, snapshots, transport)
	if err != nil {
		return nil, nil, errors.Join(err, transport.Close())
	}
	shutdown := func() error { return errors.Join(r.Shutdown().Error(), transport.Close()) }
	return &node{name: name, raft: r, fsm: fsm}, shutdown, nil
}

// leader waits, polling every 10 ms of virtual time for at most within,
// for exactly one node other than those in except to be leader, and
// returns it.
func (c *cluster) leader(ctx context.Context, within time.Duration, except ...*node) (*node, error) {
	var found *node
	err := pollFor(ctx, within, func() bool {
		found = nil
		leaders := 0
		for _, n := range c.nodes {
			if n.raft.State() == raft.Leader && !slices.Contains(except, n) {
				found = n
				leaders++
			}
		}
		return leaders == 1
	})
	if err != nil {
		return nil, fmt.Errorf("no single leader after %v: %w", within, err)
	}
	return found, nil
}

// applied waits, polling as leader does, until each of nodes has applied
// want, in order.
func applied(ctx context.Context, within time.Duration, want []string, nodes ...*node) error {
	err := pollFor(ctx, within, func() bool {
		for _, n := range nodes {
			if !slices.Equal(n.fsm.Applied(), want) {
				return false
			}
		}
		return true
	})
	if err != nil {
		var got []string
		for _, n := range nodes {
			got = append(got, fmt.Sprintf("%s applied %q", n.name, n.fsm.Applied()))
		}
		return fmt.Errorf("after %v, want %q on each of them: %v", within, want, got)
	}
	return nil
}

// errTimedOut is pollFor's error when the condition never held.
var errTimedOut = errors.New("timed out")

// pollFor checks cond every 10 ms of virtual time until it holds, for at
// most within.
func pollFor(ctx context.Context, within time.Duration, cond func() bool) error {
	deadline := anyio.Now(ctx).Add(within)
	for !cond() {
		if anyio.Now(ctx).After(deadline) {
			return errTimedOut
		}
		if err := anyio.Sleep(ctx, 10*time.Millisecond); err != nil {
			return err
		}
	}
	return nil
}
