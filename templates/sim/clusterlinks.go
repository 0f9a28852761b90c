package sim

import (
	"net/netip"
	"slices"
	"time"
)

// The links between hosts: partitions, holds and per-pair latencies. They
// are part of the SimNetwork, like its names, so they may be set before a
// run; a change during a run takes effect at that virtual instant in every
// run using the network (changeLinks). A packet is judged when it arrives:
// across a cut link a TCP segment or handshake step stalls and a datagram
// is lost; across a held link both wait. Heal and Release deliver what
// waited, in the order it was sent.

// simLinkKind is what a rule does to packets from one end to the other.
type simLinkKind uint8

const (
	simLinkCut     simLinkKind = iota + 1 // Partition, PartitionOneWay
	simLinkHold                           // Hold
	simLinkLatency                        // SetLinkLatency
)

// simLinkRule applies to packets from an address of from to one of to.
// Ends are host names (canonical, as AddHost keys them) or address
// literals.
type simLinkRule struct {
	kind     simLinkKind
	from, to string
	latency  time.Duration
}

// Partition cuts the link between hosts a and b both ways (see
// PartitionOneWay).
func (n *SimNetwork) Partition(a, b string) {
	n.mustKnow("Partition", a, b)
	n.changeLinks("partition "+a+" | "+b, func() { n.addBothWaysLocked(simLinkCut, a, b) })
}

// PartitionOneWay cuts the link from host from to host to: TCP segments
// and handshake steps that way stall until Heal, then arrive in order;
// datagrams that way are lost. Open connections stay open.
func (n *SimNetwork) PartitionOneWay(from, to string) {
	n.mustKnow("PartitionOneWay", from, to)
	n.changeLinks("partition "+from+" → "+to, func() {
		n.addRuleLocked(simLinkRule{kind: simLinkCut, from: simHostKey(from), to: simHostKey(to)})
	})
}

// Hold makes every packet between a and b, both ways, wait until Release
// (or Heal), and then arrive in the order it was sent.
func (n *SimNetwork) Hold(a, b string) {
	n.mustKnow("Hold", a, b)
	n.changeLinks("hold "+a+" | "+b, func() { n.addBothWaysLocked(simLinkHold, a, b) })
}

// Release ends a Hold between a and b: what waited is delivered, in order.
func (n *SimNetwork) Release(a, b string) {
	n.mustKnow("Release", a, b)
	n.changeLinks("release "+a+" | "+b, func() { n.dropRulesLocked(a, b, simLinkHold) })
}

// Heal undoes Partition, PartitionOneWay and Hold between a and b, both
// ways: what waited is delivered, in order.
func (n *SimNetwork) Heal(a, b string) {
	n.mustKnow("Heal", a, b)
	n.changeLinks("heal "+a+" | "+b, func() { n.dropRulesLocked(a, b, simLinkCut, simLinkHold) })
}

// HealAll undoes every Partition, PartitionOneWay and Hold. Latencies set
// with SetLinkLatency stay.
func (n *SimNetwork) HealAll() {
	n.changeLinks("heal all", func() {
		n.links = slices.DeleteFunc(n.links, func(r simLinkRule) bool { return r.kind != simLinkLatency })
	})
}

// SetLinkLatency sets the one-way delay between a and b, both ways,
// overriding SetLatency for that pair.
func (n *SimNetwork) SetLinkLatency(a, b string, d time.Duration) {
	n.mustKnow("SetLinkLatency", a, b)
	n.changeLinks("", func() { n.setPairLatencyLocked(a, b, d) })
}

// setPairLatencyLocked sets the one-way delay between a and b, both ways.
func (n *SimNetwork) setPairLatencyLocked(a, b string, d time.Duration) {
	n.dropRulesLocked(a, b, simLinkLatency)
	n.links = append(n.links,
		simLinkRule{kind: simLinkLatency, from: simHostKey(a), to: simHostKey(b), latency: max(d, 0)},
		simLinkRule{kind: simLinkLatency, from: simHostKey(b), to: simHostKey(a), latency: max(d, 0)})
}

// changeLinks applies change under n.mu, then lets every run using n
// deliver what the change freed, and records the fault in their traces
// (what, unless "").
func (n *SimNetwork) changeLinks(what string, change func()) {
	n.admitCaller()
	n.mu.Lock()
	change()
	runs := n.activeRunsLocked()
	n.mu.Unlock()
	for _, net := range runs {
		net.linksChanged(what)
	}
}

func (n *SimNetwork) addRuleLocked(r simLinkRule) {
	if !slices.Contains(n.links, r) {
		n.links = append(n.links, r)
	}
}

// addBothWaysLocked adds a rule of kind between a and b, both ways.
func (n *SimNetwork) addBothWaysLocked(kind simLinkKind, a, b string) {
	n.addRuleLocked(simLinkRule{kind: kind, from: simHostKey(a), to: simHostKey(b)})
	n.addRuleLocked(simLinkRule{kind: kind, from: simHostKey(b), to: simHostKey(a)})
}

// dropRulesLocked removes the rules of the given kinds between a and b,
// both ways.
func (n *SimNetwork) dropRulesLocked(a, b string, kinds ...simLinkKind) {
	a, b = simHostKey(a), simHostKey(b)
	n.links = slices.DeleteFunc(n.links, func(r simLinkRule) bool {
		return slices.Contains(kinds, r.kind) && (r.from == a && r.to == b || r.from == b && r.to == a)
	})
}

// simLinkState is what the links say about packets from one address to
// another.
type simLinkState struct {
	cut, held  bool
	latency    time.Duration // the pair's own, if hasLatency
	hasLatency bool
}

// link judges packets from src to dst.
func (n *SimNetwork) link(src, dst netip.Addr) simLinkState {
	n.mu.Lock()
	defer n.mu.Unlock()
	var s simLinkState
	if len(n.links) == 0 {
		return s
	}
	for _, r := range n.links {
		if !n.isLocked(r.from, src) || !n.isLocked(r.to, dst) {
			continue
		}
		switch r.kind {
		case simLinkCut:
			s.cut = true
		case simLinkHold:
			s.held = true
		case simLinkLatency:
			s.latency, s.hasLatency = r.latency, true
		}
	}
	return s
}

// isLocked reports whether addr is end, a host name or an address literal.
func (n *SimNetwork) isLocked(end string, addr netip.Addr) bool {
	addr = addr.Unmap()
	if a, err := netip.ParseAddr(end); err == nil {
		return a.Unmap() == addr
	}
	return slices.Contains(n.hosts[end], addr)
}

// activeRunsLocked lists the runs using n, in the order they began.
func (n *SimNetwork) activeRunsLocked() []*simNet {
	return slices.Clone(n.runs)
}

// attach and detach keep the list of runs using n.
// admitCaller makes a caller that is a goroutine of a run using n, in a
// run that adopts goroutines, hold the run's baton first (see admit): a
// fault it causes then comes at a point the seed chose, not at whatever
// moment a goroutine beside the baton's holder got to it.
func (n *SimNetwork) admitCaller() {
	n.mu.Lock()
	runs := n.activeRunsLocked()
	n.mu.Unlock()
	for _, net := range runs {
		net.b.admit(simCall{})
	}
}

func (n *SimNetwork) attach(net *simNet) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.runs = append(n.runs, net)
}

func (n *SimNetwork) detach(net *simNet) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.runs = slices.DeleteFunc(n.runs, func(x *simNet) bool { return x == net })
}
