package sim

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	anyiort "github.com/anyiogen/anyiogen/runtime"
)

// simTraceKey is the key under which Trace records its writer.
type simTraceKey struct{}

// Trace returns a RunOption that writes the events of a sim run to w, when
// the run is over, as one Chrome trace-event JSON document: open it in
// ui.perfetto.dev or chrome://tracing. Each host is a process (localhost,
// then those RunHost ran) and each task a track in its host, named and
// numbered as CurrentTask reports it; each time it runs and each wait (with
// what it waits on) is a span, and task start and end, timers, packets and
// faults (crashes, partitions, heals) are instants, all at virtual time.
// The same seed writes the same bytes. A run that fails also gets the last
// events, as text, in its error. Off by default, at the cost of one nil
// check per event; other backends ignore it.
func Trace(w io.Writer) anyiort.RunOption {
	return func(cfg *anyiort.RunConfig) { cfg.Set(simTraceKey{}, w) }
}

// simTraceTail is how many of the last events a failed run's error shows.
const simTraceTail = 8

// simTracer records a run's events while Trace is on. Every method is
// called with b.mu held.
type simTracer struct {
	w      io.Writer
	start  time.Time
	tracks []*simTask // in creation order, for the track names
	events []simTraceEvent
}

// simTraceEvent is one span ('X') or instant ('i') on a task's track, or
// on the scheduler's (tid 0).
type simTraceEvent struct {
	ph       byte
	tid      int64
	ts, dur  time.Duration // virtual, from the start of the run
	name     string
	category string // run, wait, task, timer, net, fault
}

// simTaskTrace is a task's open span while Trace is on.
type simTaskTrace struct {
	since time.Duration // when the open span began
	name  string        // its name; "" while the task runs
}

func (b *simBackend) traceNowLocked() time.Duration { return b.clockLocked().Sub(b.tracer.start) }

// tracing reports whether Trace is on. The tracer is set before the run
// starts and never changes, so reading it needs no lock.
func (b *simBackend) tracing() bool { return b.tracer != nil }

func (tr *simTracer) add(e simTraceEvent) { tr.events = append(tr.events, e) }

// traceNewTaskLocked starts t's track, runnable until it first runs.
func (b *simBackend) traceNewTaskLocked(t *simTask) {
	tr := b.tracer
	now := b.traceNowLocked()
	tr.tracks = append(tr.tracks, t)
	t.trace = simTaskTrace{since: now, name: "runnable"}
	tr.add(simTraceEvent{ph: 'i', tid: t.taskID, ts: now, name: "start", category: "task"})
}

// traceRunLocked closes t's wait and opens its running span.
func (b *simBackend) traceRunLocked(t *simTask) {
	now := b.traceNowLocked()
	// A task runnable for no virtual time only waited for its turn: no
	// span, or every step would draw one.
	if t.trace.name != "" && (t.trace.name != "runnable" || now > t.trace.since) {
		b.tracer.add(simTraceEvent{ph: 'X', tid: t.taskID, ts: t.trace.since, dur: now - t.trace.since, name: t.trace.name, category: "wait"})
	}
	t.trace = simTaskTrace{since: now}
}

// traceStopLocked closes t's running span and opens what follows: a wait
// (parked), runnable (it yielded or was woken), or nothing (it returned).
func (b *simBackend) traceStopLocked(t *simTask) {
	tr := b.tracer
	now := b.traceNowLocked()
	if t.trace.name == "" {
		tr.add(simTraceEvent{ph: 'X', tid: t.taskID, ts: t.trace.since, dur: now - t.trace.since, name: "run", category: "run"})
	} else if t.state == simDone {
		// Unwound from a wait once the run was over.
		tr.add(simTraceEvent{ph: 'X', tid: t.taskID, ts: t.trace.since, dur: now - t.trace.since, name: t.trace.name, category: "wait"})
	}
	switch t.state {
	case simParked:
		t.trace = simTaskTrace{since: now, name: "wait: " + t.reason}
	case simQueued:
		t.trace = simTaskTrace{since: now, name: "runnable"}
	default:
		t.trace = simTaskTrace{since: now, name: "done"}
		tr.add(simTraceEvent{ph: 'i', tid: t.taskID, ts: now, name: "end", category: "task"})
	}
}

