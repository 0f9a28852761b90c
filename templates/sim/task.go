package sim

import (
	"fmt"
	"reflect"
	"runtime"
	"strings"

	anyiort "github.com/anyiogen/anyiogen/runtime"
)

// simTaskState is where a task is in the scheduler.
type simTaskState uint8

const (
	simQueued   simTaskState = iota // in runnable, waiting for the baton
	simRunning                      // holds the baton
	simParked                       // in Wait, until a Wake or its ctx's cancellation
	simDone                         // returned
	simOutside                      // held the baton, then blocked where only the bubble sees (adopt.go)
	simArriving                     // a goroutine met at a call, numbered at the next decision
)

// simTask is one task: a goroutine that runs only while it holds the baton.
type simTask struct {
	id     uint64 // creation order, for the scheduler
	taskID int64  // the ID its context reports (CurrentTask), for reports
	name   string // as given to Go; see label
	fn     func()
	resume chan struct{} // hands the baton to the task; buffered so handing never blocks
	main   bool
	trace  simTaskTrace // its open span, while Trace is on (guarded by simBackend.mu)

	// Guarded by simBackend.mu.
	state    simTaskState
	started  bool          // its goroutine exists; tasks start lazily, on first pick
	reason   string        // what its last Wait waits for, for deadlock reports
	foreign  bool          // its Wait watches a context anyio does not control
	kill     bool          // the run is over: unwind with runtime.Goexit
	dying    bool          // it is unwinding; scheduling points return at once
	outside  bool          // started from outside the run (FromThread), or by such a task: it may run while a thread is in flight
	host     *simHost      // the host it runs on; nil: localhost
	frozen   bool          // its host crashed: it never runs again
	priority float64       // under PCT: the highest runnable task runs
	gid      uint64        // its goroutine's id, once the run adopts (adopt.go)
	adopted  bool          // a goroutine the run did not start
	yields   int           // scheduling points passed in a row while adopting (simAdoptingYields)
	urgent   bool          // while adopting: stopped at a call beside the baton's holder (sortRunnableLocked)
	core     *anyiort.Task // the identity its context carries, when GoTask started it
}

// NamesTasks implements anyiort.TaskNamer: deadlock and misuse reports name
// every task, so portable code names unnamed tasks after their functions.
func (b *simBackend) NamesTasks() bool { return true }

// Go makes fn a new runnable task; it runs once the scheduler picks it.
// Tasks started after the run has ended never run.
func (b *simBackend) Go(name string, fn func()) {
	b.admit(simCall{})
	b.mu.Lock()
	if b.over {
		b.mu.Unlock()
		return
	}
	b.readyLocked(b.newTaskLocked(name, b.currentHostLocked(), fn))
	kick := b.idle
	b.mu.Unlock()
	if kick {
		b.sendKick()
	}
}

// GoTask implements anyiort.TaskStarter: as Go, with the task reported
// under the ID and name its context carries.
func (b *simBackend) GoTask(task *anyiort.Task, fn func()) {
	b.admit(simCall{})
	b.mu.Lock()
	if b.over {
		b.mu.Unlock()
		return
	}
	t := b.newTaskLocked(task.Name, b.currentHostLocked(), fn)
	b.bindCoreLocked(t, task)
	t.outside = b.current != nil && b.current.outside
	b.readyLocked(t)
	kick := b.idle
	b.mu.Unlock()
	if kick {
		b.sendKick()
	}
}

// OneAtATime implements anyiort.OneAtATime: the simulator runs one task at
// a time, so portable code gives it scheduling points where Go would
// preempt.
func (b *simBackend) OneAtATime() bool { return true }

// currentHostLocked is the host of the running task, which a task it
// starts runs on too.
func (b *simBackend) currentHostLocked() *simHost {
	if b.current == nil {
		return nil
	}
	return b.current.host
}

// simTasks is who runs, who may, and who waits.
type simTasks struct {
	current   *simTask                   // holds the baton; nil: the scheduler does
	runnable  []*simTask                 // in a deterministic order; picked at random
	live      map[uint64]*simTask        // every task not yet returned, by id
	byCore    map[*anyiort.Task]*simTask // the live tasks with a portable identity, by it
	nextID    uint64
	quiescent []*simWaiter // WaitAllTasksBlocked callers, woken when nothing else can run
	threads   int          // ToThread functions in flight (GoThread)
}

