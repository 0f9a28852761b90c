package sim

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net"
	"net/netip"
	"os"
	"slices"
	"sync"
	"syscall"
	"time"

	anyiort "github.com/anyiogen/anyiogen/runtime"
	simdisk "github.com/anyiogen/anyiogen/templates/sim/disk"
)

// simNet is the state of the simulated network during one run: who listens
// where and which local ports are taken. Its mutex comes before b.mu: code
// holding it may wake tasks and start timers, but never the other way round.
type simNet struct {
	b   *simBackend
	cfg *SimNetwork

	mu        sync.Mutex
	listeners map[netip.AddrPort]*simListener // on one address
	wildcard  map[uint16]*simListener         // on every address
	bound     map[netip.AddrPort]bool         // every local address:port in use
	portUsers map[uint16]int                  // how many bound entries use each port
	nextPort  int                             // the next ephemeral port to try

	rng *rand.Rand // jitter, loss and duplication; guarded by mu

	udp         map[netip.AddrPort]*simUDPSocket // datagram sockets on one address
	udpWildcard map[uint16]*simUDPSocket         // ... and on every address
	nextUDPPort int

	conns   []*simConn   // every connection end, for a crash to reset; closed ones are pruned
	pruneAt int          // len(conns) at which to prune next
	stalled []simStalled // packets waiting for a cut or held link to open, in arrival order

	signals []*simSignalReceiver // the hosts' open signal receivers

	unix    map[simdisk.Socket]*simUnixListener // the Unix sockets listened on, by their place on a disk
	unixSeq uint64                              // Unix listeners made so far
}

func simNewNet(b *simBackend, cfg *SimNetwork) *simNet {
	return &simNet{
		b:         b,
		cfg:       cfg,
		listeners: make(map[netip.AddrPort]*simListener),
		wildcard:  make(map[uint16]*simListener),
		bound:     make(map[netip.AddrPort]bool),
		portUsers: make(map[uint16]int),
		nextPort:  simFirstPort,

		rng:         b.stream(simStreamNet),
		udp:         make(map[netip.AddrPort]*simUDPSocket),
		udpWildcard: make(map[uint16]*simUDPSocket),
		nextUDPPort: simFirstPort,
	}
}

// LookupHost resolves host with the SimNetwork's names, in the order they
// were added, without taking virtual time. An IP literal resolves to itself.
func (b *simBackend) LookupHost(ctx context.Context, host string) ([]netip.Addr, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if ip, err := netip.ParseAddr(host); err == nil {
		return []netip.Addr{ip}, nil
	}
	if addrs, ok := b.net.cfg.lookup(host); ok && len(addrs) > 0 {
		return addrs, nil
	}
	return nil, &net.DNSError{Err: "no such host (not added to the SimNetwork)", Name: host, IsNotFound: true}
}

// ListenTCP claims host:port on the simulated network. Host "" or an
// unspecified address claims the port on every address; a name claims it on
// each address it resolves to. Port 0 picks the next free ephemeral port.
func (b *simBackend) ListenTCP(ctx context.Context, host string, port int) (anyiort.Listener, error) {
	if port < 0 || port > simLastPort {
		return nil, &net.OpError{Op: "listen", Net: "tcp", Err: &net.AddrError{Err: "invalid port", Addr: host}}
	}
	all, addrs := true, []netip.Addr{netip.IPv6Unspecified()}
	if h := b.currentHost(); h != nil && host == "" {
		all, addrs = false, slices.Clone(h.addrs)
	}
	if host != "" {
		resolved, err := b.LookupHost(ctx, host)
		if err != nil {
			return nil, &net.OpError{Op: "listen", Net: "tcp", Err: err}
		}
		addrs = simUnmapAll(resolved)
		all = len(addrs) == 1 && addrs[0].IsUnspecified()
	}
	return b.net.listen(addrs, all, uint16(port))
}

