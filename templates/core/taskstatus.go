package core

import (
	"context"
	"errors"
	"sync"

	anyiort "github.com/anyiogen/anyiogen/runtime"
)

// TaskStatus lets a task started with Start report that it is ready.
type TaskStatus struct {
	mu      sync.Mutex // guards every field below
	started bool
	value   any
	ended   bool  // fn returned before calling Started
	err     error // what fn returned then
	waiter  anyiort.Waiter
	unlink  func() bool // stops the caller's cancellation reaching the task
	// callerFirst: the caller's cancellation had reached the task before
	// Started (unlink found it already fired).
	callerFirst bool
	task        *anyiort.Task // moves under owner once started
	owner       int64
}

var (
	errNotStarted   = errors.New("anyio: a task started with Start returned without calling TaskStatus.Started")
	errStartAborted = errors.New("anyio: a task started with Start panicked or exited before calling TaskStatus.Started")
)

// Start runs fn as a task and waits until it calls Started.
func (tg *TaskGroup) Start(ctx context.Context, fn func(ctx context.Context, status *TaskStatus) error, opts ...TaskOption) (any, error) {
	o := taskOpts(opts)
	st := &TaskStatus{waiter: backendOf(ctx).NewWaiter()}
	// Until it has started, the task is cancelled with the caller as well as
	// with the group, as in Trio: its scope watches both. Its parent is the
	// caller until then, and the group's owner after.
	taskScope := NewCancelScope()
	st.unlink = watchCancel(ctx, taskScope.Cancel)
	tg.add()
	tc := tg.newTask(o.name, fn, anyiort.TaskOf(ctx).Info().ID)
	st.task, st.owner = &tc.task, tg.owner
	tg.goTask(tc, func() {
		defer tg.done()
		finished := false
		defer func() {
			if !finished { // fn panicked (recoverTask has the panic) or exited
				st.finish(errStartAborted)
			}
		}()
		defer tg.recoverTask(tc.task.Name, fn)
		err := taskScope.Run(tc, func(tctx context.Context) error { return fn(tctx, st) })
		finished = true
		if st.finish(err) {
			tg.taskReturned(err)
		}
	})
	for {
		st.mu.Lock()
		started, ended, value, err, callerFirst := st.started, st.ended, st.value, st.err, st.callerFirst
		st.mu.Unlock()
		switch {
		case started && callerFirst && ctx.Err() != nil:
			// The caller was cancelled before Started, as in AnyIO: the
			// task stays cancelled and Start reports the cancellation.
			return nil, ctx.Err()
		case started:
			return value, nil
		case ended && err != nil:
			return nil, err
		case ended && ctx.Err() != nil:
			return nil, ctx.Err()
		case ended:
			return nil, errNotStarted
		}
		if err := st.waiter.Wait(context.Background(), "task group: waiting for a task to start"); err != nil {
			return nil, err // the backend ends the run
		}
	}
}

// Started reports that the task is ready and hands value to Start.
func (st *TaskStatus) Started(value any) {
	st.mu.Lock()
	if st.started || st.ended {
		st.mu.Unlock()
		panic("anyio: TaskStatus.Started called twice, or after the task returned")
	}
	st.started, st.value = true, value
	st.task.SetParent(st.owner)
	unlink := st.unlink
	st.mu.Unlock()
	fired := !unlink()
	st.mu.Lock()
	st.callerFirst = fired
	st.mu.Unlock()
	st.waiter.Wake()
}

// finish records fn's result; true means it belongs to the group, because
// the task had started.
func (st *TaskStatus) finish(err error) bool {
	st.mu.Lock()
	started := st.started
	if !started {
		st.ended, st.err = true, err
	}
	unlink := st.unlink
	st.mu.Unlock()
	if !started {
		unlink()
		st.waiter.Wake()
	}
	return started
}

// watchCancel calls f once ctx is cancelled: synchronously for a scope's
// context, which keeps a simulated run deterministic, and through
// watchForeign for any other.
func watchCancel(ctx context.Context, f func()) (stop func() bool) {
	if n := anyiort.FindNotifier(ctx); n != nil {
		return n.NotifyCancel(f)
	}
	if ctx.Done() == nil {
		return func() bool { return false }
	}
	return watchForeign(backendOf(ctx), ctx, f)
}
