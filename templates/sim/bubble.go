package sim

import (
	"context"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"

	anyiort "github.com/anyiogen/anyiogen/runtime"
)

// A run inside a testing/synctest bubble (anyiotest puts every sim run in
// one) shares its clock with the time package: the bubble's fake clock is
// the run's virtual clock. The scheduler moves it by sleeping, which takes
// no wall time because every other goroutine of the bubble is then blocked,
// so time.Now, time.Sleep, timers and context.WithTimeout inside the run
// all follow virtual time, and a deadline from the context package is
// honoured instead of refused. A task blocked where the bubble can see it
// (a raw channel, a select, sync.Cond) and that nothing will ever wake lets
// the fake clock run out to simBubbleHorizon at once: it is reported then,
// without waiting on the wall clock. A block the bubble cannot see (a
// sync.Mutex, a system call) stops the fake clock; a watcher outside the
// bubble (anyiort.WatchStalls, which anyiotest runs) reports it after the
// watchdog period.

// simBubbleHorizon is how far the fake clock may run while the scheduler
// waits for a task before the task counts as blocked forever. Only a fake
// clock gets there, instantly, when nothing else is pending.
const simBubbleHorizon = 100 * 365 * 24 * time.Hour

// simInBubble reports whether the calling goroutine runs inside a
// testing/synctest bubble (see anyiort.BubbleID).
func simInBubble() bool { return anyiort.BubbleID() != "" }

// ClockIsShared implements anyiort.SharedClock.
func (b *simBackend) ClockIsShared() bool { return b.bubble }

// clockLocked is the virtual time: the bubble's clock, or the run's own.
func (b *simBackend) clockLocked() time.Time {
	if b.bubble {
		if !b.stoppedAt.IsZero() {
			return b.stoppedAt
		}
		return time.Now().Round(0)
	}
	return b.now
}

// advanceLocked moves the clock towards to: at once outside a bubble; inside one
// by sleeping on the bubble's clock, woken early by a kick (a foreign
// context's deadline, a goroutine of the test). b.mu is held on entry and
// on return.
func (b *simBackend) advanceLocked(to time.Time) {
	if !b.bubble {
		b.now = to
		return
	}
	b.idle = true
	b.mu.Unlock()
	if d := time.Until(to); d > 0 {
		tm := time.NewTimer(d)
		select {
		case <-tm.C:
		case <-b.kick:
		}
		tm.Stop()
	}
	b.mu.Lock()
	b.idle = false
}

// nextWakeLocked is when the scheduler must look again while no task can
// run: the earliest timer, or inside a bubble the earliest deadline of a
// foreign context, which the time package enforces. ok is false when
// neither exists.
func (b *simBackend) nextWakeLocked() (when time.Time, ok bool) {
	if next, pending := b.timers.Next(); pending {
		when, ok = next, true
	}
	if !b.bubble {
		return when, ok
	}
	for _, fw := range b.fallbacks {
		if d, has := fw.deadline(); has && (!ok || d.Before(when)) {
			when, ok = d, true
		}
	}
	return when, ok
}

// deadline is the deadline of the watched context, read once: a context's
// deadline never changes.
func (fw *simForeignWatch) deadline() (time.Time, bool) {
	if !fw.deadlineRead {
		fw.due, fw.hasDue = fw.ctx.Deadline()
		fw.deadlineRead = true
	}
	return fw.due, fw.hasDue
}

// settle waits, inside a bubble, until a foreign context whose deadline has
// passed on the shared clock says so. Its timer fired at that instant, on
// a goroutine of its own that may not have run yet; waiting for it keeps
// the order of cancellations the seed's rather than the Go scheduler's.
func (fw *simForeignWatch) settle() {
	d, ok := fw.ctx.Deadline()
	if !ok || time.Now().Before(d) {
		return
	}
	for i := 0; i < 10000 && fw.ctx.Err() == nil; i++ {
		runtime.Gosched()
	}
}

// simWallDeadline refuses a wait under a deadline on the wall clock (from
// context.WithTimeout or WithDeadline) outside a bubble: the simulator's
// clock is virtual, and the deadline would pass at a wall-clock moment
// nothing in the run decides, or, for an hour of virtual time, never. A
// scope's context keeps its deadlines on the virtual clock and is fine, as
// is any deadline inside a bubble, whose clock the run shares.
func (b *simBackend) simWallDeadline(ctx context.Context, reason string) error {
	if b.bubble || ctx.Done() == nil || anyiort.FindNotifier(ctx) != nil || ctx.Err() != nil {
		return nil // a deadline that has passed is a cancellation like any other
	}
	if _, ok := ctx.Deadline(); ok {
		return &simWallDeadlineError{wait: reason}
	}
	return nil
}

// simWallDeadlineError is a wait of a sim run under a wall-clock deadline.
type simWallDeadlineError struct {
	wait string
}

