// Package simtrace records the events of a simulated run and writes them as
// one Chrome trace-event JSON document, or the last of them as text for a
// failed run's error. It is a sub-home of the sim backend: it knows nothing
// of tasks or clocks beyond what it is told, and generation inlines it into
// the generated package (Recorder becomes simtraceRecorder).
package simtrace

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"
)

// Recorder keeps a run's events in the order they happened. Its user
// serializes the calls (the scheduler holds its lock).
type Recorder struct {
	w      io.Writer
	start  time.Time
	tracks []Track // in creation order, for the track names
	events []event
}

// Track is a task's track.
type Track struct {
	ID   int64         // the task's ID, as CurrentTask reports it
	PID  int           // its host's process: 1 for localhost
	Host string        // its host's name, for a process other than 1
	Name func() string // its name, asked for only when written
}

// event is one span ('X') or instant ('i') on a task's track, or on the
// scheduler's (tid 0).
type event struct {
	ph       byte
	tid      int64
	ts, dur  time.Duration // virtual, from the start of the run
	name     string
	category string // run, wait, task, timer, net, fault, disk
	flow     uint64 // a flow's id ('s', 'f')
}

// New returns a Recorder that writes to w, its times counted from start.
func New(w io.Writer, start time.Time) *Recorder { return &Recorder{w: w, start: start} }

// Restart counts times from start instead: the clock a run uses is known
// only once it starts.
func (r *Recorder) Restart(start time.Time) { r.start = start }

// Since is now as the trace counts it.
func (r *Recorder) Since(now time.Time) time.Duration { return now.Sub(r.start) }

// AddTrack adds a task's track, with the instant it starts at at.
func (r *Recorder) AddTrack(t Track, at time.Duration) {
	r.tracks = append(r.tracks, t)
	r.Instant(t.ID, at, "task", "start")
}

// Span records what track tid did from from to to.
func (r *Recorder) Span(tid int64, from, to time.Duration, category, name string) {
	r.events = append(r.events, event{ph: 'X', tid: tid, ts: from, dur: to - from, name: name, category: category})
}

// Instant records an instant on track tid (0: the scheduler's).
func (r *Recorder) Instant(tid int64, at time.Duration, category, name string) {
	r.events = append(r.events, event{ph: 'i', tid: tid, ts: at, name: name, category: category})
}

// FlowStart records, on track tid at at, the start of flow id: an arrow
// that a trace viewer draws from there to where FlowEnd puts its head (from
// a send to the receive that got the data).
func (r *Recorder) FlowStart(tid int64, at time.Duration, id uint64, name string) {
	r.events = append(r.events, event{ph: 's', tid: tid, ts: at, name: name, category: "flow", flow: id})
}

// FlowEnd records the end of flow id on track tid at at.
func (r *Recorder) FlowEnd(tid int64, at time.Duration, id uint64, name string) {
	r.events = append(r.events, event{ph: 'f', tid: tid, ts: at, name: name, category: "flow", flow: id})
}

// Write emits the JSON document. Numbers are formatted by hand and events
// kept in the order they happened, so the same run writes the same bytes.
func (r *Recorder) Write() error {
	bw := bufio.NewWriter(r.w)
	bw.WriteString(`{"displayTimeUnit":"ms","traceEvents":[` + "\n")
	bw.WriteString(`{"name":"process_name","ph":"M","pid":1,"tid":0,"args":{"name":"localhost"}},` + "\n")
	bw.WriteString(`{"name":"thread_name","ph":"M","pid":1,"tid":0,"args":{"name":"scheduler"}}`)
	pids := map[int64]int{0: 1} // each track's process: its host's
	named := map[int]bool{1: true}
	for _, t := range r.tracks {
		pids[t.ID] = t.PID
		if !named[t.PID] {
			named[t.PID] = true
			fmt.Fprintf(bw, ",\n"+`{"name":"process_name","ph":"M","pid":%d,"tid":0,"args":{"name":%s}}`, t.PID, jsonString(t.Host))
			fmt.Fprintf(bw, ",\n"+`{"name":"process_sort_index","ph":"M","pid":%d,"tid":0,"args":{"sort_index":%d}}`, t.PID, t.PID)
		}
		label := fmt.Sprintf("%q (task %d)", t.Name(), t.ID)
		fmt.Fprintf(bw, ",\n"+`{"name":"thread_name","ph":"M","pid":%d,"tid":%d,"args":{"name":%s}}`, t.PID, t.ID, jsonString(label))
		fmt.Fprintf(bw, ",\n"+`{"name":"thread_sort_index","ph":"M","pid":%d,"tid":%d,"args":{"sort_index":%d}}`, t.PID, t.ID, t.ID)
	}
	for _, e := range r.events {
		fmt.Fprintf(bw, ",\n"+`{"name":%s,"cat":"%s","ph":"%c","pid":%d,"tid":%d,"ts":%s`, jsonString(e.name), e.category, e.ph, pids[e.tid], e.tid, micros(e.ts))
		switch e.ph {
		case 'X':
			fmt.Fprintf(bw, `,"dur":%s}`, micros(e.dur))
		case 's':
			fmt.Fprintf(bw, `,"id":%d}`, e.flow)
		case 'f':
			fmt.Fprintf(bw, `,"id":%d,"bp":"e"}`, e.flow) // bound to the slice it falls in
		default:
			bw.WriteString(`,"s":"t"}`)
		}
	}
	bw.WriteString("\n]}\n")
	return bw.Flush()
}

// Tail is the text form of the last n events up to the run's end (its
// first "run" instant), for a failed run's error.
func (r *Recorder) Tail(n int) string {
	// What led to the end, not the unwinding after it.
	end := len(r.events)
	for i, e := range r.events {
		if e.category == "run" && e.ph == 'i' {
			end = i + 1
			break
		}
	}
	var events []event
	for i := end - 1; i >= 0 && len(events) < n; i-- {
		if e := r.events[i]; e.ph != 's' && e.ph != 'f' { // arrows are for a viewer
			events = append(events, e)
		}
	}
	slices.Reverse(events)
	labels := map[int64]string{0: "scheduler"}
	for _, t := range r.tracks {
		name := t.Name()
		if i := strings.LastIndexByte(name, '/'); i >= 0 {
			name = name[i+1:] // a function's name, without its package's path
		}
		labels[t.ID] = fmt.Sprintf("%q (task %d)", name, t.ID)
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

// micros formats d in microseconds with three decimals, as the format
// wants, without floating point.
func micros(d time.Duration) string {
	return fmt.Sprintf("%d.%03d", d/time.Microsecond, d%time.Microsecond)
}

func jsonString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// TracedError is a failed run's error with the last events of its trace.
type TracedError struct {
	Err  error
	Tail string
}

func (e *TracedError) Error() string { return e.Err.Error() + "\nlast events of the run:" + e.Tail }
func (e *TracedError) Unwrap() error { return e.Err }
