package sim

import (
	"bytes"
	"context"
	"net"
	"net/netip"
	"os"
	"slices"
	"strconv"
	"syscall"

	anyiort "github.com/anyiogen/anyiogen/runtime"
)

// simUDPQueue is how many datagrams a simulated socket holds unread; it
// drops what arrives past that.
const simUDPQueue = 256

// simUDPSocket is a datagram socket on the simulated network.
type simUDPSocket struct {
	n     *simNet
	local netip.AddrPort // an unspecified address: bound on every address
	// claims are the addresses it is bound on: one, or each of its host's
	// when a host bound it with no address; nil when bound on every address.
	claims []netip.AddrPort

	// Guarded by n.mu.
	queue   []simDatagram
	closed  bool
	readers []anyiort.Waiter
}

type simDatagram struct {
	data     []byte
	from     netip.AddrPort
	flow     uint64 // while tracing: the arrow from its send to its receive
	flowName string
}

// ListenUDP binds a datagram socket on the simulated network: the zero
// address binds every address, port 0 the next free port. Datagrams take
// the network's latency, in no particular order against each other.
func (b *simBackend) ListenUDP(ctx context.Context, local netip.AddrPort) (anyiort.PacketConn, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	addr := local.Addr().Unmap()
	port := local.Port()
	anywhere := !addr.IsValid() || addr.IsUnspecified()
	// Inside a host, no address means each of the host's.
	var claims []netip.Addr
	if h := b.currentHost(); h != nil && anywhere {
		claims, anywhere = h.addrs, false
	} else if !anywhere {
		claims = []netip.Addr{addr}
	}
	n := b.net
	n.mu.Lock()
	defer n.mu.Unlock()
	free := func(p uint16) bool {
		if n.udpWildcard[p] != nil {
			return false
		}
		if anywhere {
			for ap := range n.udp {
				if ap.Port() == p {
					return false
				}
			}
			return true
		}
		for _, a := range claims {
			if n.udp[netip.AddrPortFrom(a, p)] != nil {
				return false
			}
		}
		return true
	}
	if port == 0 {
		p, ok := n.freeUDPPortLocked(free)
		if !ok {
			return nil, &net.OpError{Op: "listen", Net: "udp", Err: os.NewSyscallError("bind", syscall.EADDRNOTAVAIL)}
		}
		port = p
	} else if !free(port) {
		return nil, &net.OpError{Op: "listen", Net: "udp", Addr: net.UDPAddrFromAddrPort(local), Err: os.NewSyscallError("bind", syscall.EADDRINUSE)}
	}
	s := &simUDPSocket{n: n}
	if anywhere {
		s.local = netip.AddrPortFrom(netip.IPv6Unspecified(), port)
		n.udpWildcard[port] = s
		return s, nil
	}
	for _, a := range claims {
		ap := netip.AddrPortFrom(a, port)
		s.claims = append(s.claims, ap)
		n.udp[ap] = s
	}
	s.local = s.claims[0]
	return s, nil
}

// UDPSource is the address a datagram to remote leaves from: the current
// host's in remote's family (none, if it has none: the socket is then bound
// on all of the host's), else the loopback address of that family.
func (b *simBackend) UDPSource(ctx context.Context, remote netip.Addr) (netip.Addr, error) {
	remote = remote.Unmap()
	if h := b.currentHost(); h != nil {
		a, _ := h.addrFor(remote)
		return a, nil
	}
	return simLoopback(remote), nil
}

// freeUDPPortLocked is freePortLocked for the UDP ports, which are apart
// from the TCP ones.
func (n *simNet) freeUDPPortLocked(free func(uint16) bool) (uint16, bool) {
	for range simLastPort - simFirstPort + 1 {
		p := uint16(n.nextUDPPort)
		if n.nextUDPPort++; n.nextUDPPort > simLastPort {
			n.nextUDPPort = simFirstPort
		}
		if free(p) {
			return p, true
		}
	}
	return 0, false
}

// udpSocketLocked returns who receives datagrams sent to dst, or nil.
func (n *simNet) udpSocketLocked(dst netip.AddrPort) *simUDPSocket {
	if s := n.udp[netip.AddrPortFrom(dst.Addr().Unmap(), dst.Port())]; s != nil {
		return s
	}
	if n.hostAddrLocked(dst.Addr()) {
		return nil
	}
	return n.udpWildcard[dst.Port()]
}

