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
	s := &stdSignals{ch: make(chan os.Signal, 16), done: make(chan struct{}), run: b.run, sigs: sigs}
	stdWatched.add(sigs, 1)
	signal.Notify(s.ch, sigs...)
	return s, nil
}

// RaiseSignal sends sig to this process. When a receiver of this package
// watches sig, it returns only once os/signal has handed sig to the
// receivers, so two signals raised one after the other reach them in that
// order: the kernel may otherwise deliver them to two threads at once, and
// os/signal takes pending signals lowest number first. An unwatched signal
// is only sent, so that it has its default effect.
func (b stdBackend) RaiseSignal(ctx context.Context, sig os.Signal) error {
	p, err := os.FindProcess(os.Getpid())
	if err != nil {
		return err
	}
	defer p.Release() // a pidfd on Linux
	if !stdWatched.has(sig) {
		return p.Signal(sig)
	}
	// os/signal hands one signal to all its channels in one step, so once
	// this one has it, so do the receivers'.
	arrived := make(chan os.Signal, 1)
	signal.Notify(arrived, sig)
	defer signal.Stop(arrived)
	if err := p.Signal(sig); err != nil {
		return err
	}
	select {
	case <-arrived:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// stdWatched counts, per signal, the receivers of this process that watch
// it.
var stdWatched stdSignalCounts

type stdSignalCounts struct {
	mu sync.Mutex
	n  map[os.Signal]int
}

func (c *stdSignalCounts) add(sigs []os.Signal, d int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.n == nil {
		c.n = make(map[os.Signal]int)
	}
	for _, sig := range sigs {
		if c.n[sig] += d; c.n[sig] <= 0 {
			delete(c.n, sig)
		}
	}
}

func (c *stdSignalCounts) has(sig os.Signal) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n[sig] > 0
}

// stdSignals is a channel os/signal delivers to; it holds 16 signals not
// yet received, and os/signal drops what comes past them.
type stdSignals struct {
	ch   chan os.Signal
	done chan struct{}
	once sync.Once
	run  *stdRun // counts a receive as a blocked task, for WaitAllTasksBlocked
	sigs []os.Signal
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
		stdWatched.add(s.sigs, -1)
		close(s.done)
	})
	return nil
}

var _ anyiort.Signals = stdBackend{}
