package core

import (
	"context"
	"errors"
	"sync"

	anyiort "github.com/anyiogen/anyiogen/runtime"
)

// TaskGroup runs tasks that all end before WithTaskGroup returns.
type TaskGroup struct {
	scope   *CancelScope
	ctx     context.Context // the scope's context: every task runs in it
	backend anyiort.Backend

	mu      sync.Mutex // guards every field below
	active  int        // tasks started and not yet returned
	closed  bool       // the body and every task returned: no more tasks
	waiting anyiort.Waiter
	errs    []error     // reported errors, in the order they happened
	panic   *PanicError // the first panic of a task
}

// TaskOption configures a task.
type TaskOption func(*taskOptions)

type taskOptions struct{ name string }

// Name names a task, for PanicError and diagnostics.
func Name(name string) TaskOption { return func(o *taskOptions) { o.name = name } }

// WithTaskGroup runs body with a new task group and waits for every task.
func WithTaskGroup(ctx context.Context, body func(ctx context.Context, tg *TaskGroup) error) error {
	tg := &TaskGroup{scope: NewCancelScope()}
	var bodyPanic any
	err := tg.scope.Run(ctx, func(gctx context.Context) error {
		tg.ctx, tg.backend = gctx, backendOf(gctx)
		bodyPanic = tg.runBody(body)
		tg.wait()
		if len(tg.errs) == 0 {
			// Only cancellations, if anything: the scope catches its own.
			return gctx.Err()
		}
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

// runBody runs body as the group's host; a panic cancels the group and is
// raised again once every task has returned.
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
	tg.taskReturned(body(tg.ctx, tg))
	returned = true
	return nil
}

// StartSoon starts fn as a task of the group.
func (tg *TaskGroup) StartSoon(fn func(ctx context.Context) error, opts ...TaskOption) {
	var o taskOptions
	for _, opt := range opts {
		opt(&o)
	}
	tg.add()
	tg.backend.Go(taskName(tg.backend, o.name, fn), func() { tg.runTask(o.name, fn) })
}

// taskName is the name a backend gets for a task: the user's, or, for a
// backend that reports tasks by name, the task function's.
func taskName(b anyiort.Backend, name string, fn any) string {
	if name == "" {
		if n, ok := b.(anyiort.TaskNamer); ok && n.NamesTasks() {
			return funcName(fn)
		}
	}
	return name
}

const errClosedGroup = "anyio: StartSoon or Start called on a task group that has already exited; " +
	"start tasks only while WithTaskGroup's body or one of the group's tasks is running"

func (tg *TaskGroup) add() {
	tg.mu.Lock()
	defer tg.mu.Unlock()
	if tg.closed {
		panic(errClosedGroup)
	}
	tg.active++
}

func (tg *TaskGroup) runTask(name string, fn func(ctx context.Context) error) {
	defer tg.done()
	defer tg.recoverTask(name, fn)
	tg.taskReturned(fn(tg.ctx))
}

// taskReturned reports err unless it is only the group's cancellation; a
// reported error cancels the group.
func (tg *TaskGroup) taskReturned(err error) {
	if err == nil || tg.onlyCancelled(err) {
		return
	}
	tg.mu.Lock()
	tg.errs = append(tg.errs, err)
	tg.mu.Unlock()
	tg.scope.Cancel()
}

// onlyCancelled reports whether err is just a cancellation while the group
// is cancelled: the group's own, or a nested scope's that could not be
// caught because the group was cancelled too. A timeout is never that:
// FailAfter's ErrTimeout matches context.DeadlineExceeded, but it is a
// task's own failure, as AnyIO's TimeoutError is.
func (tg *TaskGroup) onlyCancelled(err error) bool {
	return tg.ctx.Err() != nil && !errors.Is(err, anyiort.ErrTimeout) && anyiort.IsCancellation(err)
}

func (tg *TaskGroup) done() {
	tg.mu.Lock()
	tg.active--
	w := tg.waiting
	if tg.active > 0 {
		w = nil
	}
	tg.mu.Unlock()
	if w != nil {
		w.Wake()
	}
}

// wait blocks the host until every task has returned, then closes the group.
// It is deliberately not cancellable: cancellation reaches the tasks instead.
func (tg *TaskGroup) wait() {
	tg.mu.Lock()
	for tg.active > 0 {
		if tg.waiting == nil {
			tg.waiting = tg.backend.NewWaiter()
		}
		w := tg.waiting
		tg.mu.Unlock()
		if err := w.Wait(context.Background(), "task group: waiting for its tasks"); err != nil {
			// An uncancellable wait fails only when the backend ends the
			// run (a simulated one unwinding its tasks): stop waiting.
			tg.mu.Lock()
			break
		}
		tg.mu.Lock()
	}
	tg.closed = true
	tg.mu.Unlock()
}

// CancelScope is the group's scope: cancelling it cancels every task.
func (tg *TaskGroup) CancelScope() *CancelScope { return tg.scope }