func (e *simWallDeadlineError) Error() string {
	// The deadline itself is left out: a wall-clock time would make two
	// runs of one seed end with different errors.
	return "anyio sim: " + e.wait + " under a deadline on the wall clock (from context.WithTimeout or WithDeadline): " +
		"a simulated run keeps virtual time, so it cannot honour it; " +
		"use FailAfter, MoveOnAfter or a CancelScope's Deadline, whose deadlines are on the run's clock, " +
		"or run it inside a testing/synctest bubble (as the test helper does), where the time package follows the run's clock"
}

// stampProgressLocked records that a task reached a scheduling point, for
// the watchdog (on the wall clock) or, inside a bubble, for the watcher
// outside it.
func (b *simBackend) stampProgressLocked() {
	if b.stall != nil {
		b.stall.Progress()
		return
	}
	b.progressAt = time.Now() // stamped when it happens, so detection has no jitter
}

// stuckIn says what the task holding the baton is blocked in, from its
// goroutine's traceback: the state the runtime gives it and the first frame
// of code outside the runtime and the simulator, such as
// `chan receive (durable) in example.com/app.worker at /src/app/worker.go:41`.
// Every other started task of a run waits in switchLocked, so the task's
// goroutine is the one that runs a task and is not there; finding it costs
// nothing until a report needs it. It returns "" when it cannot tell, as
// when another run's task is outside the simulator at the same moment.
func (b *simBackend) stuckIn(t *simTask) string {
	if t.gid != 0 {
		return simWhereIs(simAllStacks(), t.gid)
	}
	var found []string
	for block := range strings.SplitSeq(simAllStacks(), "\n\n") {
		if strings.Contains(block, ".(*simBackend).runTask(") && !strings.Contains(block, ".(*simBackend).switchLocked(") &&
			!strings.Contains(block, ".(*simBackend).exit(") {
			found = append(found, block)
		}
	}
	if len(found) > 1 {
		// Another task's goroutine may be on its way to or from a park
		// at the moment of the dump: the stuck one is durably blocked.
		found = slices.DeleteFunc(found, func(block string) bool {
			header, _, _ := strings.Cut(block, "\n")
			return !strings.Contains(header, "durable")
		})
	}
	if len(found) != 1 {
		return ""
	}
	return simBlockedAt(found[0])
}

// describeStall is the run's description for the watcher outside its bubble.
func (b *simBackend) describeStall() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.describeStallLocked()
}

// describeStallLocked names the task holding the baton and what it is stuck
// in, or returns "" when no task holds it.
func (b *simBackend) describeStallLocked() string {
	t := b.current
	if b.over {
		return ""
	}
	if t == nil {
		return b.describeUnsettledLocked()
	}
	s := "anyio sim: task " + t.label() + " has not reached a scheduling point for " + b.watchdog.String() + " of wall time"
	if where := b.stuckIn(t); where != "" {
		s += "; it is blocked outside the simulator: " + where
	}
	return s + "; wait through anyio (Lock, Event, a memory object stream) with the task's ctx, not a sync.Mutex or a system call"
}

// describeUnsettledLocked names, while adopting, the goroutines of the
// bubble that keep settle from returning: they are neither blocked where
// the bubble sees it nor running into the run. It returns "" when there
// are none.
func (b *simBackend) describeUnsettledLocked() string {
	if !b.adopting.Load() {
		return ""
	}
	var stuck []string
	for block := range strings.SplitSeq(simAllStacks(), "\n\n") {
		header, _, _ := strings.Cut(block, "\n")
		if !strings.Contains(header, ", "+b.bubbleID+"]") || strings.Contains(header, "(durable)") {
			continue
		}
		name := header
		if f := strings.Fields(header); len(f) > 1 {
			name = f[1]
		}
		if gid, err := strconv.ParseUint(name, 10, 64); err == nil {
			name = "goroutine " + name + " (" + simOutermost(block) + ")"
			if t := b.byGID[gid]; t != nil {
				name = "task " + t.label()
			}
		}
		stuck = append(stuck, name+": "+simBlockedAt(block))
	}
	if len(stuck) == 0 {
		return ""
	}
	slices.Sort(stuck)
	return "anyio sim: the run has waited " + b.watchdog.String() + " of wall time for the goroutines of its bubble to block, and these have not:\n\t" +
		strings.Join(stuck, "\n\t") +
		"\na goroutine waiting for a sync.Mutex is not blocked as the bubble sees it: a library that holds a mutex across a call into the run " +
		"(net/rpc's server does while it writes a response) stops the run when another goroutine wants that mutex"
}

// bubbleStuckLocked ends the run because the task holding the baton is
// blocked where the bubble sees that nothing can ever wake it.
func (b *simBackend) bubbleStuckLocked() {
	t := b.current
	if t == nil {
		return
	}
	what := "it is blocked forever outside the simulator"
	if where := b.stuckIn(t); where != "" {
		what += ": " + where
	}
	b.failLocked(&simMisuseError{task: t, what: what + " (nothing in the run can wake it)"})
	t.kill = true
	b.current = nil
}

var _ anyiort.SharedClock = (*simBackend)(nil)
