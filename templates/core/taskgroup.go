package core

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"

	anyiort "github.com/anyiogen/anyiogen/runtime"
)

// TaskGroup runs tasks that all end before WithTaskGroup returns.
type TaskGroup struct {
	scope   *CancelScope
	sctx    *scopeCtx // the scope's context: every task's context wraps it
	backend anyiort.Backend
	starter anyiort.TaskStarter // the backend, if it labels tasks itself
	run     *anyiort.Run        // the run its tasks belong to
	owner   int64               // the ID of the task that entered the group

	tracker anyiort.TaskTracker // the backend, if it counts its tasks

	// closed is set once the body and every task returned (no more
	// tasks); active counts the tasks started and not yet returned.
	// Atomics, so that starting and ending a task takes no lock, and
	// active on a cache line of its own: every task's end writes it while
	// StartSoon reads the fields above.
	closed  atomic.Bool
	waiting atomic.Pointer[anyiort.Waiter] // the host's, while it waits
	_       [64]byte
	active  atomic.Int64
	_       [56]byte

	mu        sync.Mutex  // guards every field below
	errs      []error     // reported errors, in the order they happened
	cancelled bool        // the body or a task returned the group's cancellation
	panic     *PanicError // the first panic of a task
}

// TaskOption configures a task.
type TaskOption func(*taskOptions)

type taskOptions struct{ name string }

func taskOpts(opts []TaskOption) taskOptions {
	if len(opts) == 0 {
		return taskOptions{} // o would escape to the heap through opt(&o)
	}
	var o taskOptions
	for _, opt := range opts {
		opt(&o)
	}
	return o
}

// Name names a task, for PanicError and diagnostics.
func Name(name string) TaskOption { return func(o *taskOptions) { o.name = name } }

// WithTaskGroup runs body with a new task group and waits for every task.
func WithTaskGroup(ctx context.Context, body func(ctx context.Context, tg *TaskGroup) error) error {
	tg := &TaskGroup{scope: NewCancelScope(), run: anyiort.RunOf(ctx), owner: anyiort.TaskOf(ctx).Info().ID}
	var bodyPanic any
	err := tg.scope.Run(ctx, func(gctx context.Context) error {
		tg.sctx, tg.backend = gctx.(*scopeCtx), backendOf(gctx)
		tg.starter, _ = tg.backend.(anyiort.TaskStarter)
		tg.tracker, _ = tg.backend.(anyiort.TaskTracker)
		bodyPanic = tg.runBody(body)
		if !tg.wait() {
			// Exiting is a scheduling point even for a group that never
			// waited, as in Trio and AnyIO: a task started on an
			// enclosing group gets to run.
			tg.backend.Yield()
		}
		if len(tg.errs) == 0 && tg.cancelled {
			// Only cancellations were returned: the scope catches its own.
			return gctx.Err()
		}
		// A group whose body and tasks all returned nil returns nil, even
		// when cancelled from outside: nothing there saw the cancellation.
		return nil
	})
	if bodyPanic != nil {
		panic(bodyPanic)
	}
	if tg.panic != nil {
		panic(tg.panic)
	}
	switch len(tg.errs) {
	case 0:
		return err
	case 1:
		return tg.errs[0]
	}
	return errors.Join(tg.errs...)
}

// runBody runs body as the group's host. Its context is the group's scope
// inside the context of the task that entered the group, so the body keeps
// that task's identity. A panic cancels the group and is raised again once
// every task has returned.
func (tg *TaskGroup) runBody(body func(ctx context.Context, tg *TaskGroup) error) (panicked any) {
	returned := false
	defer func() {
		if r := recover(); r != nil {
			panicked = r
			tg.scope.Cancel()
		} else if !returned {
			// runtime.Goexit (t.FailNow, say): no task may outlive the
			// group, so cancel them and wait before the goroutine ends.
			tg.scope.Cancel()
			tg.wait()
		}
	}()
	tg.taskReturned(body(tg.sctx, tg))
	returned = true
	return nil
}

// StartSoon starts fn as a task of the group.
func (tg *TaskGroup) StartSoon(fn func(ctx context.Context) error, opts ...TaskOption) {
	o := taskOpts(opts)
	tg.add()
	tc := tg.newTask(o.name, fn, tg.owner)
	tg.goTask(tc, func() { tg.runTask(tc, fn) })
}

const errClosedGroup = "anyio: StartSoon or Start called on a task group that has already exited; " +
	"start tasks only while WithTaskGroup's body or one of the group's tasks is running"

func (tg *TaskGroup) add() {
	// A task starts tasks only while it runs, so active is above zero and
	// the group cannot close meanwhile; closed catches a start from
	// outside after the group has exited.
	if tg.closed.Load() {
		panic(errClosedGroup)
	}
	tg.active.Add(1)
}

func (tg *TaskGroup) runTask(tc *taskCtx, fn func(ctx context.Context) error) {
	defer tg.done()
	defer tg.recoverTask(tc.task.Name, fn)
	tg.taskReturned(fn(tc))
}

// taskReturned reports err unless it is only the group's cancellation; a
// reported error cancels the group. While the group is cancelled, the
// cancellations joined into an error are stripped from it, as AnyIO strips
// them from an exception group, and the rest is reported.
func (tg *TaskGroup) taskReturned(err error) {
	if err == nil {
		return
	}
	if tg.sctx.Err() != nil {
		rest := withoutCancellations(err)
		if rest == nil {
			tg.mu.Lock()
			tg.cancelled = true
			tg.mu.Unlock()
			return
		}
		err = rest
	}
	tg.mu.Lock()
	tg.errs = append(tg.errs, err)
	tg.mu.Unlock()
	tg.scope.Cancel()
}

func (tg *TaskGroup) done() {
	if tg.tracker != nil {
		tg.tracker.TaskExited()
	}
	// The host stores its waiter before it looks at active again, and
	// this looks at the waiter after lowering active: one of the two sees
	// the other (the atomics are sequentially consistent).
	if tg.active.Add(-1) == 0 {
		if w := tg.waiting.Load(); w != nil {
			(*w).Wake()
		}
	}
}

// wait blocks the host until every task has returned, then closes the group,
// and reports whether it had to wait. It is deliberately not cancellable:
// cancellation reaches the tasks instead.
func (tg *TaskGroup) wait() (waited bool) {
	var w anyiort.Waiter
	for tg.active.Load() > 0 {
		waited = true
		if w == nil {
			w = tg.backend.NewWaiter()
			tg.waiting.Store(&w)
			continue // look at active again, now that done can see w
		}
		if err := w.Wait(context.Background(), "task group: waiting for its tasks"); err != nil {
			// An uncancellable wait fails only when the backend ends the
			// run (a simulated one unwinding its tasks): stop waiting.
			break
		}
	}
	tg.closed.Store(true)
	return waited
}

// CancelScope is the group's scope: cancelling it cancels every task.
func (tg *TaskGroup) CancelScope() *CancelScope { return tg.scope }
