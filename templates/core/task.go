package core

import (
	"context"
	"reflect"
	"runtime"

	anyiort "github.com/anyiogen/anyiogen/runtime"
)

// TaskInfo identifies a task.
type TaskInfo = anyiort.TaskInfo

// CurrentTask returns the identity of the task whose context ctx is.
func CurrentTask(ctx context.Context) TaskInfo { return taskOf(ctx).Info() }

// taskOf is anyiort.TaskOf with a shortcut for a task's own context, the
// one most calls get, which spares a Value lookup on hot paths.
func taskOf(ctx context.Context) *anyiort.Task {
	if tc, ok := ctx.(*taskCtx); ok {
		return &tc.task
	}
	return anyiort.TaskOf(ctx)
}

// taskCtx is the context a task runs with: its group's scope, whose
// cancellation it shares with its siblings, and an identity of its own.
// Everything but Value is the scope's, so a task costs one small
// allocation and no goroutine or watcher of its own.
type taskCtx struct {
	*scopeCtx
	task anyiort.Task
}

func (c *taskCtx) Value(key any) any {
	if key == anyiort.TaskKey() {
		return &c.task
	}
	return c.scopeCtx.Value(key)
}

func (c *taskCtx) String() string { return "anyio.Task" }

var _ context.Context = (*taskCtx)(nil)

// taskName is the name a task gets: the user's, or, for a backend that
// reports tasks by name, the task function's.
func taskName(b anyiort.Backend, name string, fn any) string {
	if name == "" {
		if n, ok := b.(anyiort.TaskNamer); ok && n.NamesTasks() {
			return funcName(fn)
		}
	}
	return name
}

// funcName names a task after its function, as AnyIO does; it is only
// computed when needed, because it costs more than starting the task.
func funcName(fn any) string {
	if f := runtime.FuncForPC(reflect.ValueOf(fn).Pointer()); f != nil {
		return f.Name()
	}
	return "task"
}