// ReadFrom returns the next datagram, waiting for one.
func (s *simUDPSocket) ReadFrom(ctx context.Context, p []byte) (int, netip.AddrPort, error) {
	var w anyiort.Waiter
	for {
		s.n.mu.Lock()
		switch {
		case s.closed:
			s.n.mu.Unlock()
			return 0, netip.AddrPort{}, &net.OpError{Op: "read", Net: "udp", Addr: s.LocalAddr(), Err: net.ErrClosed}
		case len(s.queue) > 0:
			d := s.queue[0]
			s.queue[0] = simDatagram{}
			s.queue = s.queue[1:]
			s.n.mu.Unlock()
			s.n.b.traceFlowEnd(d.flow, d.flowName)
			return copy(p, d.data), d.from, nil
		}
		err := s.n.waitInLocked(ctx, &s.readers, &w, "receive on the UDP socket "+s.local.String())
		if err != nil {
			return 0, netip.AddrPort{}, err
		}
	}
}

// WriteTo sends a copy of p to to, which gets it after the latency if a
// socket is bound there and has room; otherwise it is lost, as datagrams
// are. It never blocks.
func (s *simUDPSocket) WriteTo(ctx context.Context, p []byte, to netip.AddrPort) (int, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	s.n.mu.Lock()
	defer s.n.mu.Unlock()
	if s.closed {
		return 0, &net.OpError{Op: "write", Net: "udp", Addr: s.LocalAddr(), Err: net.ErrClosed}
	}
	from := s.local
	if from.Addr().IsUnspecified() {
		from = netip.AddrPortFrom(simLoopback(to.Addr().Unmap()), from.Port())
	}
	for _, c := range s.claims {
		if c.Addr().Is4() == to.Addr().Unmap().Is4() {
			from = c
			break
		}
	}
	d := simDatagram{data: bytes.Clone(p), from: from}
	to = netip.AddrPortFrom(to.Addr().Unmap(), to.Port())
	fate := s.n.fateLocked(from.Addr(), to.Addr(), true)
	name := ""
	if s.n.b.tracing() {
		name = "udp " + from.String() + " → " + to.String() + " (" + strconv.Itoa(len(p)) + ")"
	}
	for i, delay := range fate.delays[:fate.copies] {
		d := d
		if i == 0 && name != "" { // one arrow, to the first copy
			d.flowName = "udp " + from.String() + " → " + to.String()
			d.flow = s.n.b.traceFlowStart(d.flowName)
		}
		s.n.b.afterFuncNamed(delay, name, func() { s.n.deliver(to, d, name) })
	}
	return len(p), nil
}

// deliver queues d at the socket bound to to, if there is one with room.
func (n *simNet) deliver(to netip.AddrPort, d simDatagram, name string) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if !n.passLocked(d.from.Addr(), to.Addr(), true, name, func() { n.deliver(to, d, name) }) {
		return // lost across a cut link, or held
	}
	if dst := n.udpSocketLocked(to); dst != nil && !dst.closed && len(dst.queue) < simUDPQueue {
		dst.queue = append(dst.queue, d)
		simWakeAll(&dst.readers)
	}
}

// Close unbinds the socket; a ReadFrom waiting on it returns net.ErrClosed.
func (s *simUDPSocket) Close() error {
	s.n.mu.Lock()
	defer s.n.mu.Unlock()
	if s.closed {
		return &net.OpError{Op: "close", Net: "udp", Addr: s.LocalAddr(), Err: net.ErrClosed}
	}
	s.closeLocked()
	return nil
}

// closeLocked is Close with n.mu held.
func (s *simUDPSocket) closeLocked() {
	if s.closed {
		return
	}
	s.closed = true
	s.queue = nil
	switch {
	case s.claims != nil:
		for _, c := range s.claims {
			delete(s.n.udp, c)
		}
	default:
		delete(s.n.udpWildcard, s.local.Port())
	}
	simWakeAll(&s.readers)
}

// udpSocketsOnLocked lists the sockets bound on an address that on
// accepts, in the order of their addresses.
func (n *simNet) udpSocketsOnLocked(on func(netip.Addr) bool) []*simUDPSocket {
	var ss []*simUDPSocket
	for ap, s := range n.udp {
		if on(ap.Addr()) && !slices.Contains(ss, s) {
			ss = append(ss, s)
		}
	}
	slices.SortFunc(ss, func(x, y *simUDPSocket) int { return x.local.Compare(y.local) })
	return ss
}

// LocalAddr is the socket's *net.UDPAddr.
func (s *simUDPSocket) LocalAddr() net.Addr { return net.UDPAddrFromAddrPort(s.local) }

var _ anyiort.UDPNetwork = (*simBackend)(nil)
