package sim

import (
	"cmp"
	"context"
	"fmt"
	"net/netip"
	"slices"

	anyiort "github.com/anyiogen/anyiogen/runtime"
)

// simHosts are the hosts of a run.
type simHosts struct {
	hosts    []*simHost            // every incarnation RunHost started, in order
	hostPids map[string]int        // a trace process per host name
	programs map[string]simProgram // what a process runs, by name (SimProgram)
	pids     int                   // processes started so far
}

// Hosts. A task runs on the host of the task that started it; RunHost
// starts a host's main task, and code outside any RunHost runs on
// "localhost". A host's incarnation (simHost) ends at a crash: its tasks
// are frozen (never scheduled again, unwound once the run is over), its
// listeners and sockets vanish and its connections are reset; a restart is
// a new RunHost, a new incarnation under the same name.

// simHost is one incarnation of a host. Guarded by simBackend.mu.
type simHost struct {
	name    string       // canonical, as AddHost keys it
	addrs   []netip.Addr // its addresses, in the order AddHost gave them
	pid     int          // its process in a trace
	crashed bool
	done    bool  // main returned ...
	err     error // ... this
	w       anyiort.Waiter
}

// order places a host among the run's hosts (its trace process, in the
// order RunHost met them); a goroutine on no host comes first.
func (h *simHost) order() int {
	if h == nil {
		return 0
	}
	return h.pid
}

// RunHost runs main as host name, a name given to the SimNetwork's AddHost,
// in a task of its own, and returns main's error, or an error matching
// ErrHostCrashed as soon as SimNetwork.Crash(name) is called: main's tasks
// are then never scheduled again. Inside it, ListenTCP and CreateUDPSocket
// with host "" bind the host's addresses, and connections leave from its
// address of the target's family. A restart is a new RunHost. It needs a
// run on the sim backend.
func RunHost(ctx context.Context, name string, main func(ctx context.Context) error) error {
	b, ok := anyiort.FromContext(ctx).(*simBackend)
	if !ok {
		return fmt.Errorf("anyio: RunHost(%q): hosts are simulated; run on the sim backend (Backend(BackendSim))", name)
	}
	return b.runHost(ctx, name, main)
}

func (b *simBackend) runHost(ctx context.Context, name string, main func(ctx context.Context) error) error {
	addrs, ok := b.net.cfg.lookup(name)
	if !ok || len(addrs) == 0 {
		return fmt.Errorf("anyio sim: RunHost(%q): no such host; give it addresses with SimNetwork.AddHost", name)
	}
	var parentID int64
	if parent := anyiort.TaskOf(ctx); parent != nil {
		parentID = parent.ID
	}
	task := anyiort.NewTask(anyiort.RunOf(ctx), parentID, name)
	hctx := anyiort.WithTask(ctx, task)
	w := b.NewWaiter()
	h := &simHost{name: simHostKey(name), addrs: simUnmapAll(addrs), w: w}
	b.mu.Lock()
	if b.over {
		b.mu.Unlock()
		return simRunOver{}
	}
	h.pid = b.hostPidLocked(h.name)
	b.hosts = append(b.hosts, h)
	t := b.newTaskLocked(name, h, func() {
		err := main(hctx)
		b.mu.Lock()
		if !h.crashed {
			h.done, h.err = true, err
		}
		b.mu.Unlock()
		w.Wake()
	})
	b.bindCoreLocked(t, task)
	b.readyLocked(t)
	b.mu.Unlock()
	for {
		// Not cancellable: main sees ctx's cancellation and returns.
		if err := w.Wait(context.Background(), "RunHost("+name+")"); err != nil {
			return err
		}
		b.mu.Lock()
		crashed, done, err := h.crashed, h.done, h.err
		b.mu.Unlock()
		switch {
		case crashed:
			return fmt.Errorf("anyio sim: host %q: %w", name, anyiort.ErrHostCrashed)
		case done:
			return err
		}
	}
}