// bindCoreLocked gives t the portable identity task, by which a context's
// task finds its simulated one (hostOfCtxLocked).
func (b *simBackend) bindCoreLocked(t *simTask, task *anyiort.Task) {
	t.taskID, t.core = task.ID, task
	b.byCore[task] = t
}

// newTaskLocked makes a task that runs fn on host (nil: localhost). A task
// of a crashed host is frozen from the start.
func (b *simBackend) newTaskLocked(name string, host *simHost, fn func()) *simTask {
	b.nextID++
	t := &simTask{id: b.nextID, taskID: int64(b.nextID), name: name, fn: fn, resume: make(chan struct{}, 1), host: host}
	t.frozen = host != nil && host.crashed
	b.priorityLocked(t)
	b.live[t.id] = t
	if b.tracer != nil {
		b.traceNewTaskLocked(t)
	}
	return t
}

// readyLocked puts t, which is running or parked, in the runnable set,
// unless its host crashed: then it stays parked for good.
func (b *simBackend) readyLocked(t *simTask) {
	if t.frozen {
		t.state = simParked
		return
	}
	t.state = simQueued
	b.runnable = append(b.runnable, t)
}

// runTask is the body of a task's goroutine.
func (b *simBackend) runTask(t *simTask) {
	if b.knowsGoroutines() {
		g := simGID()
		b.mu.Lock()
		b.knowLocked(t, g)
		b.mu.Unlock()
	}
	normal := false
	defer func() {
		// recover is nil on runtime.Goexit: the run killed the task, or
		// its code called Goexit itself (t.FailNow in a test, say).
		b.exit(t, normal, recover())
	}()
	t.fn()
	normal = true
}

// exit retires t and hands the baton on, as returning is a scheduling point.
func (b *simBackend) exit(t *simTask, normal bool, recovered any) {
	b.mu.Lock()
	if t.state == simOutside && !t.dying {
		// A task that blocked outside the simulator returns: it takes the
		// baton first, so its end comes at a decision of the seed's.
		if b.over {
			t.state = simRunning
		} else {
			b.admitLocked(simCall{})
		}
	}
	switch {
	case recovered != nil:
		b.recordPanicLocked(recovered)
	case !normal && t.main && !t.dying:
		b.endRunLocked(fmt.Errorf("anyio sim: the main task called runtime.Goexit (t.FailNow or t.SkipNow inside a simulated run?); call them after Run returns"))
	}
	t.state = simDone
	delete(b.live, t.id)
	delete(b.byCore, t.core)
	if b.tracer != nil {
		b.traceStopLocked(t)
	}
	b.stampProgressLocked()
	if t.gid != 0 {
		delete(b.byGID, t.gid)
	}
	if b.current != t {
		b.mu.Unlock()
		return // a task the watchdog gave up on, finishing late
	}
	if b.adopting.Load() {
		b.handOffLocked(nil) // only the scheduler decides
		return
	}
	b.handOffLocked(b.nextLocked())
}

func (b *simBackend) recordPanicLocked(v any) {
	if !b.panicked {
		b.panicked, b.panicVal = true, v
	}
	b.endRunLocked(nil)
}

// label names t in diagnostics, such as `"worker" (task 3)`.
func (t *simTask) label() string { return fmt.Sprintf("%q (task %d)", t.displayName(), t.taskID) }

// displayName is t's given name, or one derived from its function, computed
// only when needed because Go is on the hot path.
func (t *simTask) displayName() string {
	if t.name != "" {
		return t.name
	}
	return simFuncName(t.fn)
}

// simFuncName turns fn into a readable name such as "server.(*Pool).run.func1".
func simFuncName(fn func()) string {
	f := runtime.FuncForPC(reflect.ValueOf(fn).Pointer())
	if f == nil {
		return "task"
	}
	name := f.Name()
	if i := strings.LastIndexByte(name, '/'); i >= 0 {
		name = name[i+1:]
	}
	return name
}

var (
	_ anyiort.TaskNamer   = (*simBackend)(nil)
	_ anyiort.TaskStarter = (*simBackend)(nil)
	_ anyiort.OneAtATime  = (*simBackend)(nil)
)
