package sim

import (
	"context"
	"fmt"
	"time"

	anyiort "github.com/anyiogen/anyiogen/runtime"
)

// Assertions in code under test, as Antithesis's and FoundationDB's: two
// judged by the run (Always, Unreachable), two by a sweep of runs
// (Sometimes, Reachable), which hears each call through the function a
// test helper left under anyiort.AssertionsKey. Outside a sim run each
// costs one branch.

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
	b := anyiort.FromContext(ctx)
	if r, ok := b.(anyiort.SometimesRecorder); ok {
		r.Sometimes(name, cond)
	}
	if r, ok := b.(anyiort.AssertionRecorder); ok {
		r.Assertion("sometimes", name, cond)
	}
}

// Always states that cond holds whenever the run gets here: a sim run in
// which it is false ends at once with an error naming it and the task.
// On std it does nothing.
func Always(ctx context.Context, cond bool, name string) { assert(ctx, "always", name, cond) }

// Reachable states that some run of a sweep gets here: a Seeds sweep that
// never does fails under -anyio.assertions=strict. On std it does
// nothing.
func Reachable(ctx context.Context, name string) { assert(ctx, "reachable", name, true) }

// Unreachable states that no run gets here: a sim run that does ends at
// once with an error naming it and the task. On std it does nothing.
func Unreachable(ctx context.Context, name string) { assert(ctx, "unreachable", name, false) }

func assert(ctx context.Context, kind, name string, cond bool) {
	if !anyiort.OneAtATimeRunning() {
		return
	}
	if r, ok := anyiort.FromContext(ctx).(anyiort.AssertionRecorder); ok {
		r.Assertion(kind, name, cond)
	}
}

// Sometimes implements anyiort.SometimesRecorder.
func (b *simBackend) Sometimes(name string, cond bool) {
	if b.sometimes != nil {
		b.sometimes(name, cond)
	}
}

// Assertion implements anyiort.AssertionRecorder: a false Always and a
// reached Unreachable end the run; every call goes to the test helper's
// function.
func (b *simBackend) Assertion(kind, name string, cond bool) {
	if b.assertions != nil {
		b.assertions(kind, name, cond)
	}
	if cond || (kind != "always" && kind != "unreachable") {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	what := fmt.Sprintf("Always(ctx, cond, %q) was false", name)
	if kind == "unreachable" {
		what = fmt.Sprintf("Unreachable(ctx, %q) was reached", name)
	}
	b.failLocked(&simAssertionError{task: b.current, what: what, at: b.clockLocked().Sub(simEpoch)})
}

// simAssertionError is the end of a run that broke an assertion.
type simAssertionError struct {
	task *simTask
	what string
	at   time.Duration // since the run began
}

func (e *simAssertionError) Error() string {
	who := ""
	if e.task != nil {
		who = " in task " + e.task.label()
	}
	return fmt.Sprintf("anyio sim: %s%s at %v", e.what, who, e.at)
}

var (
	_ anyiort.SometimesRecorder = (*simBackend)(nil)
	_ anyiort.AssertionRecorder = (*simBackend)(nil)
)

// OnSometimes returns a RunOption through which a sim run reports every
// Sometimes call to f, in the run's goroutines; f must be safe for
// concurrent use when runs are. Other backends ignore it.
func OnSometimes(f func(name string, cond bool)) anyiort.RunOption {
	return func(cfg *anyiort.RunConfig) { cfg.Set(anyiort.SometimesKey(), f) }
}

// OnAssertion returns a RunOption through which a sim run reports every
// assertion (Always, Sometimes, Reachable, Unreachable) to f with its kind
// ("always", "sometimes", "reachable", "unreachable"), name and condition,
// in the run's goroutines; f must be safe for concurrent use when runs
// are. The test helper's Seeds uses it to judge a sweep. Other backends
// ignore it.
func OnAssertion(f func(kind, name string, cond bool)) anyiort.RunOption {
	return func(cfg *anyiort.RunConfig) { cfg.Set(anyiort.AssertionsKey(), f) }
}
