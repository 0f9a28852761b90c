package sim

// The port table of simNet: which local address:port pairs are taken.

import (
	"net/netip"
	"slices"
)

// The ephemeral port range (RFC 6335), handed out in order so that ports
// are the same on every run.
const (
	simFirstPort = 49152
	simLastPort  = 65535
)

// listenerLocked returns who accepts connections to dst: a listener on its
// address, else one on every address, else nil.
func (n *simNet) listenerLocked(dst netip.AddrPort) *simListener {
	if l := n.listeners[dst]; l != nil {
		return l
	}
	if n.hostAddrLocked(dst.Addr()) {
		return nil // a host's address is its own: localhost's wildcard does not cover it
	}
	return n.wildcard[dst.Port()]
}

// hostAddrLocked reports whether addr is the address of a host RunHost ran
// in this run, crashed or not. n.mu is held.
func (n *simNet) hostAddrLocked(addr netip.Addr) bool {
	b := n.b
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, h := range b.hosts {
		if slices.Contains(h.addrs, addr.Unmap()) {
			return true
		}
	}
	return false
}

// freePortLocked returns the first port from nextPort on, wrapping around
// the ephemeral range once, for which free holds.
func (n *simNet) freePortLocked(free func(uint16) bool) (uint16, bool) {
	for range simLastPort - simFirstPort + 1 {
		p := uint16(n.nextPort)
		if n.nextPort++; n.nextPort > simLastPort {
			n.nextPort = simFirstPort
		}
		if free(p) {
			return p, true
		}
	}
	return 0, false
}

// freeLocked reports whether addr:port may be bound.
func (n *simNet) freeLocked(addr netip.Addr, port uint16) bool {
	return n.wildcard[port] == nil && !n.bound[netip.AddrPortFrom(addr, port)]
}

func (n *simNet) bindLocked(ap netip.AddrPort) {
	n.bound[ap] = true
	n.portUsers[ap.Port()]++
}

func (n *simNet) unbindLocked(ap netip.AddrPort) {
	if !n.bound[ap] {
		return
	}
	delete(n.bound, ap)
	if n.portUsers[ap.Port()]--; n.portUsers[ap.Port()] == 0 {
		delete(n.portUsers, ap.Port())
	}
}