// hostPidLocked is the trace process of the host called name: 1 is
// localhost, the others count from 2 in the order they first ran.
func (b *simBackend) hostPidLocked(name string) int {
	if b.hostPids == nil {
		b.hostPids = map[string]int{}
	}
	pid, ok := b.hostPids[name]
	if !ok {
		pid = 2 + len(b.hostPids)
		b.hostPids[name] = pid
	}
	return pid
}

// currentHost is the host of the calling task: nil for localhost.
func (b *simBackend) currentHost() *simHost {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.current == nil {
		return nil
	}
	return b.current.host
}

// hostName is the canonical name of the calling task's host.
func (b *simBackend) hostName() string {
	if h := b.currentHost(); h != nil {
		return h.name
	}
	return "localhost"
}

// addrFor is the host's address in the family of remote, if it has one.
func (h *simHost) addrFor(remote netip.Addr) (netip.Addr, bool) {
	for _, a := range h.addrs {
		if a.Is4() == remote.Unmap().Is4() {
			return a, true
		}
	}
	return netip.Addr{}, false
}

// Crash crashes every running incarnation of host (see RunHost): no code
// of it runs again in the simulation; its listeners and sockets are gone;
// each of its open connections is reset, so that the peer's next Receive
// or Send, one latency later, fails with ErrBrokenResource; a connect to
// its addresses is refused until something listens there again. RunHost
// returns ErrHostCrashed at once. Called outside a run it does nothing: no
// host runs then.
func (n *SimNetwork) Crash(host string) {
	n.mustKnow("Crash", host)
	n.crashHost(host, false)
}

// crashHost crashes host; its disk tears its unsynced writes if tear is
// set or its DiskFaults say so.
func (n *SimNetwork) crashHost(host string, tear bool) {
	n.admitCaller()
	n.mu.Lock()
	host = n.nameOfLocked(host)
	runs := n.activeRunsLocked()
	n.mu.Unlock()
	for _, net := range runs {
		net.crash(simHostKey(host), tear)
	}
}

// crash crashes the running incarnations of the host called name, and its
// disk: what was not durable is lost (or torn, see crashDiskLocked).
func (n *simNet) crash(name string, tear bool) {
	n.mu.Lock()
	defer n.mu.Unlock()
	b := n.b
	b.mu.Lock()
	var gone []netip.Addr
	var waiters []anyiort.Waiter
	for _, h := range b.hosts {
		if h.name == name && !h.crashed {
			h.crashed = true
			gone = append(gone, h.addrs...)
			waiters = append(waiters, h.w)
		}
	}
	for _, t := range b.live {
		if t.host != nil && t.host.crashed && !t.frozen {
			t.frozen = true
			if t.state == simQueued {
				t.state = simParked
			}
		}
	}
	b.runnable = slices.DeleteFunc(b.runnable, func(t *simTask) bool { return t.frozen })
	b.crashDiskLocked(name, tear)
	if b.tracer != nil {
		what := "crash " + name
		if tear {
			what += " (torn writes)"
		}
		b.traceInstantLocked("fault", what)
	}
	b.mu.Unlock()
	n.closeSignalsLocked(name)
	if len(gone) == 0 {
		return
	}
	on := func(a netip.Addr) bool { return slices.Contains(gone, a.Unmap()) }
	for _, l := range n.listenersOnLocked(on) {
		l.closeLocked()
	}
	for _, s := range n.udpSocketsOnLocked(on) {
		s.closeLocked()
	}
	for _, c := range n.conns {
		if !c.closed && (c.unixHost == name || c.unixHost == "" && on(c.local.Addr())) {
			c.resetLocked()
		}
	}
	var unix []*simUnixListener
	for _, l := range n.unix {
		if l.host == name {
			unix = append(unix, l)
		}
	}
	slices.SortFunc(unix, func(a, b *simUnixListener) int { return cmp.Compare(a.seq, b.seq) })
	for _, l := range unix {
		l.closeLocked() // its socket stays on the disk, as after a real crash
	}
	n.pruneConnsLocked()
	for _, w := range waiters {
		w.Wake()
	}
}
