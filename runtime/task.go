package anyiort

import (
	"context"
	"strconv"
	"sync"
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
// is ready and moves to its group), and its run, from which the tasks it
// starts take their IDs.
type Task struct {
	ID     int64
	Name   string
	Run    *Run
	parent atomic.Int64
	label  atomic.Pointer[string]
}

// Label names t as reports do, `task "db" (task 3)`, made once.
func (t *Task) Label() string {
	if l := t.label.Load(); l != nil {
		return *l
	}
	l := "task " + strconv.Quote(t.Name) + " (task " + strconv.FormatInt(t.ID, 10) + ")"
	t.label.Store(&l)
	return l
}

// NewTask returns the identity of a new task of run.
func NewTask(run *Run, parent int64, name string) *Task {
	t := &Task{ID: run.NextTaskID(), Name: name, Run: run}
	t.parent.Store(parent)
	return t
}

// Init sets t up in place as a new task of run: portable code embeds a
// Task in its own per-task record to spare an allocation.
func (t *Task) Init(run *Run, parent int64, name string) {
	t.ID, t.Name, t.Run = run.NextTaskID(), name, run
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

// Run is what the tasks of one run share: the numbering of its tasks,
// whether it has ended, and what portable code keeps once per run (such as
// the default thread limiter).
type Run struct {
	lastID atomic.Int64
	end    sync.Once
	done   chan struct{} // closed by End
	values sync.Map
}

// NewRun returns a run that has not ended.
func NewRun() *Run { return &Run{done: make(chan struct{})} }

// NextTaskID returns the next unused task ID.
func (r *Run) NextTaskID() int64 { return r.lastID.Add(1) }

// End marks the run as over; calling it again does nothing.
func (r *Run) End() { r.end.Do(func() { close(r.done) }) }

// Done is closed once the run is over.
func (r *Run) Done() <-chan struct{} { return r.done }

// Ended reports whether the run is over.
func (r *Run) Ended() bool {
	select {
	case <-r.done:
		return true
	default:
		return false
	}
}

// Value returns what the run keeps under key, made by init on first use.
// Keys are private types of the generated copy that uses them.
func (r *Run) Value(key any, init func() any) any {
	if v, ok := r.values.Load(key); ok {
		return v
	}
	v, _ := r.values.LoadOrStore(key, init())
	return v
}

// backgroundRun is the run of the contexts that no Run made; it never ends.
var backgroundRun = NewRun()

type taskKey struct{}

// TaskKey is the context key under which a task's context answers with its
// *Task. A context type that stands for a task compares keys with it in its
// Value method.
func TaskKey() any { return taskKey{} }

// WithMainTask returns ctx carrying the main task of a new run, named name
// (task 1), and that run, for the caller to End when it is over.
func WithMainTask(ctx context.Context, name string) (context.Context, *Run) {
	run := NewRun()
	return context.WithValue(ctx, taskKey{}, NewTask(run, 0, name)), run
}

// WithTask returns ctx carrying t: for a task whose context is not a task
// group's, such as one started from outside the run.
func WithTask(ctx context.Context, t *Task) context.Context {
	return context.WithValue(ctx, taskKey{}, t)
}

// TaskOf returns the task ctx belongs to, or nil for a context that no task
// carries (context.Background(), say): task 0.
func TaskOf(ctx context.Context) *Task {
	t, _ := ctx.Value(taskKey{}).(*Task)
	return t
}

// RunOf returns the run of ctx: its task's, or, outside any run, one shared
// by the process that never ends.
func RunOf(ctx context.Context) *Run {
	if t := TaskOf(ctx); t != nil && t.Run != nil {
		return t.Run
	}
	return backgroundRun
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

// oneAtATimeRuns counts the runs under way in the process whose backend
// runs one task at a time.
var oneAtATimeRuns atomic.Int32

// EnterOneAtATimeRun records that such a run started; call the result when
// it ends.
func EnterOneAtATimeRun() (exit func()) {
	oneAtATimeRuns.Add(1)
	return func() { oneAtATimeRuns.Add(-1) }
}

// OneAtATimeRunning reports whether any run whose backend runs one task at
// a time is under way in the process. When none is, portable code skips
// asking a context's backend whether it needs a scheduling point, a lookup
// that would otherwise cost every Send on std.
func OneAtATimeRunning() bool { return oneAtATimeRuns.Load() != 0 }

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

// Threads is implemented by backends that must see code that runs outside
// the run's tasks: a blocking function that ToThread runs in a goroutine of
// its own, and calls into the run that FromThread makes from goroutines the
// run did not start. A simulated backend runs no task while a thread runs,
// except tasks started from outside (which the thread may be waiting for),
// moves no clock meanwhile, and takes neither for a deadlock.
type Threads interface {
	// GoThread runs fn in a goroutine of its own, outside the run's tasks.
	GoThread(fn func())
	// GoFromOutside starts fn as a task of the run on behalf of a goroutine
	// outside it; false when the run is over and fn will not run.
	GoFromOutside(t *Task, fn func()) bool
}

// Buggifier is implemented by backends that inject faults at the call
// sites that ask (Buggify), drawn from the run's seed.
type Buggifier interface {
	// Buggify reports whether the call site at pc should misbehave now.
	Buggify(pc uintptr) bool
}

type sometimesKey struct{}

// SometimesKey is the RunConfig key under which a test helper leaves a
// function that hears every Sometimes of the run: name and whether cond
// held.
func SometimesKey() any { return sometimesKey{} }

// SometimesRecorder is implemented by backends that pass Sometimes on to
// the function a test helper left under SometimesKey.
type SometimesRecorder interface {
	Sometimes(name string, cond bool)
}

type assertionsKey struct{}

// AssertionsKey is the RunConfig key under which a test helper leaves a
// function that hears every assertion of the run (Version4): its kind
// ("always", "sometimes", "reachable", "unreachable"), its name and its
// condition.
func AssertionsKey() any { return assertionsKey{} }

// AssertionRecorder is implemented by backends that judge assertions
// (Version4): a false "always" or any "unreachable" ends a simulated run,
// and every call goes on to the function under AssertionsKey.
type AssertionRecorder interface {
	Assertion(kind, name string, cond bool)
}