// DialTCP connects to remote from local (the zero Addr: the loopback address
// of remote's family). A blackholed remote never answers; one with no
// listener refuses after a round trip; otherwise the listener gets the
// connection after one latency and DialTCP returns after a round trip.
func (b *simBackend) DialTCP(ctx context.Context, local netip.Addr, remote netip.AddrPort) (anyiort.Conn, error) {
	remote = netip.AddrPortFrom(remote.Addr().Unmap(), remote.Port())
	if !local.IsValid() {
		local = simLoopback(remote.Addr())
		if h := b.currentHost(); h != nil {
			a, ok := h.addrFor(remote.Addr())
			if !ok {
				return nil, &net.OpError{Op: "dial", Net: "tcp", Addr: simTCPAddr(remote), Err: fmt.Errorf("host %q has no address of %s's family: %w", h.name, remote.Addr(), syscall.ENETUNREACH)}
			}
			local = a
		}
	}
	fail := func(src netip.AddrPort, err error) error {
		return &net.OpError{Op: "dial", Net: "tcp", Source: simTCPAddr(src), Addr: simTCPAddr(remote), Err: err}
	}
	if err := ctx.Err(); err != nil {
		return nil, fail(netip.AddrPortFrom(local, 0), err)
	}
	w := b.NewWaiter()
	if b.net.cfg.blackholed(remote.Addr()) {
		return nil, fail(netip.AddrPortFrom(local, 0), simAwaitCancel(ctx, w, "connect to "+remote.String()+", which is blackholed"))
	}
	d, err := b.net.startDial(w, local.Unmap(), remote)
	if err != nil {
		return nil, fail(netip.AddrPortFrom(local, 0), err)
	}
	reason := "connect to " + remote.String()
	for {
		err := w.Wait(ctx, reason)
		if c, done, dialErr := b.net.dialOutcome(d, err != nil); done {
			if dialErr != nil {
				return nil, fail(d.src, dialErr)
			}
			return c, nil
		}
		if err != nil {
			return nil, fail(d.src, err)
		}
	}
}

// simAwaitCancel waits on w, which nothing wakes, until ctx is cancelled.
func simAwaitCancel(ctx context.Context, w anyiort.Waiter, reason string) error {
	for {
		if err := w.Wait(ctx, reason); err != nil {
			return err
		}
	}
}

// simDial is a connect in flight. Its fields are guarded by simNet.mu.
type simDial struct {
	w         anyiort.Waiter
	src, dst  netip.AddrPort
	client    *simConn // made when the SYN reached a listener
	done      bool     // the answer arrived: client or err
	err       error
	abandoned bool // the dialer's ctx was cancelled first
}

// startDial binds a local port and sends the SYN.
func (n *simNet) startDial(w anyiort.Waiter, local netip.Addr, remote netip.AddrPort) (*simDial, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	port, ok := n.freePortLocked(func(p uint16) bool { return n.freeLocked(local, p) })
	if !ok {
		return nil, os.NewSyscallError("connect", syscall.EADDRNOTAVAIL)
	}
	d := &simDial{w: w, src: netip.AddrPortFrom(local, port), dst: remote}
	n.bindLocked(d.src)
	n.b.afterFuncNamed(n.delayLocked(d.src.Addr(), d.dst.Addr()), d.synName(), func() { n.synArrived(d) })
	return d, nil
}

// synName and answerName name the handshake's packets in a trace.
func (d *simDial) synName() string {
	return "tcp " + d.src.String() + " → " + d.dst.String() + ": SYN"
}

func (d *simDial) answerName() string {
	return "tcp " + d.dst.String() + " → " + d.src.String() + ": SYN-ACK or RST"
}

