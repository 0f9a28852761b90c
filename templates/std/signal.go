package std

import (
	"context"
	"os"
	"os/signal"
	"sync"

	anyiort "github.com/anyiogen/anyiogen/runtime"
)

// NotifySignals relays the operating system's signals sigs through
// os/signal.
func (b stdBackend) NotifySignals(_ context.Context, sigs []os.Signal) (anyiort.SignalSource, error) {
	s := &stdSignals{ch: make(chan os.Signal, 16), done: make(chan struct{}), run: b.run}
	signal.Notify(s.ch, sigs...)
	return s, nil
}

// RaiseSignal sends sig to this process.
func (b stdBackend) RaiseSignal(_ context.Context, sig os.Signal) error {
	p, err := os.FindProcess(os.Getpid())
	if err != nil {
		return err
	}
	defer p.Release() // a pidfd on Linux
	return p.Signal(sig)
}

// stdSignals is a channel os/signal delivers to; it holds 16 signals not
// yet received, and os/signal drops what comes past them.
type stdSignals struct {
	ch   chan os.Signal
	done chan struct{}
	once sync.Once
	run  *stdRun // counts a receive as a blocked task, for WaitAllTasksBlocked
}

func (s *stdSignals) Receive(ctx context.Context) (os.Signal, error) {
	select {
	case sig := <-s.ch:
		return sig, nil
	default:
	}
	defer s.run.blockedIn()()
	select {
	case sig := <-s.ch:
		return sig, nil
	case <-s.done:
		return nil, anyiort.ErrClosedResource
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

func (s *stdSignals) Close() error {
	s.once.Do(func() {
		signal.Stop(s.ch)
		close(s.done)
	})
	return nil
}

var _ anyiort.Signals = stdBackend{}
