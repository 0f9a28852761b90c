package sim

import (
	"context"
	"net"
	"net/netip"
	"os"
	"slices"
	"syscall"

	anyiort "github.com/anyiogen/anyiogen/runtime"
)

// simListener is a listening socket on the simulated network.
type simListener struct {
	n      *simNet
	addr   netip.AddrPort   // what Addr reports
	claims []netip.AddrPort // what it bound; nil when on every address
	reason string           // for deadlock reports

	// Guarded by n.mu.
	queue     []*simConn // server sides not yet accepted, oldest first
	acceptors []anyiort.Waiter
	closed    bool
}

// listen claims port on addrs (or on every address when all is set).
func (n *simNet) listen(addrs []netip.Addr, all bool, port uint16) (anyiort.Listener, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	free := func(p uint16) bool {
		if all {
			return n.wildcard[p] == nil && n.portUsers[p] == 0
		}
		for _, a := range addrs {
			if !n.freeLocked(a, p) {
				return false
			}
		}
		return true
	}
	inUse := &net.OpError{Op: "listen", Net: "tcp", Addr: simTCPAddr(netip.AddrPortFrom(addrs[0], port)),
		Err: os.NewSyscallError("bind", syscall.EADDRINUSE)}
	if port == 0 {
		p, ok := n.freePortLocked(free)
		if !ok {
			return nil, inUse
		}
		port = p
	} else if !free(port) {
		return nil, inUse
	}
	l := &simListener{n: n, addr: netip.AddrPortFrom(addrs[0], port)}
	l.reason = "accept on " + l.addr.String()
	if all {
		n.wildcard[port] = l
		n.portUsers[port]++
		return l, nil
	}
	for _, a := range addrs {
		ap := netip.AddrPortFrom(a, port)
		l.claims = append(l.claims, ap)
		n.listeners[ap] = l
		n.bindLocked(ap)
	}
	return l, nil
}

// Accept returns the oldest connection not yet accepted, waiting for one if
// need be. It returns net.ErrClosed once the listener is closed.
func (l *simListener) Accept(ctx context.Context) (anyiort.Conn, error) {
	var w anyiort.Waiter
	for {
		l.n.mu.Lock()
		if l.closed {
			l.n.mu.Unlock()
			return nil, l.opError("accept", net.ErrClosed)
		}
		if len(l.queue) > 0 {
			c := l.queue[0]
			l.queue[0] = nil
			l.queue = l.queue[1:]
			l.n.mu.Unlock()
			return c, nil
		}
		err := l.n.waitInLocked(ctx, &l.acceptors, &w, l.reason)
		if err != nil {
			return nil, err
		}
	}
}

// Close stops listening: the address is free again, connections not yet
// accepted are closed and a pending Accept returns net.ErrClosed.
func (l *simListener) Close() error {
	n := l.n
	n.mu.Lock()
	defer n.mu.Unlock()
	if l.closed {
		return l.opError("close", net.ErrClosed)
	}
	l.closeLocked()
	return nil
}

// listenersOnLocked lists the listeners with an address that on accepts.
func (n *simNet) listenersOnLocked(on func(netip.Addr) bool) []*simListener {
	var ls []*simListener
	for ap, l := range n.listeners {
		if on(ap.Addr()) && !slices.Contains(ls, l) {
			ls = append(ls, l)
		}
	}
	slices.SortFunc(ls, func(x, y *simListener) int { return x.addr.Compare(y.addr) })
	return ls
}

// closeLocked is Close with n.mu held.
func (l *simListener) closeLocked() {
	n := l.n
	if l.closed {
		return
	}
	l.closed = true
	if l.claims == nil {
		delete(n.wildcard, l.addr.Port())
		if n.portUsers[l.addr.Port()]--; n.portUsers[l.addr.Port()] == 0 {
			delete(n.portUsers, l.addr.Port())
		}
	}
	for _, ap := range l.claims {
		delete(n.listeners, ap)
		n.unbindLocked(ap)
	}
	for _, c := range l.queue {
		c.closeLocked()
	}
	l.queue = nil
	simWakeAll(&l.acceptors)
}

// Addr is the *net.TCPAddr the listener was bound to, with its real port.
func (l *simListener) Addr() net.Addr { return simTCPAddr(l.addr) }

func (l *simListener) opError(op string, err error) error {
	return &net.OpError{Op: op, Net: "tcp", Addr: l.Addr(), Err: err}
}
