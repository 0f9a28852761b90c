package sim

import (
	"fmt"
	"maps"
	"net/netip"
	"slices"
	"strings"
	"sync"
	"time"
)

// SimNetwork describes the simulated network of sim runs: host names, the
// one-way latency and unreachable addresses. It belongs to the first run
// that uses it (see Network and NetworkFunc). Its methods are safe for
// concurrent use. The zero value knows no names at all;
// [NewSimNetwork] knows localhost.
type SimNetwork struct {
	mu        sync.Mutex
	hosts     map[string][]netip.Addr // by lower-case name without the final dot
	latency   time.Duration
	blackhole map[netip.Addr]bool
	tcpBuffer int // 0: simDefaultTCPBuffer
	jitter    time.Duration
	loss, dup float64             // UDP: chances a datagram is dropped, or delivered twice
	links     []simLinkRule       // partitions, holds and pair latencies, in the order set
	runs      []*simNet           // the runs using the network now, for changes made during them
	owned     bool                // a run has used it: no other may
	ownerSeed int64               // that run's seed
	disks     map[string]*simDisk // each host's, by canonical name, made at first use
}

// claim makes n the network of the run with seed, unless an earlier run
// had it: a network holds a run's state (its partitions, its crashes), and
// a second run with it would inherit the first's, or share it while both
// run.
func (n *SimNetwork) claim(seed int64) error {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.owned {
		return fmt.Errorf("anyio sim: Network: this SimNetwork (hosts %s) belongs to the run with seed %d, which used it first; "+
			"a network holds one run's state: give each run its own, for instance with NetworkFunc", strings.Join(n.hostNamesLocked(), ", "), n.ownerSeed)
	}
	n.owned, n.ownerSeed = true, seed
	return nil
}

// hostNamesLocked lists the names n knows, sorted.
func (n *SimNetwork) hostNamesLocked() []string {
	return slices.Sorted(maps.Keys(n.hosts))
}

// mustKnow panics unless every end is a host n knows, by name or address: a
// fault on a misspelt host would silently do nothing.
func (n *SimNetwork) mustKnow(method string, ends ...string) {
	n.mu.Lock()
	defer n.mu.Unlock()
	for _, end := range ends {
		if n.knowsLocked(end) {
			continue
		}
		panic(fmt.Sprintf("anyio sim: SimNetwork.%s: unknown host %q (known: %s)", method, end, strings.Join(n.hostNamesLocked(), ", ")))
	}
}

// nameOfLocked is the name of the host end names, by name or by address.
func (n *SimNetwork) nameOfLocked(end string) string {
	a, err := netip.ParseAddr(end)
	if err != nil {
		return end
	}
	for _, name := range n.hostNamesLocked() {
		if slices.Contains(n.hosts[name], a.Unmap()) {
			return name
		}
	}
	return end
}

// knowsLocked reports whether end is a host's name, or an address of one.
func (n *SimNetwork) knowsLocked(end string) bool {
	a, err := netip.ParseAddr(end)
	if err != nil {
		_, ok := n.hosts[simHostKey(end)]
		return ok
	}
	for _, addrs := range n.hosts {
		if slices.Contains(addrs, a.Unmap()) {
			return true
		}
	}
	return false
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
