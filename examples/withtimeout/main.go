// Withtimeout puts deadlines on a slow operation, as AnyIO's with_timeout
// example does with fail_after and move_on_after.
//
// FailAfter is the hard timeout: when its deadline cuts the body short it
// returns an error for which errors.Is(err, anyio.ErrTimeout) holds (and
// errors.Is(err, context.DeadlineExceeded) too). MoveOnAfter is the soft
// one: the body is cancelled, the error is nil, and the returned scope's
// CancelledCaught says that the deadline struck, so the caller falls back
// to a default value. An operation that finishes in time is not disturbed.
//
// The slow operation is an anyio.Sleep of one second against a timeout of
// 100ms. On the sim backend the sleeps pass on a virtual clock, so the run
// takes no real time, and the program prints the virtual time (from
// anyio.Now) at which each step ended: exactly 100ms, 200ms, 210ms.
//
// Run it with
//
//	go run ./examples/withtimeout              # std: the wall clock, ~0.2s
//	go run ./examples/withtimeout -backend sim # sim: the virtual clock
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/anyiogen/anyiogen/generated/anyio"
)

const (
	timeout = 100 * time.Millisecond
	slow    = time.Second           // far longer than timeout
	fast    = 10 * time.Millisecond // well within it
)

func main() {
	backend := flag.String("backend", anyio.BackendStd, "backend to run on: std or sim")
	seed := flag.Int64("seed", 0, "sim: the seed of the scheduler")
	flag.Parse()
	if err := run(os.Stdout, *backend, *seed); err != nil {
		fmt.Fprintln(os.Stderr, "withtimeout:", err)
		os.Exit(1)
	}
}

// run shows FailAfter and MoveOnAfter on the backend named, writing to w.
func run(w io.Writer, backend string, seed int64) error {
	opts := []anyio.RunOption{anyio.Backend(backend)}
	if backend == anyio.BackendSim {
		opts = append(opts, anyio.Seed(seed))
	}
	return anyio.Run(func(ctx context.Context) error {
		start := anyio.Now(ctx)
		// clock prints the virtual time on sim; the wall clock is not
		// deterministic, so std prints nothing.
		clock := func() string {
			if anyio.CurrentBackend(ctx) != anyio.BackendSim {
				return ""
			}
			return fmt.Sprintf(" (at %v virtual)", anyio.Now(ctx).Sub(start))
		}

		// fail_after: the timeout is an error.
		err := anyio.FailAfter(ctx, timeout, func(ctx context.Context) error {
			_, err := operation(ctx, slow)
			return err
		})
		fmt.Fprintf(w, "FailAfter: %v; errors.Is(err, anyio.ErrTimeout) = %v%s\n",
			err, errors.Is(err, anyio.ErrTimeout), clock())
		if !errors.Is(err, anyio.ErrTimeout) {
			return fmt.Errorf("FailAfter returned %v, want a timeout", err)
		}

		// move_on_after: the timeout gives the default value.
		for _, d := range []time.Duration{slow, fast} {
			result, timedOut, err := withTimeout(ctx, d)
			if err != nil {
				return err
			}
			fmt.Fprintf(w, "MoveOnAfter, %v operation: %q, timed out: %v%s\n", d, result, timedOut, clock())
		}
		return nil
	}, opts...)
}

// withTimeout returns the result of an operation that takes d, or
// "default value" when that is longer than timeout; timedOut tells which.
func withTimeout(ctx context.Context, d time.Duration) (result string, timedOut bool, err error) {
	result = "default value"
	scope, err := anyio.MoveOnAfter(ctx, timeout, func(ctx context.Context) error {
		r, err := operation(ctx, d)
		if err != nil {
			return err // the cancellation, which the scope catches
		}
		result = r
		return nil
	})
	return result, scope.CancelledCaught(), err
}

// operation is some slow work: it takes d, or returns the cancellation
// of ctx if that comes first.
func operation(ctx context.Context, d time.Duration) (string, error) {
	if err := anyio.Sleep(ctx, d); err != nil {
		return "", err
	}
	return fmt.Sprintf("computed in %v", d), nil
}
