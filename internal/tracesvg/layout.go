package tracesvg

import (
	"fmt"
	"math"
	"strings"
)

// Layout of the picture, in pixels.
const (
	width     = 1200
	labelW    = 330
	rowH      = 24
	lineH     = 11
	barH      = 14
	topPad    = 34
	padding   = 12
	charW     = 6.2                            // of the 10-pixel monospace font
	labelCols = (labelW - 2*padding) * 10 / 62 // characters of a label line
)

// picture is where a trace's rows and times go.
type picture struct {
	from, to   float64 // the window, in µs
	faultLanes [][]fault
	faultsY    float64 // the top of the fault band
	rows       []*row
	axisY      float64
	height     float64
}

// row is a host's heading, or a lane: tasks of one function that never
// overlap in the window.
type row struct {
	host  *host // the heading's host; nil for a lane
	label []string
	tasks []*task
	y, h  float64
}

// layOut places the faults and the rows of the tasks that have events in
// opts's window.
func layOut(t *trace, opts Options) *picture {
	p := &picture{from: float64(opts.From.Microseconds()), to: t.ended}
	if opts.To != 0 {
		p.to = float64(opts.To.Microseconds())
	}
	if p.to <= p.from {
		p.to = p.from + 1
	}
	p.faultLanes = p.packFaults(t.faults)
	p.faultsY = topPad
	y := p.faultsY + float64(len(p.faultLanes))*rowH
	if len(p.faultLanes) > 0 {
		y += 8
	}
	for _, h := range t.hosts {
		lanes := p.lanesOf(h)
		if len(lanes) == 0 {
			continue
		}
		p.rows = append(p.rows, &row{host: h, label: []string{h.name}, y: y, h: rowH})
		y += rowH
		for _, r := range lanes {
			r.y = y
			y += r.h
			p.rows = append(p.rows, r)
		}
	}
	p.axisY = y + 14
	p.height = p.axisY + 40
	return p
}

// inWindow reports whether [a, b] meets the window.
func (p *picture) inWindow(a, b float64) bool { return b >= p.from && a <= p.to }

// x is where instant ts is drawn, clamped to the window.
func (p *picture) x(ts float64) float64 {
	ts = math.Min(math.Max(ts, p.from), p.to)
	return labelW + padding + (ts-p.from)/(p.to-p.from)*float64(width-labelW-2*padding)
}

// packFaults puts the faults in the window in lanes, so that no two bars,
// with their labels, overlap.
func (p *picture) packFaults(faults []fault) [][]fault {
	var lanes [][]fault
	var ends []float64 // each lane's right edge, in pixels
	for _, f := range faults {
		if !p.inWindow(f.start, f.end) {
			continue
		}
		left := p.x(f.start) - 4
		right := math.Max(p.x(f.end), left+8+float64(len(f.name))*charW)
		placed := false
		for i := range lanes {
			if ends[i] < left {
				lanes[i], ends[i], placed = append(lanes[i], f), right+6, true
				break
			}
		}
		if !placed {
			lanes, ends = append(lanes, []fault{f}), append(ends, right+6)
		}
	}
	return lanes
}

// lanesOf lays out host h's tasks that meet the window: tasks of one
// function share lanes, each task in the first lane free when it starts,
// in the order the functions first ran.
func (p *picture) lanesOf(h *host) []*row {
	var order []string
	byFn := map[string][]*task{}
	for _, tk := range h.tasks {
		if !p.inWindow(tk.first, tk.last) {
			continue
		}
		if _, ok := byFn[tk.fn]; !ok {
			order = append(order, tk.fn)
		}
		byFn[tk.fn] = append(byFn[tk.fn], tk)
	}
	var rows []*row
	for _, fn := range order {
		var lanes []*row
		var ends []float64
		for _, tk := range byFn[fn] {
			placed := false
			for i, r := range lanes {
				if ends[i] < tk.first {
					r.tasks, ends[i], placed = append(r.tasks, tk), tk.last, true
					break
				}
			}
			if !placed {
				lanes, ends = append(lanes, &row{tasks: []*task{tk}}), append(ends, tk.last)
			}
		}
		tasks := byFn[fn]
		if len(tasks) == len(lanes) {
			// A task a row: each row says whose it is.
			for _, r := range lanes {
				r.label = wrap(strings.TrimPrefix(r.tasks[0].name, h.name+": "), labelCols)
			}
		} else {
			lanes[0].label = wrap(strings.TrimPrefix(tasks[0].name, h.name+": "), labelCols)
			lanes[0].label = append(lanes[0].label, fmt.Sprintf("and %d more like it (%d rows)", len(tasks)-1, len(lanes)))
		}
		for _, r := range lanes {
			r.h = math.Max(rowH, float64(len(r.label)*lineH+6))
		}
		rows = append(rows, lanes...)
	}
	return rows
}

// wrap cuts s into lines of at most n characters, at spaces, dots and
// slashes where it can.
func wrap(s string, n int) []string {
	var lines []string
	for len([]rune(s)) > n {
		r := []rune(s)
		cut := n
		for i := n; i > n/2; i-- {
			if r[i-1] == ' ' || r[i-1] == '.' || r[i-1] == '/' {
				cut = i
				break
			}
		}
		lines = append(lines, strings.TrimRight(string(r[:cut]), " "))
		s = string(r[cut:])
	}
	return append(lines, s)
}
