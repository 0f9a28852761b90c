package sim

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/anyiogen/anyiogen/internal/leaktest"
	anyiort "github.com/anyiogen/anyiogen/runtime"
)

// TestMain proves that no run leaves a goroutine or a descriptor behind.
func TestMain(m *testing.M) { leaktest.Main(m) }

// simTestTimeout bounds every blocking wait in the tests.
const simTestTimeout = 10 * time.Second

// simRunOutcome is how a Run ended.
type simRunOutcome struct {
	err      error
	panicked bool
	value    any // what Run panicked with
}

// simTestRun runs main as the first task of a fresh sim run with opts and
// reports how Run ended. It fails the test if Run does not return in time.
func simTestRun(t testing.TB, main func(b *simBackend) error, opts ...anyiort.RunOption) simRunOutcome {
	t.Helper()
	b := simTestBackend(t, opts...)
	done := make(chan simRunOutcome, 1)
	go func() {
		o := simRunOutcome{panicked: true}
		defer func() {
			if o.panicked {
				o.value = recover()
			}
			done <- o
		}()
		o.err = b.Run(func() error { return main(b) })
		o.panicked = false
	}()
	select {
	case o := <-done:
		return o
	case <-time.After(simTestTimeout):
		t.Fatalf("Run did not return within %v", simTestTimeout)
		return simRunOutcome{}
	}
}

// simTestBackend makes the sim backend of one run with opts.
func simTestBackend(t testing.TB, opts ...anyiort.RunOption) *simBackend {
	t.Helper()
	cfg := &anyiort.RunConfig{Backend: BackendSim}
	for _, o := range opts {
		o(cfg)
	}
	be, err := newSimBackend(cfg)
	if err != nil {
		t.Fatalf("newSimBackend: %v", err)
	}
	return be.(*simBackend)
}

// simMustRun is simTestRun for runs that must return without panicking.
func simMustRun(t testing.TB, main func(b *simBackend) error, opts ...anyiort.RunOption) error {
	t.Helper()
	o := simTestRun(t, main, opts...)
	if o.panicked {
		t.Fatalf("Run panicked: %v", o.value)
	}
	return o.err
}

// simWatchdogOpt shortens the misuse watchdog.
func simWatchdogOpt(d time.Duration) anyiort.RunOption {
	return func(cfg *anyiort.RunConfig) { cfg.Set(simWatchdogKey{}, d) }
}

// simSleep is what the core's Sleep does: a timer that wakes a waiter.
func simSleep(ctx context.Context, b *simBackend, d time.Duration) error {
	w := b.NewWaiter()
	tm := b.AfterFunc(d, w.Wake)
	err := w.Wait(ctx, "sleep "+d.String())
	if err != nil {
		tm.Stop()
	}
	return err
}

// simElapsed is the virtual time since the run began.
func simElapsed(b *simBackend) time.Duration { return b.Now().Sub(simEpoch) }

// simTestScope is a cancel scope's context as the core makes it: it
// implements anyiort.CancelNotifier and calls the callbacks synchronously in
// the goroutine that cancels.
type simTestScope struct {
	context.Context
	done chan struct{}

	mu   sync.Mutex
	err  error
	fns  map[int]func()
	next int
}

func simNewTestScope() *simTestScope {
	return &simTestScope{Context: context.Background(), done: make(chan struct{}), fns: map[int]func(){}}
}

func (s *simTestScope) Done() <-chan struct{} { return s.done }

func (s *simTestScope) Err() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.err
}

func (s *simTestScope) Value(key any) any {
	if key == anyiort.NotifierKey() {
		return s
	}
	return s.Context.Value(key)
}

func (s *simTestScope) NotifyCancel(f func()) (stop func() bool) {
	s.mu.Lock()
	if s.err != nil {
		s.mu.Unlock()
		f()
		return func() bool { return false }
	}
	id := s.next
	s.next++
	s.fns[id] = f
	s.mu.Unlock()
	return func() bool {
		s.mu.Lock()
		defer s.mu.Unlock()
		_, ok := s.fns[id]
		delete(s.fns, id)
		return ok
	}
}

// cancel cancels the scope and runs the callbacks in registration order.
func (s *simTestScope) cancel() {
	s.mu.Lock()
	if s.err != nil {
		s.mu.Unlock()
		return
	}
	s.err = context.Canceled
	close(s.done)
	var fns []func()
	for id := range s.next {
		if f, ok := s.fns[id]; ok {
			fns = append(fns, f)
		}
	}
	s.fns = map[int]func(){}
	s.mu.Unlock()
	for _, f := range fns {
		f()
	}
}

// registered is how many callbacks are still registered.
func (s *simTestScope) registered() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.fns)
}

var _ anyiort.CancelNotifier = (*simTestScope)(nil)
