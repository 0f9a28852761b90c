// Package tracesvg draws a Chrome trace-event document, as the sim
// backend's Trace writes it, as an SVG picture: a row per track, waits as
// bars labelled with what they wait on, the moments a task ran as dark
// ticks, and instants (task start and end, packets, timers) as marks. It is
// what the README shows, so a reader sees a run without opening a trace
// viewer.
package tracesvg

import (
	"encoding/json"
	"fmt"
	"html"
	"io"
	"math"
	"slices"
	"strings"
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

// Layout of the picture, in pixels.
const (
	width   = 1000
	labelW  = 230
	rowH    = 28
	barH    = 16
	topPad  = 34
	padding = 12
)

// Render reads a trace-event JSON document from r and writes the picture
// to w. title heads the picture.
func Render(w io.Writer, r io.Reader, title string) error {
	var doc struct {
		TraceEvents []event `json:"traceEvents"`
	}
	if err := json.NewDecoder(r).Decode(&doc); err != nil {
		return fmt.Errorf("tracesvg: reading the trace: %w", err)
	}
	l, err := layOut(doc.TraceEvents)
	if err != nil {
		return err
	}
	var s strings.Builder
	fmt.Fprintf(&s, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" font-family="monospace" font-size="11">`+"\n", width, l.height, width, l.height)
	fmt.Fprintf(&s, `<rect width="%d" height="%d" fill="#ffffff"/>`+"\n", width, l.height)
	fmt.Fprintf(&s, `<text x="%d" y="20" font-size="13" font-weight="bold">%s</text>`+"\n", padding, html.EscapeString(title))
	l.drawRows(&s)
	for _, e := range doc.TraceEvents {
		l.drawEvent(&s, e)
	}
	l.drawAxisAndLegend(&s)
	s.WriteString("</svg>\n")
	_, err = io.WriteString(w, s.String())
	return err
}

// layout is where a trace's tracks and times go on the picture.
type layout struct {
	names  map[int64]string // each track's label: its host's name, then its own
	tids   []int64          // the tracks, in order
	row    map[int64]int    // each track's row
	end    float64          // the trace's last instant, in µs
	height int
}

// layOut reads the tracks' names from the metadata events and the span of
// time from the others.
func layOut(events []event) (*layout, error) {
	l := &layout{names: map[int64]string{}, row: map[int64]int{}}
	processes := map[int]string{}
	for _, e := range events {
		if e.Ph != "M" {
			l.end = math.Max(l.end, e.Ts+e.Dur)
			continue
		}
		n, _ := e.Args["name"].(string)
		switch e.Name {
		case "process_name":
			processes[e.Pid] = n
		case "thread_name":
			if e.Pid > 1 && processes[e.Pid] != "" {
				n = processes[e.Pid] + ": " + n
			}
			l.names[e.Tid] = n
			l.tids = append(l.tids, e.Tid)
		}
	}
	if len(l.tids) == 0 {
		return nil, fmt.Errorf("tracesvg: the trace names no tracks (no thread_name metadata events)")
	}
	slices.Sort(l.tids)
	for i, tid := range l.tids {
		l.row[tid] = i
	}
	if l.end == 0 {
		l.end = 1
	}
	l.height = topPad + len(l.tids)*rowH + 52
	return l, nil
}

// x is where instant ts is drawn; y, the top of track tid's row.
func (l *layout) x(ts float64) float64 {
	return labelW + padding + ts/l.end*float64(width-labelW-2*padding)
}
func (l *layout) y(tid int64) float64 { return float64(topPad + l.row[tid]*rowH) }

// drawRows draws each track's row, banded, with its label.
func (l *layout) drawRows(s *strings.Builder) {
	for i, tid := range l.tids {
		yy := l.y(tid)
		if i%2 == 0 {
			fmt.Fprintf(s, `<rect x="0" y="%.1f" width="%d" height="%d" fill="#f4f6f8"/>`+"\n", yy, width, rowH)
		}
		fmt.Fprintf(s, `<text x="%d" y="%.1f">%s</text>`+"\n", padding, yy+rowH/2+4, html.EscapeString(shorten(l.names[tid], (labelW-padding)/7)))
	}
}

// instantColors are the instants' colours, by category.
var instantColors = map[string]string{"task": "#31a354", "net": "#e6550d", "timer": "#756bb1", "run": "#de2d26", "fault": "#de2d26"}

// drawEvent draws one span or instant on its track's row.
func (l *layout) drawEvent(s *strings.Builder, e event) {
	if _, ok := l.row[e.Tid]; !ok || e.Ph == "M" {
		return
	}
	yy := l.y(e.Tid) + (rowH-barH)/2
	switch {
	case e.Ph == "X" && e.Cat == "wait":
		x0, x1 := l.x(e.Ts), l.x(e.Ts+e.Dur)
		fill := "#9ecae1"
		if e.Name == "runnable" {
			fill = "#fdd0a2"
		}
		fmt.Fprintf(s, `<rect x="%.1f" y="%.1f" width="%.1f" height="%d" fill="%s" stroke="#6b8eaa" stroke-width="0.5"><title>%s</title></rect>`+"\n",
			x0, yy, math.Max(x1-x0, 1), barH, fill, html.EscapeString(fmt.Sprintf("%s (%s)", e.Name, micros(e.Dur))))
		if label := fit(strings.TrimPrefix(e.Name, "wait: "), x1-x0); label != "" {
			fmt.Fprintf(s, `<text x="%.1f" y="%.1f" font-size="10">%s</text>`+"\n", x0+3, yy+barH-4, html.EscapeString(label))
		}
	case e.Ph == "X" && e.Cat == "run":
		fmt.Fprintf(s, `<rect x="%.1f" y="%.1f" width="%.1f" height="%d" fill="#08519c"><title>run at %s</title></rect>`+"\n",
			l.x(e.Ts)-1, yy-2, math.Max(l.x(e.Ts+e.Dur)-l.x(e.Ts), 2), barH+4, micros(e.Ts))
	case e.Ph == "i":
		color := instantColors[e.Cat]
		if color == "" {
			color = "#636363"
		}
		cx, cy := l.x(e.Ts), yy+barH/2
		fmt.Fprintf(s, `<path d="M%.1f %.1f l4 4 l-4 4 l-4 -4 z" fill="%s"><title>%s at %s</title></path>`+"\n",
			cx, cy-4, color, html.EscapeString(e.Name), micros(e.Ts))
	}
}

// drawAxisAndLegend draws the time axis under the rows, and the legend.
func (l *layout) drawAxisAndLegend(s *strings.Builder) {
	axisY := float64(topPad + len(l.tids)*rowH + 14)
	step := niceStep(l.end / 8)
	for t := 0.0; t <= l.end+step/1000; t += step {
		fmt.Fprintf(s, `<line x1="%.1f" y1="%d" x2="%.1f" y2="%.1f" stroke="#cccccc" stroke-dasharray="2,3"/>`+"\n", l.x(t), topPad, l.x(t), axisY-10)
		fmt.Fprintf(s, `<text x="%.1f" y="%.1f" text-anchor="middle">%s</text>`+"\n", l.x(t), axisY, micros(t))
	}
	legend := []struct{ color, text string }{
		{"#9ecae1", "waiting (on what: the label)"}, {"#fdd0a2", "runnable"}, {"#08519c", "running"},
		{"#31a354", "task start/end"}, {"#e6550d", "packet delivered"}, {"#756bb1", "timer"}, {"#de2d26", "run ended"},
	}
	lx := float64(padding)
	for _, item := range legend {
		fmt.Fprintf(s, `<rect x="%.1f" y="%.1f" width="10" height="10" fill="%s"/><text x="%.1f" y="%.1f">%s</text>`+"\n", lx, axisY+12, item.color, lx+14, axisY+21, item.text)
		lx += 14 + float64(len(item.text))*6.6 + 16
	}
}

// shorten cuts s to n characters, marking the cut.
func shorten(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

// fit returns as much of label as fits in a bar w pixels wide.
func fit(label string, w float64) string {
	n := int((w - 6) / 6.2)
	if n < 4 {
		return ""
	}
	return shorten(label, n)
}

// niceStep rounds d (µs) up to 1, 2 or 5 times a power of ten.
func niceStep(d float64) float64 {
	if d <= 0 {
		return 1
	}
	p := math.Pow(10, math.Floor(math.Log10(d)))
	for _, m := range []float64{1, 2, 5, 10} {
		if m*p >= d {
			return m * p
		}
	}
	return 10 * p
}

// micros formats a time in µs as a short duration, such as 1.5ms.
func micros(us float64) string {
	switch {
	case us >= 1e6:
		return trim(us/1e6) + "s"
	case us >= 1e3:
		return trim(us/1e3) + "ms"
	case us == 0:
		return "0"
	default:
		return trim(us) + "µs"
	}
}

func trim(v float64) string {
	s := fmt.Sprintf("%.3f", v)
	s = strings.TrimRight(s, "0")
	return strings.TrimSuffix(s, ".")
}
