package sim

import (
	"context"

	anyiort "github.com/anyiogen/anyiogen/runtime"
)

// Sometimes records that the condition named name was cond at this point of
// a sim run: a Seeds sweep of the test helper in which no run saw it true
// fails, naming it, as Antithesis's "sometimes" assertions do. It states
// that a path is reachable (a retry happened, a leader changed), so that a
// sweep too small or a fault too rare to reach it does not pass unnoticed.
// Outside such a sweep, and on std, it does nothing.
func Sometimes(ctx context.Context, cond bool, name string) {
	if !anyiort.OneAtATimeRunning() {
		return
	}
	if r, ok := anyiort.FromContext(ctx).(anyiort.SometimesRecorder); ok {
		r.Sometimes(name, cond)
	}
}

// Sometimes implements anyiort.SometimesRecorder.
func (b *simBackend) Sometimes(name string, cond bool) {
	if b.sometimes != nil {
		b.sometimes(name, cond)
	}
}

var _ anyiort.SometimesRecorder = (*simBackend)(nil)

// OnSometimes returns a RunOption through which a sim run reports every
// Sometimes call to f, in the run's goroutines; f must be safe for
// concurrent use when runs are. The test helper's Seeds uses it to find
// names never seen true. Other backends ignore it.
func OnSometimes(f func(name string, cond bool)) anyiort.RunOption {
	return func(cfg *anyiort.RunConfig) { cfg.Set(anyiort.SometimesKey(), f) }
}