// traceTimerLocked records a timer's firing: a plain timer, or a packet's
// arrival.
func (b *simBackend) traceTimerLocked(tm *simTimer) {
	if tm.name == "" {
		b.traceInstantLocked("timer", "timer")
		return
	}
	b.traceInstantLocked("net", tm.name)
}

// traceInstantLocked records an instant on the scheduler's track.
func (b *simBackend) traceInstantLocked(category, name string) {
	b.tracer.add(simTraceEvent{ph: 'i', ts: b.traceNowLocked(), name: name, category: category})
}

// write emits the JSON document. Numbers are formatted by hand and events
// kept in the order they happened, so the same run writes the same bytes.
func (tr *simTracer) write() error {
	bw := bufio.NewWriter(tr.w)
	bw.WriteString(`{"displayTimeUnit":"ms","traceEvents":[` + "\n")
	bw.WriteString(`{"name":"process_name","ph":"M","pid":1,"tid":0,"args":{"name":"localhost"}},` + "\n")
	bw.WriteString(`{"name":"thread_name","ph":"M","pid":1,"tid":0,"args":{"name":"scheduler"}}`)
	pids := map[int64]int{0: 1} // each track's process: its host's
	named := map[int]bool{1: true}
	for _, t := range tr.tracks {
		pid := 1
		if t.host != nil {
			pid = t.host.pid
		}
		pids[t.taskID] = pid
		if !named[pid] {
			named[pid] = true
			fmt.Fprintf(bw, ",\n"+`{"name":"process_name","ph":"M","pid":%d,"tid":0,"args":{"name":%s}}`, pid, simJSONString(t.host.name))
			fmt.Fprintf(bw, ",\n"+`{"name":"process_sort_index","ph":"M","pid":%d,"tid":0,"args":{"sort_index":%d}}`, pid, pid)
		}
		fmt.Fprintf(bw, ",\n"+`{"name":"thread_name","ph":"M","pid":%d,"tid":%d,"args":{"name":%s}}`, pid, t.taskID, simJSONString(t.label()))
		fmt.Fprintf(bw, ",\n"+`{"name":"thread_sort_index","ph":"M","pid":%d,"tid":%d,"args":{"sort_index":%d}}`, pid, t.taskID, t.taskID)
	}
	for _, e := range tr.events {
		fmt.Fprintf(bw, ",\n"+`{"name":%s,"cat":"%s","ph":"%c","pid":%d,"tid":%d,"ts":%s`, simJSONString(e.name), e.category, e.ph, pids[e.tid], e.tid, simMicros(e.ts))
		if e.ph == 'X' {
			fmt.Fprintf(bw, `,"dur":%s}`, simMicros(e.dur))
		} else {
			bw.WriteString(`,"s":"t"}`)
		}
	}
	bw.WriteString("\n]}\n")
	return bw.Flush()
}

// tail is the text form of the last n events, for a failed run's error.
func (tr *simTracer) tail(n int) string {
	// What led to the end, not the unwinding after it.
	end := len(tr.events)
	for i, e := range tr.events {
		if e.category == "run" && e.ph == 'i' {
			end = i + 1
			break
		}
	}
	events := tr.events[max(0, end-n):end]
	labels := map[int64]string{0: "scheduler"}
	for _, t := range tr.tracks {
		name := t.displayName()
		if i := strings.LastIndexByte(name, '/'); i >= 0 {
			name = name[i+1:] // a function's name, without its package's path
		}
		labels[t.taskID] = fmt.Sprintf("%q (task %d)", name, t.taskID)
	}
	var s strings.Builder
	for _, e := range events {
		name := e.name
		if e.category == "run" && e.ph == 'i' {
			name = "run ended" // with the error above, not said twice
		}
		fmt.Fprintf(&s, "\n    %v  %s: %s", e.ts, labels[e.tid], name)
		if e.ph == 'X' {
			fmt.Fprintf(&s, " (%v)", e.dur)
		}
	}
	return s.String()
}

// simMicros formats d in microseconds with three decimals, as the format
// wants, without floating point.
func simMicros(d time.Duration) string {
	return fmt.Sprintf("%d.%03d", d/time.Microsecond, d%time.Microsecond)
}

func simJSONString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// simTracedError is a failed run's error with the last events of its trace.
type simTracedError struct {
	err  error
	tail string
}

func (e *simTracedError) Error() string { return e.err.Error() + "\nlast events of the run:" + e.tail }
func (e *simTracedError) Unwrap() error { return e.err }