// synArrived runs when the SYN reaches remote: a listener queues the server
// side and answers, anything else refuses. The answer takes one latency.
func (n *simNet) synArrived(d *simDial) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if d.abandoned || !n.passLocked(d.src.Addr(), d.dst.Addr(), false, n.traceName(d.synName), func() { n.synArrived(d) }) {
		return
	}
	back := n.delayLocked(d.dst.Addr(), d.src.Addr())
	l := n.listenerLocked(d.dst)
	if l == nil {
		refused := os.NewSyscallError("connect", syscall.ECONNREFUSED)
		n.b.afterFuncNamed(back, n.traceName(d.answerName), func() { n.answer(d, nil, refused) })
		return
	}
	client, server := n.pairLocked(d.src, d.dst)
	d.client = client
	l.queue = append(l.queue, server)
	simWakeAll(&l.acceptors)
	n.b.afterFuncNamed(back, n.traceName(d.answerName), func() { n.answer(d, client, nil) })
}

// traceName is name(), when a trace is on.
func (n *simNet) traceName(name func() string) string {
	if !n.b.tracing() {
		return ""
	}
	return name()
}

// answer delivers the SYN-ACK (c) or the refusal (err) to the dialer.
func (n *simNet) answer(d *simDial, c *simConn, err error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if d.abandoned || !n.passLocked(d.dst.Addr(), d.src.Addr(), false, n.traceName(d.answerName), func() { n.answer(d, c, err) }) {
		return
	}
	d.done, d.err = true, err
	if err != nil {
		n.unbindLocked(d.src)
	}
	d.w.Wake()
}

// dialOutcome reports the dial's result once it is known. When the dialer
// gives up (quit) the attempt is abandoned, even if the answer came in the
// same instant, and its socket is closed: the cancellation wins.
func (n *simNet) dialOutcome(d *simDial, quit bool) (anyiort.Conn, bool, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	switch {
	case quit:
		d.abandoned = true
		if d.client != nil {
			d.client.closeLocked()
		} else {
			n.unbindLocked(d.src)
		}
		return nil, false, nil
	case d.done && d.err != nil:
		return nil, true, d.err
	case d.done:
		return d.client, true, nil
	}
	return nil, false, nil
}

// simLoopback is the simulated machine's own address in addr's family.
func simLoopback(addr netip.Addr) netip.Addr {
	if addr.Is4() {
		return netip.AddrFrom4([4]byte{127, 0, 0, 1})
	}
	return netip.IPv6Loopback()
}

func simUnmapAll(addrs []netip.Addr) []netip.Addr {
	for i, a := range addrs {
		addrs[i] = a.Unmap()
	}
	return addrs
}

func simTCPAddr(ap netip.AddrPort) *net.TCPAddr { return net.TCPAddrFromAddrPort(ap) }

// simWakeAll wakes and forgets every waiter in *ws; each re-checks its state.
func simWakeAll(ws *[]anyiort.Waiter) {
	for _, w := range *ws {
		w.Wake()
	}
	*ws = nil
}

// waitInLocked makes the caller wait on its waiter *w (made on first use)
// in queue, which whoever ends the wait wakes: n.mu is held on entry and
// released, and w leaves the queue once the wait is over.
func (n *simNet) waitInLocked(ctx context.Context, queue *[]anyiort.Waiter, w *anyiort.Waiter, reason string) error {
	if *w == nil {
		*w = n.b.NewWaiter()
	}
	*queue = append(*queue, *w)
	n.mu.Unlock()
	err := (*w).Wait(ctx, reason)
	n.mu.Lock()
	simForget(queue, *w)
	n.mu.Unlock()
	return err
}

// simForget removes w from *ws once its Wait is over.
func simForget(ws *[]anyiort.Waiter, w anyiort.Waiter) {
	for i, x := range *ws {
		if x == w {
			*ws = append((*ws)[:i], (*ws)[i+1:]...)
			return
		}
	}
}

// simArrival is when a packet sent now arrives: after the latency, but never
// before the previous packet on the same stream, so data stays in order even
// if the latency changes.
func simArrival(now time.Time, latency time.Duration, last time.Time) time.Time {
	at := now.Add(latency)
	if at.Before(last) {
		return last
	}
	return at
}
