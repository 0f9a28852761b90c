package simtrace

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"
)

// A recorder writes its tracks and events as trace-event JSON, in the
// order they happened, and the last events up to the run's end as text.
func TestRecorderWritesWhatItWasTold(t *testing.T) {
	var buf bytes.Buffer
	start := time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)
	r := New(&buf, start)
	r.AddTrack(Track{ID: 1, PID: 1, Name: func() string { return "main" }}, 0)
	r.AddTrack(Track{ID: 2, PID: 2, Host: "n1", Name: func() string { return "example.com/app.serve" }}, r.Since(start.Add(time.Millisecond)))
	r.Span(1, 0, 2*time.Millisecond, "wait", "wait: sleep")
	r.Instant(0, 2*time.Millisecond, "fault", "crash n1")
	r.Instant(0, 3*time.Millisecond, "run", "run ended: boom")
	r.Instant(2, 4*time.Millisecond, "task", "end") // unwinding, after the end
	if err := r.Write(); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		TraceEvents []struct {
			Name string         `json:"name"`
			Ph   string         `json:"ph"`
			Pid  int            `json:"pid"`
			Tid  int64          `json:"tid"`
			Ts   float64        `json:"ts"`
			Args map[string]any `json:"args"`
		} `json:"traceEvents"`
	}
	if err := json.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, buf.Bytes())
	}
	var names []string
	for _, e := range doc.TraceEvents {
		if e.Ph == "M" && e.Name == "process_name" {
			names = append(names, e.Args["name"].(string))
		}
		if e.Ph == "M" && e.Name == "thread_name" && e.Tid == 2 && e.Args["name"] != `"example.com/app.serve" (task 2)` {
			t.Errorf("task 2's track is named %v", e.Args["name"])
		}
		if e.Name == "crash n1" && (e.Ts != 2000 || e.Tid != 0) {
			t.Errorf("the crash is at %vµs on track %d, want 2000µs on the scheduler's", e.Ts, e.Tid)
		}
	}
	if strings.Join(names, ",") != "localhost,n1" {
		t.Errorf("processes %v, want localhost and n1", names)
	}
	tail := r.Tail(3)
	want := "\n    2ms  scheduler: crash n1\n    3ms  scheduler: run ended"
	if !strings.HasSuffix(tail, want) || strings.Contains(tail, "boom") || strings.Contains(tail, "end\n") {
		t.Errorf("Tail(3) = %q, want it to end %q (the end's error is said above it, and the unwinding is left out)", tail, want)
	}
	if all := r.Tail(10); !strings.Contains(all, `"app.serve" (task 2): start`) {
		t.Errorf("Tail(10) = %q, want task 2 named without its package path", all)
	}
}

func TestTracedErrorKeepsTheError(t *testing.T) {
	boom := errors.New("boom")
	err := error(&TracedError{Err: boom, Tail: "\n    0s  scheduler: run ended"})
	if !errors.Is(err, boom) || !strings.HasPrefix(err.Error(), "boom\nlast events of the run:") {
		t.Errorf("TracedError = %q, want boom with the events after it, and errors.Is boom", err)
	}
}
