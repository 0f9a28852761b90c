package sim

import (
	"net/netip"
	"strings"
	"sync"
	"time"
)

// SimNetwork describes the simulated network of sim runs: host names, the
// one-way latency and unreachable addresses. It holds no connections, so one
// SimNetwork may serve many runs, each starting with no listeners. Its
// methods are safe for concurrent use. The zero value knows no names at all;
// [NewSimNetwork] knows localhost.
type SimNetwork struct {
	mu        sync.Mutex
	hosts     map[string][]netip.Addr // by lower-case name without the final dot
	latency   time.Duration
	blackhole map[netip.Addr]bool
	tcpBuffer int // 0: simDefaultTCPBuffer
	jitter    time.Duration
	loss, dup float64       // UDP: chances a datagram is dropped, or delivered twice
	links     []simLinkRule // partitions, holds and pair latencies, in the order set
	runs      []*simNet     // the runs using the network now, for changes made during them
}

// simDefaultTCPBuffer is what one direction of a connection holds unread
// unless SetTCPBuffer says otherwise.
const simDefaultTCPBuffer = 256 << 10

// NewSimNetwork returns a network with no latency in which localhost
// resolves to ::1 and then 127.0.0.1.
func NewSimNetwork() *SimNetwork {
	n := &SimNetwork{}
	n.AddHost("localhost", netip.IPv6Loopback(), netip.AddrFrom4([4]byte{127, 0, 0, 1}))
	return n
}

// AddHost makes name resolve to addrs, in this order, replacing what it
// resolved to before. Names are case-insensitive.
func (n *SimNetwork) AddHost(name string, addrs ...netip.Addr) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.hosts == nil {
		n.hosts = make(map[string][]netip.Addr)
	}
	n.hosts[simHostKey(name)] = append([]netip.Addr(nil), addrs...)
}

// SetLatency sets the one-way delay of every packet and handshake step, so a
// connect takes 2*d and data written arrives d later. Negative means 0.
func (n *SimNetwork) SetLatency(d time.Duration) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.latency = max(d, 0)
}

// Blackhole makes connects to addr never answer: they wait until their
// context is cancelled, as behind a firewall that drops packets.
func (n *SimNetwork) Blackhole(addr netip.Addr) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.blackhole == nil {
		n.blackhole = make(map[netip.Addr]bool)
	}
	n.blackhole[addr.Unmap()] = true
}

// SetTCPBuffer sets how many bytes one direction of a connection may hold
// sent and not yet read by the peer, in flight or queued (default 256 KiB;
// less than 1 means the default). A Send blocks once they are there, and
// resumes as the peer reads: a slow reader slows its writer.
func (n *SimNetwork) SetTCPBuffer(bytes int) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.tcpBuffer = bytes
}

func (n *SimNetwork) tcpBufferSize() int {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.tcpBuffer < 1 {
		return simDefaultTCPBuffer
	}
	return n.tcpBuffer
}

// Unblackhole undoes Blackhole: connects to addr are answered again.
func (n *SimNetwork) Unblackhole(addr netip.Addr) {
	n.mu.Lock()
	defer n.mu.Unlock()
	delete(n.blackhole, addr.Unmap())
}

// SetJitter makes each packet's one-way delay gain a draw in [0, d) from
// the run's seed. TCP keeps its bytes in order whatever the draws; UDP
// datagrams may overtake each other.
func (n *SimNetwork) SetJitter(d time.Duration) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.jitter = max(d, 0)
}

// SetLoss makes each UDP datagram dropped with probability p, drawn from
// the run's seed.
func (n *SimNetwork) SetLoss(p float64) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.loss = min(max(p, 0), 1)
}

// SetDuplication makes each UDP datagram that is not lost delivered twice
// with probability p, drawn from the run's seed.
func (n *SimNetwork) SetDuplication(p float64) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.dup = min(max(p, 0), 1)
}

// faults returns the jitter, loss and duplication in force.
func (n *SimNetwork) faults() (jitter time.Duration, loss, dup float64) {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.jitter, n.loss, n.dup
}

func (n *SimNetwork) lookup(name string) ([]netip.Addr, bool) {
	n.mu.Lock()
	defer n.mu.Unlock()
	addrs, ok := n.hosts[simHostKey(name)]
	return append([]netip.Addr(nil), addrs...), ok
}

func (n *SimNetwork) delay() time.Duration {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.latency
}

func (n *SimNetwork) blackholed(addr netip.Addr) bool {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.blackhole[addr.Unmap()]
}

func simHostKey(name string) string {
	return strings.ToLower(strings.TrimSuffix(name, "."))
}
