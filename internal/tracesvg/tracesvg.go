// Package tracesvg draws a Chrome trace-event document, as the sim
// backend's Trace writes it, as an SVG picture a person reads without a
// trace viewer: the faults on a band of their own, labelled on the time
// axis (crash n2, partition [n1] | [n2 n3]); each host's tasks under the
// host, with their full names; the tasks of one function that never
// overlap sharing a row, so a thousand short handlers take a few rows;
// waits as bars labelled with what they wait on, the moments a task ran as
// dark ticks, and instants as marks. A window (Options.From, To) draws a
// part of the run, and leaves out the tasks that did nothing in it.
package tracesvg

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"
)

// event is the part of a trace event the picture uses.
type event struct {
	Name string         `json:"name"`
	Cat  string         `json:"cat"`
	Ph   string         `json:"ph"`
	Pid  int            `json:"pid"`
	Tid  int64          `json:"tid"`
	Ts   float64        `json:"ts"`
	Dur  float64        `json:"dur"`
	Args map[string]any `json:"args"`
}

// Options shape a picture.
type Options struct {
	Title    string        // heads the picture
	From, To time.Duration // the window of virtual time drawn; a zero To is the run's end
}

// Render reads a trace-event JSON document from r and writes the picture
// of the whole run to w, headed by title.
func Render(w io.Writer, r io.Reader, title string) error {
	return RenderWith(w, r, Options{Title: title})
}

// RenderWith reads a trace-event JSON document from r and writes the
// picture opts describe to w.
func RenderWith(w io.Writer, r io.Reader, opts Options) error {
	var doc struct {
		TraceEvents []event `json:"traceEvents"`
	}
	if err := json.NewDecoder(r).Decode(&doc); err != nil {
		return fmt.Errorf("tracesvg: reading the trace: %w", err)
	}
	if opts.To != 0 && opts.To <= opts.From {
		return fmt.Errorf("tracesvg: the window ends (%v) before it begins (%v)", opts.To, opts.From)
	}
	t, err := readTrace(doc.TraceEvents)
	if err != nil {
		return err
	}
	p := layOut(t, opts)
	var s strings.Builder
	p.draw(&s, t, opts.Title)
	_, err = io.WriteString(w, s.String())
	return err
}
