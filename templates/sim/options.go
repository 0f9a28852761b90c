package sim

import (
	"context"
	"io"
	"time"

	anyiort "github.com/anyiogen/anyiogen/runtime"
	simpick "github.com/anyiogen/anyiogen/templates/sim/pick"
	simtrace "github.com/anyiogen/anyiogen/templates/sim/trace"
)

// The keys under which the options below record their settings. Each is its
// own type so that no other package can collide with them.
type (
	simSeedKey     struct{}
	simNetworkKey  struct{}
	simWatchdogKey struct{}
)

// Seed returns a RunOption that sets the seed of a sim run (default 0). The
// seed drives every scheduling choice: the same program with the same seed
// makes the same run, event for event. Other backends ignore it.
func Seed(seed int64) anyiort.RunOption {
	return func(cfg *anyiort.RunConfig) { cfg.Set(simSeedKey{}, seed) }
}

// Network returns a RunOption that gives a sim run the simulated network n
// (default: [NewSimNetwork], which only knows localhost). A nil n means the
// default. Other backends ignore it.
func Network(n *SimNetwork) anyiort.RunOption {
	return func(cfg *anyiort.RunConfig) { cfg.Set(simNetworkKey{}, n) }
}

// NetworkFunc returns a RunOption that gives each sim run a network of its
// own, f(seed): a sweep over many seeds (Seeds, Fuzz, the determinism
// check), in parallel or not, never shares one, so the faults of one seed
// never reach another. It replaces Network, or is replaced by it, as the
// later option. Other backends ignore it.
func NetworkFunc(f func(seed int64) *SimNetwork) anyiort.RunOption {
	return func(cfg *anyiort.RunConfig) { cfg.Set(simNetworkKey{}, f) }
}

// CurrentNetwork is the simulated network of the run ctx belongs to, so
// that a body in a sweep can inject faults into its own run's network; nil
// outside a sim run.
func CurrentNetwork(ctx context.Context) *SimNetwork {
	if b, ok := anyiort.FromContext(ctx).(*simBackend); ok {
		return b.net.cfg
	}
	return nil
}

// simNetworkFor is the network of the run with seed, as the options in cfg
// give it: Network's, NetworkFunc's for the seed, or a new one.
func simNetworkFor(cfg *anyiort.RunConfig, seed int64) *SimNetwork {
	var network *SimNetwork
	switch v := cfg.Value(simNetworkKey{}).(type) {
	case *SimNetwork:
		network = v
	case func(seed int64) *SimNetwork:
		network = v(seed)
	}
	if network == nil {
		return NewSimNetwork()
	}
	return network
}

// newSimBackend builds the sim backend for one run from the options in cfg.
func newSimBackend(cfg *anyiort.RunConfig) (anyiort.Backend, error) {
	seed, _ := cfg.Value(simSeedKey{}).(int64)
	network := simNetworkFor(cfg, seed)
	watchdog, _ := cfg.Value(simWatchdogKey{}).(time.Duration)
	if watchdog <= 0 {
		watchdog = simDefaultWatchdog
	}
	input, _ := cfg.Value(simChoicesKey{}).([]byte)
	b := simBackendWith(seed, input, network, watchdog)
	policy, _ := cfg.Value(simSchedulerKey{}).(string)
	var err error
	if b.policy, err = simpick.Parse(policy); err != nil {
		return nil, err
	}
	b.policy.Start(b.rng, b.input.Byte)
	b.sometimes, _ = cfg.Value(anyiort.SometimesKey()).(func(name string, cond bool))
	b.assertions, _ = cfg.Value(anyiort.AssertionsKey()).(func(kind, name string, cond bool))
	b.programs, _ = cfg.Value(simProgramsKey{}).(map[string]simProgram)
	if w, _ := cfg.Value(simTraceKey{}).(io.Writer); w != nil {
		b.tracer = simtrace.New(w, b.now)
	}
	// Last, once every option is known good: a network belongs to the
	// first run that uses it, and a run refused for another reason has
	// not used it.
	if err := network.claim(seed); err != nil {
		return nil, err
	}
	return b, nil
}

// SimWatchdog returns a RunOption that sets how long, in wall time, a task
// of a sim run may go without reaching a scheduling point before the run
// ends with a report naming it (default 5 s). A task that long outside the
// simulator is blocked on something the simulator cannot see: a raw
// channel, a sync.Mutex, time.Sleep, the OS network. The period counts from
// the task's last scheduling point, so the same block fails the same way on
// every run. Time spent in ToThread does not count. Other backends ignore
// it.
func SimWatchdog(d time.Duration) anyiort.RunOption {
	return func(cfg *anyiort.RunConfig) { cfg.Set(simWatchdogKey{}, d) }
}
