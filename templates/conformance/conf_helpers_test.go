// Package conformance is the conformance suite of the portable API that
// anyiogen generates: every test states one sentence of the contract (the
// package's documentation, and AnyIO or Trio where it is silent) and checks
// it on every backend compiled into the package.
//
// The generator emits these files into a user's package, rewriting the
// qualifier "anyio." away, so every top-level name of the suite starts with
// "conf" and the API is only ever reached through that qualifier.
//
// Rules the tests keep so that they hold on a deterministic simulator as well
// as on the wall clock:
//   - Code inside a run never calls t.Fatal, t.FailNow or t.Skip (they would
//     end a task's goroutine behind the scheduler's back); bodies return
//     errors, or call t.Errorf, and confSkip asks for a skip.
//   - Code inside a run waits only through the API (anyio.Sleep, streams,
//     task groups), never on a channel that another task must close. The one
//     exception is confInGoroutine, which waits for a plain goroutine that
//     needs no scheduler to finish.
//   - Durations are tens of milliseconds; whatever must happen "promptly" must
//     happen within confPrompt, measured on the backend's own clock.
package conformance

import (
	"context"
	"errors"
	"fmt"
	"os"
	"runtime"
	"testing"
	"time"

	anyio "github.com/anyiogen/anyiogen/generated/anyio"
)

const (
	// confTick is a short wait that must really pass.
	confTick = 10 * time.Millisecond
	// confForever is a wait that a test expects to be cut short.
	confForever = 10 * time.Second
	// confPrompt bounds anything that should happen at once or after a few
	// ticks; it is generous because std runs on a shared, slow machine.
	confPrompt = 5 * time.Second
	// confRunBound bounds one whole anyio.Run of a test body.
	confRunBound = 60 * time.Second
)

// Errors that test bodies and tasks return on purpose.
var (
	errConfBoom  = errors.New("conformance: boom")
	errConfFirst = errors.New("conformance: first failure")
	errConfLater = errors.New("conformance: later failure")
)

// confEachBackend runs body once per backend compiled into the package, each
// as a subtest named after the backend, inside anyio.Run. An error returned by
// body fails the subtest; confSkip's error skips it.
func confEachBackend(t *testing.T, body func(t *testing.T, ctx context.Context) error) {
	t.Helper()
	backends := anyio.Backends()
	if len(backends) == 0 {
		t.Fatal("anyio.Backends() is empty: want at least std")
	}
	for _, name := range backends {
		t.Run(name, func(t *testing.T) {
			var variants []confVariant
			if confRunVariants != nil {
				variants = confRunVariants(name)
			}
			if len(variants) == 0 {
				confRun(t, name, body)
				return
			}
			for _, v := range variants {
				t.Run(v.name, func(t *testing.T) {
					if v.around != nil {
						v.around(t, func(t *testing.T) { confRun(t, name, body, v.opts...) })
						return
					}
					confRun(t, name, body, v.opts...)
				})
			}
		})
	}
}

// confVariant is one more way to run a backend: a name for its subtest and
// the options it adds to Run.
type confVariant struct {
	name string
	opts []anyio.RunOption
	// around, if set, runs the variant's test inside something, such as a
	// testing/synctest bubble.
	around func(t *testing.T, run func(t *testing.T))
}

// confExtraOptions, when set, gives the options every run on backend adds:
// the repository's set-up gives the simulator the programs the process
// tests run; an emitted suite leaves it nil.
var confExtraOptions func(backend string) []anyio.RunOption

// confRunVariants, when set, lists the variants each backend runs under
// instead of once with no options. The repository's own set-up sets it to
// run the simulator over several seeds; an emitted suite leaves it nil.
var confRunVariants func(backend string) []confVariant

// confRun runs body inside anyio.Run on backend and reports its error.
func confRun(t *testing.T, backend string, body func(t *testing.T, ctx context.Context) error, opts ...anyio.RunOption) {
	t.Helper()
	if confExtraOptions != nil {
		opts = append(confExtraOptions(backend), opts...)
	}
	var err error
	confBound(t, "anyio.Run on backend "+backend, func() {
		err = anyio.Run(func(ctx context.Context) error { return body(t, ctx) }, append([]anyio.RunOption{anyio.Backend(backend)}, opts...)...)
	})
	var skip *confSkipError
	switch {
	case errors.As(err, &skip):
		t.Skip(skip.reason)
	case err != nil:
		t.Errorf("on backend %s: %v", backend, err)
	}
}

