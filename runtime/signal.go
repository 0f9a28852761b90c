package anyiort

import (
	"context"
	"os"
)

// Signals is implemented by backends that deliver signals to the program
// (Version4): the operating system's, or a simulated host's.
type Signals interface {
	// NotifySignals delivers the signals sigs to the returned source from
	// now on, until it is closed.
	NotifySignals(ctx context.Context, sigs []os.Signal) (SignalSource, error)
	// RaiseSignal sends sig to the program itself (on a simulated backend,
	// to the calling task's host).
	RaiseSignal(ctx context.Context, sig os.Signal) error
}

// SignalSource is where a backend delivers signals.
type SignalSource interface {
	// Receive waits for the next signal delivered. A cancelled ctx ends it
	// with ctx.Err(); Close ends it with ErrClosedResource.
	Receive(ctx context.Context) (os.Signal, error)
	// Close stops the delivery; later calls return ErrClosedResource.
	Close() error
}
