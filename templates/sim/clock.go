package sim

import (
	"time"

	anyiort "github.com/anyiogen/anyiogen/runtime"
	simtimers "github.com/anyiogen/anyiogen/templates/sim/timers"
)

// simClock is the run's virtual clock and what waits on it.
type simClock struct {
	now    time.Time
	timers simtimers.Queue
	bubble bool // the run is inside a testing/synctest bubble, whose clock it shares
	// stoppedAt, in a bubble, is where the run's clock stopped when it
	// ended in a deadlock found at the horizon (nothingToWakeLocked): the
	// fake clock then reads simBubbleHorizon later, which is no moment of
	// the run, and the report and the unwinding keep the moment it went
	// idle.
	stoppedAt time.Time
}

// Now reports the virtual time. It starts at 2000-01-01T00:00:00Z and moves
// only when no task is runnable, straight to the earliest pending timer.
func (b *simBackend) Now() time.Time {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.clockLocked()
}

// AfterFunc calls f in the scheduler, outside any task, once d has passed on
// the virtual clock. Timers due at the same instant fire in the order they
// were made; one due now fires at the next scheduling point.
func (b *simBackend) AfterFunc(d time.Duration, f func()) anyiort.Timer {
	return b.afterFuncNamed(d, "", f)
}

// afterFuncNamed is AfterFunc for an event of the simulation itself, such
// as a packet's arrival, which a trace shows under name.
func (b *simBackend) afterFuncNamed(d time.Duration, name string, f func()) *simTimer {
	b.mu.Lock()
	defer b.mu.Unlock()
	t := &simTimer{b: b, t: b.timers.Add(b.clockLocked().Add(max(d, 0)), name, f)}
	if b.idle {
		b.sendKick() // made outside the run while the scheduler waits
	}
	return t
}

// simTimer is a pending AfterFunc.
type simTimer struct {
	b *simBackend
	t *simtimers.Timer
}

// Stop cancels the call and reports whether it did so before f ran.
func (t *simTimer) Stop() bool {
	t.b.mu.Lock()
	defer t.b.mu.Unlock()
	return t.b.timers.Remove(t.t)
}

// timerDueLocked reports whether a timer is due now.
func (b *simBackend) timerDueLocked() bool {
	next, ok := b.timers.Next()
	return ok && !next.After(b.clockLocked())
}

// popDueLocked removes and returns the earliest timer if it is due.
func (b *simBackend) popDueLocked() *simtimers.Timer {
	return b.timers.PopDue(b.clockLocked())
}

// fire runs a timer's callback without b.mu held, so that it may wake tasks,
// start timers and cancel scopes. A panic in it ends the run like a task's.
func (b *simBackend) fire(t *simtimers.Timer) {
	defer func() {
		if r := recover(); r != nil {
			b.mu.Lock()
			b.recordPanicLocked(r)
			b.mu.Unlock()
		}
	}()
	t.F()
}
