package sim

import (
	"io"
	"time"

	anyiort "github.com/anyiogen/anyiogen/runtime"
	simtimers "github.com/anyiogen/anyiogen/templates/sim/timers"
	simtrace "github.com/anyiogen/anyiogen/templates/sim/trace"
)

// simTraceKey is the key under which Trace records its writer.
type simTraceKey struct{}

// Trace returns a RunOption that writes the events of a sim run to w, when
// the run is over, as one Chrome trace-event JSON document: open it in
// ui.perfetto.dev or chrome://tracing. Each host is a process (localhost,
// then those RunHost ran) and each task a track in its host, named and
// numbered as CurrentTask reports it; each time it runs and each wait (with
// what it waits on) is a span, and task start and end, timers, packets,
// disk operations and faults (crashes, partitions, heals) are instants, and
// an arrow runs from each TCP send to the read that takes its first byte,
// and from each datagram sent to its receive, all at virtual time.
// The same seed writes the same bytes. A run that fails also gets the last
// events, as text, in its error. Off by default, at the cost of one nil
// check per event; other backends ignore it.
func Trace(w io.Writer) anyiort.RunOption {
	return func(cfg *anyiort.RunConfig) { cfg.Set(simTraceKey{}, w) }
}

// simTraceTail is how many of the last events a failed run's error shows.
const simTraceTail = 8

// simTaskTrace is a task's open span while Trace is on.
type simTaskTrace struct {
	since time.Duration // when the open span began
	name  string        // its name; "" while the task runs
}

func (b *simBackend) traceNowLocked() time.Duration { return b.tracer.Since(b.clockLocked()) }

// tracing reports whether Trace is on. The tracer is set before the run
// starts and never changes, so reading it needs no lock.
func (b *simBackend) tracing() bool { return b.tracer != nil }

// traceNewTaskLocked starts t's track, runnable until it first runs.
func (b *simBackend) traceNewTaskLocked(t *simTask) {
	now := b.traceNowLocked()
	track := simtrace.Track{ID: t.taskID, PID: 1, Name: t.displayName}
	if t.host != nil {
		track.PID, track.Host = t.host.pid, t.host.name
	}
	b.tracer.AddTrack(track, now)
	t.trace = simTaskTrace{since: now, name: "runnable"}
}

// traceRunLocked closes t's wait and opens its running span.
func (b *simBackend) traceRunLocked(t *simTask) {
	now := b.traceNowLocked()
	// A task runnable for no virtual time only waited for its turn: no
	// span, or every step would draw one.
	if t.trace.name != "" && (t.trace.name != "runnable" || now > t.trace.since) {
		b.tracer.Span(t.taskID, t.trace.since, now, "wait", t.trace.name)
	}
	t.trace = simTaskTrace{since: now}
}

// traceStopLocked closes t's running span and opens what follows: a wait
// (parked), runnable (it yielded or was woken), or nothing (it returned).
func (b *simBackend) traceStopLocked(t *simTask) {
	tr := b.tracer
	now := b.traceNowLocked()
	if t.trace.name == "" {
		tr.Span(t.taskID, t.trace.since, now, "run", "run")
	} else if t.state == simDone {
		// Unwound from a wait once the run was over.
		tr.Span(t.taskID, t.trace.since, now, "wait", t.trace.name)
	}
	switch {
	case t.state == simParked:
		t.trace = simTaskTrace{since: now, name: "wait: " + t.reason}
	case t.state == simQueued:
		t.trace = simTaskTrace{since: now, name: "runnable"}
	case t.state == simOutside:
		// Taken back. A task of the run's own ends through exit, so it
		// waits on something of its own (a channel, a select). An adopted
		// goroutine may have returned instead, and no call says which: it
		// is drawn waiting until it calls again, or until a traceback
		// finds it gone (traceEndedOutsideLocked).
		t.trace = simTaskTrace{since: now, name: simWaitOutside}
	default:
		t.trace = simTaskTrace{since: now, name: "done"}
		tr.Instant(t.taskID, now, "task", "end")
	}
}

// simWaitOutside names the wait of a task taken back while it held the
// baton: it blocked where only the bubble sees.
const simWaitOutside = "wait: outside the simulator"

// traceEndedOutsideLocked redraws t, an adopted goroutine taken back and
// since found ended by a traceback, as ended when it was taken back: its
// last call into the run was the last the run saw of it.
func (b *simBackend) traceEndedOutsideLocked(t *simTask) {
	b.tracer.Instant(t.taskID, t.trace.since, "task", "end")
	t.trace = simTaskTrace{since: t.trace.since, name: "done"}
}

// traceStillOutsideLocked closes the wait of t, an adopted goroutine still
// blocked outside the simulator when the run ends.
func (b *simBackend) traceStillOutsideLocked(t *simTask) {
	now := b.traceNowLocked()
	b.tracer.Span(t.taskID, t.trace.since, now, "wait", t.trace.name)
	t.trace = simTaskTrace{since: now, name: "done"}
}

// traceTimerLocked records a timer's firing: a plain timer, or a packet's
// arrival.
func (b *simBackend) traceTimerLocked(tm *simtimers.Timer) {
	if tm.Name == "" {
		b.traceInstantLocked("timer", "timer")
		return
	}
	b.traceInstantLocked("net", tm.Name)
}

// traceInstantLocked records an instant on the scheduler's track.
func (b *simBackend) traceInstantLocked(category, name string) {
	b.tracer.Instant(0, b.traceNowLocked(), category, name)
}

// traceFlowStart starts, on the calling task's track, an arrow named name
// (from a send to its receive), and returns its id: 0 when Trace is off or
// no task calls.
func (b *simBackend) traceFlowStart(name string) uint64 {
	if !b.tracing() {
		return 0
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.current == nil {
		return 0
	}
	b.flows++
	b.tracer.FlowStart(b.current.taskID, b.traceNowLocked(), b.flows, name)
	return b.flows
}

// traceFlowEnd ends arrow id, if any, on the calling task's track.
func (b *simBackend) traceFlowEnd(id uint64, name string) {
	if id == 0 {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.current != nil {
		b.tracer.FlowEnd(b.current.taskID, b.traceNowLocked(), id, name)
	}
}
