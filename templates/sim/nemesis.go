package sim

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	anyiort "github.com/anyiogen/anyiogen/runtime"
)

// Nemesis is a fault plan drawn from the run's seed: what RunNemesis may
// break, how often, for how long, and how a crashed host comes back.
type Nemesis struct {
	Hosts    []string      // the hosts it may hurt (default: every host added but localhost and the one it runs on)
	Faults   []Fault       // which faults it draws (default: all of them)
	Period   time.Duration // mean virtual time between faults (default 50 ms)
	Duration time.Duration // how long it injects faults; then it heals everything and stops (default 1 s)
	// Restart is called, on a task of its own, to bring a crashed host
	// back; RunNemesis waits for it to return, so it should hand the host
	// to whatever runs it (a supervisor) rather than run it. nil: crashed
	// hosts stay down.
	Restart func(ctx context.Context, host string)
}

// Fault is a kind of fault a Nemesis draws.
type Fault int

// FaultCrash crashes a host, then Restarts it after a seeded pause.
const FaultCrash Fault = 0

// FaultPartition cuts a seeded set of hosts off from the rest, then heals.
const FaultPartition Fault = 1

// FaultPartitionOneWay cuts one link one way, then heals.
const FaultPartitionOneWay Fault = 2

// FaultHold holds a link, then releases it.
const FaultHold Fault = 3

// FaultClog holds every link of one host, then releases them in a seeded
// order.
const FaultClog Fault = 4

// FaultLatency raises one link's latency for a while.
const FaultLatency Fault = 5

// FaultDiskCrash crashes a host whose disk then tears its unsynced writes
// (as DiskFaults.TornWrites does), then Restarts it after a seeded pause.
const FaultDiskCrash Fault = 6

// simAllFaults are the faults a Nemesis draws by default.
var simAllFaults = []Fault{FaultCrash, FaultPartition, FaultPartitionOneWay, FaultHold, FaultClog, FaultLatency, FaultDiskCrash}

// simStreamNemesis is the seed's stream of the nemesis's draws.
const simStreamNemesis = 0x616e79696f6e656d

// RunNemesis injects faults into the run's network on the plan nem draws
// from the run's seed (under a fuzzer, from its input): it waits a seeded
// time around Period, breaks something for a seeded while, mends it, and
// so on until Duration has passed; then it heals every link, restores
// every latency it raised, restarts every host it left down, and returns.
// Each fault is an instant in the run's trace, named as the calls that
// make it are ("crash n2", "partition [n1] | [n2 n3]"). n must be the
// run's network (see CurrentNetwork). It returns ctx's error if ctx is
// cancelled, after healing.
func (n *SimNetwork) RunNemesis(ctx context.Context, nem Nemesis) error {
	b, ok := anyiort.FromContext(ctx).(*simBackend)
	if !ok || b.net.cfg != n {
		return errors.New("anyio sim: RunNemesis: the network is not the run's (CurrentNetwork(ctx) is): a nemesis breaks the network of the sim run it runs in")
	}
	p, err := n.newNemesisPlan(b, nem)
	if err != nil {
		return err
	}
	end := b.Now().Add(p.nem.Duration)
	for {
		wait := p.between()
		if b.Now().Add(wait).After(end) {
			break
		}
		if err := p.sleep(ctx, wait); err != nil {
			return p.heal(ctx, err)
		}
		undo := p.inject(ctx)
		err := p.sleep(ctx, min(p.lasting(), end.Sub(b.Now())))
		undo()
		if err != nil {
			return p.heal(ctx, err)
		}
	}
	return p.heal(ctx, ctx.Err())
}

// simNemesisPlan is a RunNemesis under way.
type simNemesisPlan struct {
	n      *SimNetwork
	b      *simBackend
	nem    Nemesis
	rng    *rand.Rand
	down   []string      // crashed hosts not yet restarted
	raised []simRaised   // latencies it raised, with what they were
	mine   []simLinkRule // the cut and hold rules it added and has not removed
}

// simRaised is a link latency the nemesis raised, and the pair's own
// latency before, if it had one.
type simRaised struct {
	a, b   string
	was    time.Duration
	hadOwn bool
}