// confBound runs f in a new goroutine and waits for it. An f that does not
// return within confRunBound is a hang: the goroutines are dumped and the test
// binary stops, as `go test -timeout` would, but naming the test at fault.
func confBound(t *testing.T, what string, f func()) {
	t.Helper()
	done := make(chan struct{})
	go func() {
		defer close(done)
		f()
	}()
	timer := time.NewTimer(confRunBound)
	defer timer.Stop()
	select {
	case <-done:
	case <-timer.C:
		buf := make([]byte, 1<<20)
		buf = buf[:runtime.Stack(buf, true)]
		fmt.Fprintf(os.Stderr, "%s: %s did not return within %v\n%s\n", t.Name(), what, confRunBound, buf)
		panic(fmt.Sprintf("%s: %s did not return within %v", t.Name(), what, confRunBound))
	}
}

// confSkipError asks confRun to skip the subtest.
type confSkipError struct{ reason string }

func (e *confSkipError) Error() string { return "skipped: " + e.reason }

// confSkip returns an error that makes confEachBackend skip the subtest.
func confSkip(format string, args ...any) error {
	return &confSkipError{reason: fmt.Sprintf(format, args...)}
}

// confIsCancellation reports whether err is a cancellation as the package
// defines it: errors.Is it context.Canceled or context.DeadlineExceeded.
func confIsCancellation(err error) bool {
	return errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)
}

// confIsTimeout reports whether err is FailAfter's timeout.
func confIsTimeout(err error) bool {
	return errors.Is(err, anyio.ErrTimeout) && errors.Is(err, context.DeadlineExceeded)
}

// confIsDone reports, without blocking, whether ctx.Done() is closed.
func confIsDone(ctx context.Context) bool {
	select {
	case <-ctx.Done():
		return true
	default:
		return false
	}
}

// confErrorList returns the errors that err lists through Unwrap() []error,
// or nil when it lists none.
func confErrorList(err error) []error {
	if u, ok := err.(interface{ Unwrap() []error }); ok {
		return u.Unwrap()
	}
	return nil
}

// confWaitUntil polls cond every millisecond of the backend's clock until it
// holds, giving up after confPrompt.
func confWaitUntil(ctx context.Context, what string, cond func() bool) error {
	start := anyio.Now(ctx)
	for !cond() {
		if anyio.Now(ctx).Sub(start) > confPrompt {
			return fmt.Errorf("gave up after %v waiting until %s", confPrompt, what)
		}
		if err := anyio.Sleep(ctx, time.Millisecond); err != nil {
			return fmt.Errorf("waiting until %s: %w", what, err)
		}
	}
	return nil
}

// confCheckElapsed checks that what took at least min and less than
// confPrompt.
func confCheckElapsed(what string, got, min time.Duration) error {
	if got < min {
		return fmt.Errorf("%s returned after %v, want at least %v", what, got, min)
	}
	if got >= confPrompt {
		return fmt.Errorf("%s returned after %v, want well under %v", what, got, confPrompt)
	}
	return nil
}

// confInGoroutine runs f in a new plain goroutine (not a task) and waits for
// it. Blocking here is safe on every backend because f never waits for a
// task; it stands for "another goroutine" in the contract's "safe from any
// goroutine".
func confInGoroutine(f func()) error {
	done := make(chan struct{})
	go func() {
		defer close(done)
		f()
	}()
	return confAwaitForeign(done, "a plain goroutine to finish")
}

// confAwaitForeign waits, for at most confPrompt of wall time, until ch is
// closed by a plain goroutine (never by a task) that needs no scheduler.
func confAwaitForeign(ch <-chan struct{}, what string) error {
	timer := time.NewTimer(confPrompt)
	defer timer.Stop()
	select {
	case <-ch:
		return nil
	case <-timer.C:
		return fmt.Errorf("gave up after %v waiting for %s", confPrompt, what)
	}
}
