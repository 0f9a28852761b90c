package core

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync/atomic"

	anyiort "github.com/anyiogen/anyiogen/runtime"
)

// SignalReceiver receives the signals it was opened for, as AnyIO's
// open_signal_receiver iterator.
type SignalReceiver struct {
	src       anyiort.SignalSource
	receiving *ResourceGuard
	closed    atomic.Bool
}

// signalsOf is the signals of ctx's backend, or an error that says the
// backend has none.
func signalsOf(ctx context.Context) (anyiort.Signals, error) {
	if err := outsideTheRun(ctx, "a signal call"); err != nil {
		return nil, err
	}
	b := backendOf(ctx)
	s, ok := b.(anyiort.Signals)
	if !ok {
		return nil, fmt.Errorf("anyio: backend %q has no signals", b.Name())
	}
	return s, nil
}

// OpenSignalReceiver starts receiving sigs: from now on each one delivered
// waits for Receive instead of having its default effect.
func OpenSignalReceiver(ctx context.Context, sigs ...os.Signal) (*SignalReceiver, error) {
	if len(sigs) == 0 {
		return nil, errors.New("anyio: OpenSignalReceiver: no signals given")
	}
	s, err := signalsOf(ctx)
	if err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	src, err := s.NotifySignals(ctx, sigs)
	if err != nil {
		return nil, fmt.Errorf("anyio: OpenSignalReceiver: %w", err)
	}
	return &SignalReceiver{src: src, receiving: NewResourceGuard("receiving signals from")}, nil
}

// Receive waits for the next signal.
func (r *SignalReceiver) Receive(ctx context.Context) (os.Signal, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if r.closed.Load() {
		return nil, ErrClosedResource
	}
	exit, err := r.receiving.Enter()
	if err != nil {
		return nil, err
	}
	defer exit()
	return r.src.Receive(ctx)
}

// Close stops receiving: the signals have their default effect again.
// Closing it again does nothing.
func (r *SignalReceiver) Close() error {
	if r.closed.Swap(true) {
		return nil
	}
	return r.src.Close()
}

// RaiseSignal sends sig to the program itself: on std to this process, on
// sim to the calling task's host, at that virtual instant.
func RaiseSignal(ctx context.Context, sig os.Signal) error {
	s, err := signalsOf(ctx)
	if err != nil {
		return err
	}
	return s.RaiseSignal(ctx, sig)
}
