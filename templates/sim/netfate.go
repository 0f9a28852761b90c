package sim

import (
	"net/netip"
	"time"
)

// A packet's fate, decided in one place: when it leaves (fateLocked: its
// delay, and for a datagram its loss or duplication) and when it arrives
// (passLocked: through, stalled at a cut or held link until it opens, or,
// for a datagram across a cut link, lost). A stalled packet is delivered by
// linksChanged at the instant its link opens.

// simFate is a packet's fate as it leaves: it arrives after each of its
// delays; none, and it was lost on the way; two, and it was duplicated.
type simFate struct {
	copies int
	delays [2]time.Duration
}

// fateLocked decides the fate of a packet from src to dst as it leaves:
// its one-way delay (the pair's latency or the network's, plus a seeded
// draw of jitter), and, for a datagram, the seeded loss and duplication.
// Every packet's fate is decided here when it is sent, and by passLocked
// when it arrives; the draws come in the same order on every run of a
// seed.
func (n *simNet) fateLocked(src, dst netip.Addr, datagram bool) simFate {
	copies := 1
	if datagram {
		_, loss, dup := n.cfg.faults()
		if loss > 0 && n.rng.Float64() < loss {
			return simFate{}
		}
		if dup > 0 && n.rng.Float64() < dup {
			copies = 2
		}
	}
	f := simFate{copies: copies}
	for i := range copies {
		f.delays[i] = n.linkDelayLocked(src, dst)
	}
	return f
}

// delayLocked is the one-way delay of a packet that is never lost or
// duplicated (a TCP segment, a handshake step) from src to dst.
func (n *simNet) delayLocked(src, dst netip.Addr) time.Duration {
	return n.fateLocked(src, dst, false).delays[0]
}

// simStalled is a packet that arrived at a cut or held link and waits for
// it to open. deliver runs it as if it arrived then.
type simStalled struct {
	src, dst netip.Addr
	deliver  func()
	name     string // for a trace
}

// passLocked lets a packet from src to dst that arrives now through, or
// stalls it until its link opens; a datagram (drop) across a cut link is
// lost instead. It reports whether deliver may run now. n.mu is held.
func (n *simNet) passLocked(src, dst netip.Addr, drop bool, name string, deliver func()) bool {
	s := n.cfg.link(src, dst)
	switch {
	case s.held:
	case s.cut && drop:
		return false
	case s.cut:
	default:
		return true
	}
	n.stalled = append(n.stalled, simStalled{src: src, dst: dst, deliver: deliver, name: name})
	return false
}

// linksChanged delivers, in the order they stalled, the packets whose link
// is open now, at this instant, and records the change in the trace.
func (n *simNet) linksChanged(what string) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if what != "" && n.b.tracing() {
		n.b.mu.Lock()
		n.b.traceInstantLocked("fault", what)
		n.b.mu.Unlock()
	}
	var still []simStalled
	for _, p := range n.stalled {
		if s := n.cfg.link(p.src, p.dst); s.cut || s.held {
			still = append(still, p)
			continue
		}
		n.b.afterFuncNamed(0, p.name, p.deliver)
	}
	n.stalled = still
}

// linkDelayLocked is one packet's one-way delay from src to dst: the
// pair's latency or the network's, plus a seeded draw of jitter if the
// network has any.
func (n *simNet) linkDelayLocked(src, dst netip.Addr) time.Duration {
	if s := n.cfg.link(src, dst); s.hasLatency {
		return s.latency + n.jitterLocked()
	}
	return n.networkDelayLocked()
}

// networkDelayLocked is one packet's one-way delay: the latency, plus a seeded draw
// of jitter if the network has any.
func (n *simNet) networkDelayLocked() time.Duration {
	return n.cfg.delay() + n.jitterLocked()
}

// jitterLocked is a seeded draw of the network's jitter, or 0.
func (n *simNet) jitterLocked() time.Duration {
	if jitter, _, _ := n.cfg.faults(); jitter > 0 {
		return time.Duration(n.rng.Int64N(int64(jitter)))
	}
	return 0
}
