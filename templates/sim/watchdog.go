package sim

import (
	"fmt"
	"time"

	anyiort "github.com/anyiogen/anyiogen/runtime"
)

// simLiveness is what tells a run that waits from one that is stuck: the
// watchdog, and the contexts from outside the run that may still wake it.
type simLiveness struct {
	watchdog   time.Duration      // real time a task may run without a scheduling point
	progressAt time.Time          // when a task last reached a scheduling point, for the watchdog
	idle       bool               // the scheduler waits for a foreign context's cancellation
	fallbacks  []*simForeignWatch // watches on foreign contexts, in the order they began
	stall      *anyiort.Stall     // inside a bubble: the watch from outside it
}

// simDefaultWatchdog is how long a task may run, in real time, without
// reaching a scheduling point before the run is declared broken. A task that
// long outside the simulator is blocked on something it cannot see.
const simDefaultWatchdog = 5 * time.Second

// simMisuseError reports code that defeats the simulator: it says which
// task, what happened and how to fix it.
type simMisuseError struct {
	task *simTask // nil when no task was involved
	what string
}

func (e *simMisuseError) Error() string {
	who := "anyio sim: "
	if e.task != nil {
		who += "task " + e.task.label() + ": "
	}
	return who + e.what + "; call anyio functions with the ctx the task was given; do not block on raw channels or time.Sleep inside a simulated run"
}

// outsideAnyTaskLocked is the misuse of calling into the run (call names
// what was called) from no task: from a timer's callback, or from a
// goroutine the run did not start and cannot adopt, for which it says what
// would let the run adopt it.
func (b *simBackend) outsideAnyTaskLocked(call string) *simMisuseError {
	if simGID() == b.schedGID {
		return &simMisuseError{what: call + " was called outside any task, from a timer's callback"}
	}
	what := call + " was called outside any task, from a goroutine the simulator did not start"
	switch {
	case !b.bubble:
		what += ", outside a testing/synctest bubble: such a goroutine (a library's, net/http's say, or one started with go) joins a run only inside a bubble; " +
			"run the body with the test helper's Run or Seeds, or call SetBubbleWait(synctest.Wait) and Run inside synctest.Test"
	case !b.mayAdopt():
		what += ", and this run cannot adopt it: call SetBubbleWait(synctest.Wait) before Run (the test helper does)"
	}
	return &simMisuseError{what: what}
}

// failLocked ends the run with err and returns it.
func (b *simBackend) failLocked(err error) error {
	b.endRunLocked(err)
	if b.idle {
		b.sendKick()
	}
	return err
}

// watchdogTick, called by the scheduler loop every quarter watchdog period,
// gives up on the running task when it has not reached a scheduling point
// for the whole period: the run ends and the baton is taken back. The task
// unwinds if it ever reaches a scheduling point. The period counts from
// the task's last scheduling point itself, stamped when it happened, so a
// task blocked for longer than the period always fails and one blocked for
// clearly less never does, whatever the ticks' phase.
func (b *simBackend) watchdogTick() {
	b.mu.Lock()
	defer b.mu.Unlock()
	t := b.current
	if b.bubble {
		b.bubbleStuckLocked()
		return
	}
	if t == nil || time.Since(b.progressAt) < b.watchdog {
		return
	}
	where := "on a raw channel, a mutex, time.Sleep or I/O"
	if s := b.stuckIn(t); s != "" {
		where = s
	}
	b.failLocked(&simMisuseError{task: t, what: fmt.Sprintf(
		"it ran for %v of real time without reaching a scheduling point (it is blocked outside the simulator: %s)",
		b.watchdog, where)})
	t.kill = true
	b.current = nil
}

// WatchStalls watches, from outside any testing/synctest bubble, the sim
// runs inside bubbles for a task blocked where the bubble cannot see (a
// sync.Mutex, a system call, a busy loop), and calls report with the run's
// description once one has gone its SimWatchdog period of wall time without
// a scheduling point: such a run cannot go on, nor be unwound. stop ends
// the watch. The test helper runs it around every sim run; a test that
// calls synctest.Test itself can too.
func WatchStalls(report func(description string)) (stop func()) {
	return anyiort.WatchStalls(report)
}
