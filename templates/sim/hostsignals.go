package sim

import (
	"fmt"
	"os"
	"slices"
	"syscall"

	anyiort "github.com/anyiogen/anyiogen/runtime"
)

// Signals. A host's signal receivers are those its tasks opened; a signal
// sent to a host (SimNetwork.Signal, or RaiseSignal from one of its tasks)
// reaches each receiver of its that asked for it, at that virtual instant.
// A signal nobody receives is dropped, and a crash closes the host's
// receivers.

// simSignalReceiver is one OpenSignalReceiver's, on a host. Guarded by
// simNet.mu.
type simSignalReceiver struct {
	n       *simNet
	host    string // canonical name
	sigs    []os.Signal
	queue   []os.Signal
	closed  bool
	readers []anyiort.Waiter
}

// Signal delivers sig to host's signal receivers (OpenSignalReceiver) at
// this virtual instant; a host no AddHost gave panics. With no receiver
// for sig on host, nothing happens. Called outside a run it does nothing.
func (n *SimNetwork) Signal(host string, sig os.Signal) {
	n.mustKnow("Signal", host)
	n.admitCaller()
	n.mu.Lock()
	host = simHostKey(n.nameOfLocked(host))
	runs := n.activeRunsLocked()
	n.mu.Unlock()
	for _, net := range runs {
		net.signal(host, sig)
	}
}

// signal delivers sig to the receivers of the host called name.
func (n *simNet) signal(name string, sig os.Signal) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.b.tracing() {
		n.b.mu.Lock()
		n.b.traceInstantLocked("fault", "signal "+simSignalName(sig)+" "+name)
		n.b.mu.Unlock()
	}
	for _, r := range n.signals {
		if r.host == name && !r.closed && slices.Contains(r.sigs, sig) {
			r.queue = append(r.queue, sig)
			simWakeAll(&r.readers)
		}
	}
}

// closeSignalsLocked closes the receivers of the host called name, which
// crashed.
func (n *simNet) closeSignalsLocked(name string) {
	n.signals = slices.DeleteFunc(n.signals, func(r *simSignalReceiver) bool {
		if r.host == name {
			r.closed = true
			simWakeAll(&r.readers)
		}
		return r.closed
	})
}

// simSignalName is how the trace names sig: SIGTERM rather than
// "terminated".
func simSignalName(sig os.Signal) string {
	names := map[syscall.Signal]string{
		syscall.SIGHUP: "SIGHUP", syscall.SIGINT: "SIGINT", syscall.SIGQUIT: "SIGQUIT", syscall.SIGKILL: "SIGKILL", syscall.SIGTERM: "SIGTERM",
	}
	if s, ok := sig.(syscall.Signal); ok {
		if name, ok := names[s]; ok {
			return name
		}
		return fmt.Sprintf("signal %d", int(s))
	}
	return sig.String()
}
