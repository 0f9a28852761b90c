package core

import (
	"context"
	"fmt"
	"runtime/debug"
	"sync"
	"time"

	anyiort "github.com/anyiogen/anyiogen/runtime"
)

// TaskState is where a task created with CreateTask is in its life.
type TaskState int

// TaskPending is a task still running whose Cancel was not called.
const TaskPending TaskState = 0

// TaskCancelling is a task whose Cancel was called, not yet returned.
const TaskCancelling TaskState = 1

// TaskFinished is a task that returned nil, also after Cancel.
const TaskFinished TaskState = 2

// TaskCancelled is a task that returned a cancellation.
const TaskCancelled TaskState = 3

// TaskFailed is a task that returned another error, or panicked.
const TaskFailed TaskState = 4

var taskStateNames = [...]string{"pending", "cancelling", "finished", "cancelled", "failed"}

// String names the state, as "pending".
func (s TaskState) String() string {
	if s >= 0 && int(s) < len(taskStateNames) {
		return taskStateNames[s]
	}
	return fmt.Sprintf("TaskState(%d)", int(s))
}

// TaskHandle is a task created with CreateTask: its result, its state and
// a cancel of its own.
type TaskHandle[T any] struct {
	tc    taskCtx     // the task's context, with its identity
	scope CancelScope // the task's own; its zero value is a new scope
	task  *anyiort.Task

	mu      sync.Mutex // guards every field below
	ended   bool
	result  T
	err     error
	state   TaskState
	waiters []anyiort.Waiter // Waits parked until the task returns
}

// CreateTask runs fn as a task of tg in a cancel scope of its own.
func CreateTask[T any](tg *TaskGroup, fn func(ctx context.Context) (T, error), opts ...TaskOption) *TaskHandle[T] {
	o := taskOpts(opts)
	tg.add()
	h := new(TaskHandle[T])
	tc := &h.tc
	tg.initTask(tc, o.name, fn, tg.owner)
	h.task = &tc.task
	tg.goTask(tc, func() {
		defer tg.done()
		defer tg.recoverTask(tc.task.Name, fn)
		tg.taskReturned(h.run(tc, fn))
	})
	return h
}

// run runs fn in the handle's scope and records how it ended. The scope
// catches the task's own cancellation, so that it is neither an error of
// the group nor a cancellation of its siblings.
func (h *TaskHandle[T]) run(ctx context.Context, fn func(ctx context.Context) (T, error)) error {
	panicking := true
	defer func() {
		if panicking {
			r := recover()
			pe, ok := r.(*PanicError)
			if !ok {
				pe = &PanicError{Task: h.task.Name, Value: r, Stack: debug.Stack()}
				if pe.Task == "" {
					pe.Task = funcName(fn)
				}
			}
			var zero T
			h.finish(zero, pe, TaskFailed)
			panic(pe) // the group still panics in its owner
		}
	}()
	if err := h.scope.enter(ctx, backendOf(ctx), time.Time{}); err != nil {
		panicking = false
		return err // cannot happen: the scope is new
	}
	result, fnErr := h.callIn(fn)
	err := h.scope.settle(fnErr)
	panicking = false
	state := TaskFinished
	switch {
	case fnErr == nil:
	case isCancellationOnly(fnErr):
		state = TaskCancelled
	default:
		state = TaskFailed
	}
	h.finish(result, fnErr, state)
	return err
}

// callIn calls fn in the handle's scope, as CancelScope.Run does, without
// a closure to allocate.
func (h *TaskHandle[T]) callIn(fn func(ctx context.Context) (T, error)) (T, error) {
	defer h.scope.release()
	return fn((*scopeCtx)(&h.scope))
}

func (h *TaskHandle[T]) finish(result T, err error, state TaskState) {
	h.mu.Lock()
	h.ended, h.result, h.err, h.state = true, result, err, state
	waiters := h.waiters
	h.waiters = nil
	h.mu.Unlock()
	for _, w := range waiters {
		w.Wake()
	}
}

// Wait returns fn's result once the task has returned, or ctx's error if
// ctx is cancelled first.
func (h *TaskHandle[T]) Wait(ctx context.Context) (T, error) {
	var zero T
	h.mu.Lock()
	if h.ended {
		defer h.mu.Unlock()
		return h.result, h.err
	}
	if err := ctx.Err(); err != nil {
		h.mu.Unlock()
		return zero, err
	}
	w := backendOf(ctx).NewWaiter()
	h.waiters = append(h.waiters, w)
	h.mu.Unlock()
	err := w.Wait(ctx, "Wait for task "+fmt.Sprintf("%q (task %d)", h.task.Name, h.task.ID))
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.ended {
		// The task has returned: its result is here, whichever of its end
		// and a cancellation woke the waiter. A task that fails cancels its
		// group, so both arrive together and the result must win, as it
		// does for a Wait that starts after the task returned.
		return h.result, h.err
	}
	for i, x := range h.waiters {
		if x == w {
			h.waiters = append(h.waiters[:i], h.waiters[i+1:]...)
			break
		}
	}
	if err == nil {
		err = ctx.Err()
	}
	return zero, err
}

// Cancel cancels this task only.
func (h *TaskHandle[T]) Cancel() { h.scope.Cancel() }

// State reports where the task is in its life.
func (h *TaskHandle[T]) State() TaskState {
	h.mu.Lock()
	ended, state := h.ended, h.state
	h.mu.Unlock()
	switch {
	case ended:
		return state
	case h.scope.CancelCalled():
		return TaskCancelling
	}
	return TaskPending
}

// Info is the task's identity.
func (h *TaskHandle[T]) Info() TaskInfo { return h.task.Info() }
