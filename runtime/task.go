package anyiort

import (
	"context"
	"sync/atomic"
)

// TaskInfo identifies a task. It lives here, not in each generated copy, so
// that a lock taken through one copy names its owner in another copy's
// report.
type TaskInfo struct {
	ID       int64  // unique within the run; the run's main task is 1
	ParentID int64  // the task that owns its group; 0 for the main task
	Name     string // the task's name, if it has one
}

// Task is the identity a task's context carries: its ID and name, its
// parent (which changes once, when a task started with Start reports that it
// is ready and moves to its group), and the numbering of its run, from which
// the tasks it starts take their IDs.
type Task struct {
	ID     int64
	Name   string
	IDs    *TaskIDs
	parent atomic.Int64
}

// NewTask returns the identity of a task numbered by ids.
func NewTask(ids *TaskIDs, parent int64, name string) *Task {
	t := &Task{ID: ids.Next(), Name: name, IDs: ids}
	t.parent.Store(parent)
	return t
}

// Init sets t up in place as a new task numbered by ids: portable code
// embeds a Task in its own per-task record to spare an allocation.
func (t *Task) Init(ids *TaskIDs, parent int64, name string) {
	t.ID, t.Name, t.IDs = ids.Next(), name, ids
	t.parent.Store(parent)
}

// SetParent moves t under another parent.
func (t *Task) SetParent(id int64) { t.parent.Store(id) }

// Info is t's identity now.
func (t *Task) Info() TaskInfo {
	if t == nil {
		return TaskInfo{}
	}
	return TaskInfo{ID: t.ID, ParentID: t.parent.Load(), Name: t.Name}
}

// TaskIDs numbers the tasks of one run.
type TaskIDs struct{ last atomic.Int64 }

// Next returns the next unused ID.
func (n *TaskIDs) Next() int64 { return n.last.Add(1) }

// backgroundIDs numbers the tasks started from contexts that no Run made.
var backgroundIDs TaskIDs

type taskKey struct{}

// TaskKey is the context key under which a task's context answers with its
// *Task. A context type that stands for a task compares keys with it in its
// Value method.
func TaskKey() any { return taskKey{} }

// WithMainTask returns ctx carrying the main task of a new run, named name:
// task 1, with a numbering of its own for the tasks it starts.
func WithMainTask(ctx context.Context, name string) context.Context {
	ids := new(TaskIDs)
	return context.WithValue(ctx, taskKey{}, NewTask(ids, 0, name))
}

// TaskOf returns the task ctx belongs to, or nil for a context that no task
// carries (context.Background(), say): task 0.
func TaskOf(ctx context.Context) *Task {
	t, _ := ctx.Value(taskKey{}).(*Task)
	return t
}

// TaskIDsOf returns the numbering from which a task started under ctx takes
// its ID: its run's, or, outside any run, one shared by the process.
func TaskIDsOf(ctx context.Context) *TaskIDs {
	if t := TaskOf(ctx); t != nil && t.IDs != nil {
		return t.IDs
	}
	return &backgroundIDs
}

// TaskStarter is implemented by backends that label tasks with the identity
// portable code gives them (a simulated one, in its deadlock and misuse
// reports). Portable code starts tasks with GoTask when the backend has it,
// and with Go otherwise.
type TaskStarter interface {
	GoTask(t *Task, fn func())
}

// OneAtATime is implemented by backends that run one task at a time (a
// simulated one). Where Go would preempt a goroutine, portable code gives
// such a backend a scheduling point (a Send, say), which on other backends
// would only cost.
type OneAtATime interface {
	OneAtATime() bool
}

// QuiescenceWaiter is implemented by backends that can tell when every task
// of a run but the caller is blocked in a wait of theirs.
type QuiescenceWaiter interface {
	// WaitAllTasksBlocked returns once every other task of the run is
	// blocked, or ctx's error if ctx is cancelled first.
	WaitAllTasksBlocked(ctx context.Context) error
}

// TaskTracker is implemented by backends that count their live tasks (std,
// for WaitAllTasksBlocked) without wrapping each task's function, which
// would cost an allocation per task: portable code calls TaskExited when a
// task it started with Go or GoTask returns.
type TaskTracker interface {
	TaskExited()
}
