package sim

import (
	"context"
	"os"
	"slices"

	anyiort "github.com/anyiogen/anyiogen/runtime"
)

// NotifySignals opens a receiver of sigs on the calling task's host.
func (b *simBackend) NotifySignals(_ context.Context, sigs []os.Signal) (anyiort.SignalSource, error) {
	r := &simSignalReceiver{n: b.net, host: b.hostName(), sigs: slices.Clone(sigs)}
	b.net.mu.Lock()
	b.net.signals = append(b.net.signals, r)
	b.net.mu.Unlock()
	return r, nil
}

// RaiseSignal delivers sig to the calling task's host, at once.
func (b *simBackend) RaiseSignal(ctx context.Context, sig os.Signal) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	b.net.signal(b.hostName(), sig)
	b.Yield()
	return nil
}

func (r *simSignalReceiver) Receive(ctx context.Context) (os.Signal, error) {
	var w anyiort.Waiter
	for {
		r.n.mu.Lock()
		switch {
		case r.closed:
			r.n.mu.Unlock()
			return nil, anyiort.ErrClosedResource
		case len(r.queue) > 0:
			sig := r.queue[0]
			r.queue = r.queue[1:]
			r.n.mu.Unlock()
			return sig, nil
		}
		if err := r.n.waitInLocked(ctx, &r.readers, &w, "signal receiver on "+r.host); err != nil {
			return nil, err
		}
	}
}

func (r *simSignalReceiver) Close() error {
	r.n.mu.Lock()
	defer r.n.mu.Unlock()
	r.closed = true
	simWakeAll(&r.readers)
	r.n.signals = slices.DeleteFunc(r.n.signals, func(x *simSignalReceiver) bool { return x == r })
	return nil
}

var _ anyiort.Signals = (*simBackend)(nil)
