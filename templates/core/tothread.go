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

// threadCall is one ToThread call: its state in one allocation, and the
// borrower of its limiter token (the call, not the task, so a task may
// have several calls in flight).
type threadCall[T any] struct {
	fn       func() (T, error)
	limiter  *CapacityLimiter
	done     anyiort.Waiter
	tracker  anyiort.TaskTracker // the backend, when fn runs as one of its tasks
	result   T
	err      error
	panicked *PanicError
	finished atomic.Bool
}

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
	call := &threadCall[T]{fn: fn, limiter: cfg.limiter}
	if call.limiter == nil {
		call.limiter = DefaultThreadLimiter(ctx)
	}
	if err := call.limiter.AcquireOnBehalfOf(ctx, call); err != nil {
		return zero, err
	}
	b := backendOf(ctx)
	call.done = b.NewWaiter()
	if th, ok := b.(anyiort.Threads); ok {
		th.GoThread(call.run)
	} else {
		// A goroutine counted as one of the run's tasks, so that
		// WaitAllTasksBlocked counts it as running.
		call.tracker, _ = b.(anyiort.TaskTracker)
		b.Go("ToThread", call.run)
	}
	waitCtx := ctx
	if !cfg.abandon {
		// The call waits for fn; the cancellation is seen at the next
		// checkpoint, as in AnyIO.
		waitCtx = context.WithoutCancel(ctx)
	}
	if err := call.done.Wait(waitCtx, "ToThread"); err != nil && !call.finished.Load() {
		return zero, err // abandoned: fn goes on, and its result is dropped
	}
	if call.panicked != nil {
		panic(call.panicked)
	}
	return call.result, call.err
}

// run is the thread: it calls fn, then gives the token back (held until fn
// returns, also after an abandon) and wakes the caller.
func (c *threadCall[T]) run() {
	defer func() {
		if r := recover(); r != nil {
			c.panicked = &PanicError{Task: "ToThread(" + funcName(c.fn) + ")", Value: r, Stack: debug.Stack()}
		}
		_ = c.limiter.ReleaseOnBehalfOf(c)
		c.finished.Store(true)
		c.done.Wake()
		if c.tracker != nil {
			c.tracker.TaskExited()
		}
	}()
	c.result, c.err = c.fn()
}
