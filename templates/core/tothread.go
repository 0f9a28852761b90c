package core

import (
	"context"
	"runtime/debug"
	"sync/atomic"

	anyiort "github.com/anyiogen/anyiogen/runtime"
)

// ThreadOption configures ToThread.
type ThreadOption func(*threadConfig)

type threadConfig struct {
	abandon bool
	limiter *CapacityLimiter
}

// AbandonOnCancel makes ToThread return at once when its ctx is cancelled,
// dropping fn's result.
func AbandonOnCancel() ThreadOption { return func(c *threadConfig) { c.abandon = true } }

// Limiter makes ToThread hold a token of l, instead of the run's default
// limiter, while fn runs.
func Limiter(l *CapacityLimiter) ThreadOption { return func(c *threadConfig) { c.limiter = l } }

// defaultThreadLimiterKey is this copy's key for the default limiter a run
// keeps.
type defaultThreadLimiterKey struct{}

// defaultThreadTokens is AnyIO's default: 40 threads at once.
const defaultThreadTokens = 40

// DefaultThreadLimiter returns the run's limiter of ToThread calls.
func DefaultThreadLimiter(ctx context.Context) *CapacityLimiter {
	run := anyiort.RunOf(ctx)
	return run.Value(defaultThreadLimiterKey{}, func() any { return NewCapacityLimiter(defaultThreadTokens) }).(*CapacityLimiter)
}

// threadCall is the borrower of one ToThread call: the call, not the task,
// so a task may have several calls in flight.
type threadCall struct{ _ byte }

// ToThread runs fn outside the run's tasks and returns its result.
func ToThread[T any](ctx context.Context, fn func() (T, error), opts ...ThreadOption) (T, error) {
	var zero T
	if err := ctx.Err(); err != nil {
		return zero, err // fn never runs
	}
	var cfg threadConfig
	for _, opt := range opts {
		opt(&cfg)
	}
	limiter := cfg.limiter
	if limiter == nil {
		limiter = DefaultThreadLimiter(ctx)
	}
	call := &threadCall{}
	if err := limiter.AcquireOnBehalfOf(ctx, call); err != nil {
		return zero, err
	}
	b := backendOf(ctx)
	done := b.NewWaiter()
	var (
		result   T
		err      error
		panicked *PanicError
		finished atomic.Bool
	)
	runThread(b, func() {
		defer func() {
			if r := recover(); r != nil {
				panicked = &PanicError{Task: "ToThread(" + funcName(fn) + ")", Value: r, Stack: debug.Stack()}
			}
			// The token is held until fn returns, also after an abandon.
			_ = limiter.ReleaseOnBehalfOf(call)
			finished.Store(true)
			done.Wake()
		}()
		result, err = fn()
	})
	waitCtx := ctx
	if !cfg.abandon {
		// The call waits for fn; the cancellation is seen at the next
		// checkpoint, as in AnyIO.
		waitCtx = context.WithoutCancel(ctx)
	}
	if werr := done.Wait(waitCtx, "ToThread: waiting for "+funcName(fn)); werr != nil && !finished.Load() {
		return zero, werr // abandoned: fn goes on, and its result is dropped
	}
	if panicked != nil {
		panic(panicked)
	}
	return result, err
}

// runThread runs fn outside the run's tasks: through the backend, when it
// must see threads (a simulated one), else in a goroutine counted as one
// of the run's tasks, so that WaitAllTasksBlocked counts it as running.
func runThread(b anyiort.Backend, fn func()) {
	if th, ok := b.(anyiort.Threads); ok {
		th.GoThread(fn)
		return
	}
	tracker, _ := b.(anyiort.TaskTracker)
	b.Go("ToThread", func() {
		if tracker != nil {
			defer tracker.TaskExited()
		}
		fn()
	})
}