func (n *SimNetwork) newNemesisPlan(b *simBackend, nem Nemesis) (*simNemesisPlan, error) {
	// The host the nemesis runs on is not its to crash: it would freeze
	// itself, with everything still broken.
	own := "localhost"
	if h := b.currentHost(); h != nil {
		own = h.name
	}
	if nem.Hosts == nil {
		n.mu.Lock()
		nem.Hosts = slices.DeleteFunc(n.hostNamesLocked(), func(h string) bool { return h == "localhost" || h == own })
		n.mu.Unlock()
	}
	n.mustKnow("RunNemesis", nem.Hosts...)
	if own != "localhost" && slices.Contains(nem.Hosts, own) {
		return nil, fmt.Errorf("anyio sim: RunNemesis: it runs on host %s, which it would crash with itself on it: run it from another host, or leave %s out of Hosts", own, own)
	}
	if nem.Faults == nil {
		nem.Faults = simAllFaults
	}
	crashesOnly := !slices.ContainsFunc(nem.Faults, func(f Fault) bool { return f != FaultCrash && f != FaultDiskCrash })
	switch {
	case len(nem.Hosts) == 0:
		return nil, errors.New("anyio sim: RunNemesis: no host to hurt")
	case len(nem.Hosts) < 2 && !crashesOnly:
		return nil, fmt.Errorf("anyio sim: RunNemesis: 1 host to hurt (%s); a fault of a link needs two (crashes alone need one)", nem.Hosts[0])
	}
	if nem.Period <= 0 {
		nem.Period = 50 * time.Millisecond
	}
	if nem.Duration <= 0 {
		nem.Duration = time.Second
	}
	b.mu.Lock()
	rng := b.stream(simStreamNemesis)
	b.mu.Unlock()
	return &simNemesisPlan{n: n, b: b, nem: nem, rng: rng}, nil
}

// between is a seeded wait before the next fault, Period on average.
func (p *simNemesisPlan) between() time.Duration {
	return p.nem.Period/2 + time.Duration(p.rng.Int64N(int64(p.nem.Period)))
}

// lasting is how long a fault lasts, seeded, Period on average.
func (p *simNemesisPlan) lasting() time.Duration { return p.between() }

func (p *simNemesisPlan) sleep(ctx context.Context, d time.Duration) error {
	w := p.b.NewWaiter()
	tm := p.b.AfterFunc(d, w.Wake)
	defer tm.Stop()
	return w.Wait(ctx, "RunNemesis: until the next fault")
}

// host and pair are seeded draws of the hosts to hurt.
func (p *simNemesisPlan) host() string { return p.nem.Hosts[p.rng.IntN(len(p.nem.Hosts))] }

func (p *simNemesisPlan) pair() (string, string) {
	i := p.rng.IntN(len(p.nem.Hosts))
	j := (i + 1 + p.rng.IntN(len(p.nem.Hosts)-1)) % len(p.nem.Hosts)
	return p.nem.Hosts[i], p.nem.Hosts[j]
}

// inject breaks something, drawn from the plan's faults, and returns what
// mends it.
func (p *simNemesisPlan) inject(ctx context.Context) (undo func()) {
	switch f := p.nem.Faults[p.rng.IntN(len(p.nem.Faults))]; f {
	case FaultCrash, FaultDiskCrash:
		h := p.host()
		p.n.crashHost(h, f == FaultDiskCrash)
		if !slices.Contains(p.down, h) {
			p.down = append(p.down, h)
		}
		return func() { p.restart(ctx, h) }
	case FaultPartition:
		return p.partition()
	case FaultPartitionOneWay:
		a, b := p.pair()
		rules := p.add("partition "+a+" → "+b, simLinkRule{kind: simLinkCut, from: simHostKey(a), to: simHostKey(b)})
		return func() { p.remove("heal "+a+" → "+b, rules) }
	case FaultHold:
		a, b := p.pair()
		rules := p.add("hold "+a+" | "+b, bothWays(simLinkHold, a, b)...)
		return func() { p.remove("release "+a+" | "+b, rules) }
	case FaultClog:
		return p.clog()
	default: // FaultLatency
		a, b := p.pair()
		r := simRaised{a: a, b: b}
		r.was, r.hadOwn = p.n.pairLatency(a, b)
		p.n.changeLinks("latency "+a+" | "+b+" "+p.nem.Period.String(), func() { p.n.setPairLatencyLocked(a, b, p.nem.Period) })
		p.raised = append(p.raised, r)
		return func() { p.lower(r) }
	}
}

// bothWays is a rule of kind between a and b, each way.
func bothWays(kind simLinkKind, a, b string) []simLinkRule {
	return []simLinkRule{{kind: kind, from: simHostKey(a), to: simHostKey(b)}, {kind: kind, from: simHostKey(b), to: simHostKey(a)}}
}

// add adds rules as one fault named name, and returns those that were
// not there already: only they are the plan's to remove.
func (p *simNemesisPlan) add(name string, rules ...simLinkRule) (added []simLinkRule) {
	p.n.changeLinks(name, func() {
		for _, r := range rules {
			if !slices.Contains(p.n.links, r) {
				p.n.links = append(p.n.links, r)
				added = append(added, r)
			}
		}
	})
	p.mine = append(p.mine, added...)
	return added
}

// remove takes out rules the plan added, as one change named name.
func (p *simNemesisPlan) remove(name string, rules []simLinkRule) {
	p.n.changeLinks(name, func() {
		p.n.links = slices.DeleteFunc(p.n.links, func(r simLinkRule) bool { return slices.Contains(rules, r) })
	})
	p.mine = slices.DeleteFunc(p.mine, func(r simLinkRule) bool { return slices.Contains(rules, r) })
}

// partition cuts a seeded, non-empty, proper subset of the hosts off from
// the rest, both ways, as one fault.
func (p *simNemesisPlan) partition() (undo func()) {
	hosts := slices.Clone(p.nem.Hosts)
	p.rng.Shuffle(len(hosts), func(i, j int) { hosts[i], hosts[j] = hosts[j], hosts[i] })
	k := 1 + p.rng.IntN(len(hosts)-1)
	side, rest := slices.Sorted(slices.Values(hosts[:k])), slices.Sorted(slices.Values(hosts[k:]))
	name := "[" + strings.Join(side, " ") + "] | [" + strings.Join(rest, " ") + "]"
	var rules []simLinkRule
	for _, a := range side {
		for _, b := range rest {
			rules = append(rules, bothWays(simLinkCut, a, b)...)
		}
	}
	added := p.add("partition "+name, rules...)
	return func() { p.remove("heal "+name, added) }
}

// clog holds every link of one host, and releases them in a seeded order.
func (p *simNemesisPlan) clog() (undo func()) {
	h := p.host()
	others := slices.DeleteFunc(slices.Clone(p.nem.Hosts), func(o string) bool { return o == h })
	var rules []simLinkRule
	for _, o := range others {
		rules = append(rules, bothWays(simLinkHold, h, o)...)
	}
	added := p.add("clog "+h, rules...)
	return func() {
		p.rng.Shuffle(len(others), func(i, j int) { others[i], others[j] = others[j], others[i] })
		for _, o := range others {
			link := bothWays(simLinkHold, h, o)
			p.remove("release "+h+" | "+o, slices.DeleteFunc(slices.Clone(added), func(r simLinkRule) bool { return !slices.Contains(link, r) }))
		}
	}
}

// lower takes back a latency the plan raised: the pair's own, if it had
// one, else the network's.
func (p *simNemesisPlan) lower(r simRaised) {
	p.n.changeLinks("latency "+r.a+" | "+r.b+" back", func() {
		if r.hadOwn {
			p.n.setPairLatencyLocked(r.a, r.b, r.was)
		} else {
			p.n.dropRulesLocked(r.a, r.b, simLinkLatency)
		}
	})
	p.raised = slices.DeleteFunc(p.raised, func(x simRaised) bool { return x == r })
}

// pairLatency is the latency SetLinkLatency set from a to b, if any.
func (n *SimNetwork) pairLatency(a, b string) (time.Duration, bool) {
	n.mu.Lock()
	defer n.mu.Unlock()
	for _, r := range n.links {
		if r.kind == simLinkLatency && r.from == simHostKey(a) && r.to == simHostKey(b) {
			return r.latency, true
		}
	}
	return 0, false
}

// restart brings a crashed host back through Restart, on a task of its
// own, waited for.
func (p *simNemesisPlan) restart(ctx context.Context, h string) {
	p.down = slices.DeleteFunc(p.down, func(d string) bool { return d == h })
	if p.nem.Restart == nil {
		return
	}
	done := p.b.NewWaiter()
	p.b.Go("nemesis restart "+h, func() {
		defer done.Wake()
		p.nem.Restart(context.WithoutCancel(ctx), h)
	})
	_ = done.Wait(context.WithoutCancel(ctx), "RunNemesis: Restart of "+h)
}

// heal mends everything the plan left broken and returns err.
func (p *simNemesisPlan) heal(ctx context.Context, err error) error {
	p.remove("heal all", slices.Clone(p.mine))
	for _, r := range slices.Clone(p.raised) {
		p.lower(r)
	}
	for _, h := range slices.Clone(p.down) {
		p.restart(ctx, h)
	}
	return err
}
