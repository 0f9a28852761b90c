package tracesvg

import (
	"fmt"
	"html"
	"math"
	"strings"
)

// Colours.
const (
	faultFill   = "#fcbba1"
	faultStroke = "#de2d26"
	waitFill    = "#9ecae1"
	readyFill   = "#fdd0a2"
	runFill     = "#08519c"
	hostFill    = "#dfe5eb"
	bandFill    = "#f4f6f8"
)

// instantColors are the tasks' instants' colours, by category.
var instantColors = map[string]string{"task": "#31a354", "disk": "#8c6d31", "net": "#e6550d", "timer": "#756bb1"}

// draw writes the picture.
func (p *picture) draw(s *strings.Builder, t *trace, title string) {
	fmt.Fprintf(s, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%.0f" viewBox="0 0 %d %.0f" font-family="monospace" font-size="10">`+"\n", width, p.height, width, p.height)
	fmt.Fprintf(s, `<rect width="%d" height="%.0f" fill="#ffffff"/>`+"\n", width, p.height)
	fmt.Fprintf(s, `<text x="%d" y="20" font-size="13" font-weight="bold">%s</text>`+"\n", padding, html.EscapeString(title))
	for i, r := range p.rows {
		p.drawRow(s, r, i)
	}
	p.drawFaults(s)
	p.drawAxisAndLegend(s)
	s.WriteString("</svg>\n")
}

// drawRow draws a host's heading, or a lane with its label and its tasks'
// events.
func (p *picture) drawRow(s *strings.Builder, r *row, i int) {
	if r.host != nil {
		fmt.Fprintf(s, `<rect x="0" y="%.1f" width="%d" height="%.1f" fill="%s"/>`+"\n", r.y, width, r.h, hostFill)
		fmt.Fprintf(s, `<text x="%d" y="%.1f" font-size="12" font-weight="bold">%s</text>`+"\n", padding, r.y+r.h/2+4, html.EscapeString(r.label[0]))
		return
	}
	if i%2 == 0 {
		fmt.Fprintf(s, `<rect x="0" y="%.1f" width="%d" height="%.1f" fill="%s"/>`+"\n", r.y, width, r.h, bandFill)
	}
	top := r.y + (r.h-float64(len(r.label))*lineH)/2 + lineH - 2
	for j, line := range r.label {
		fmt.Fprintf(s, `<text x="%d" y="%.1f">%s</text>`+"\n", padding+8, top+float64(j*lineH), html.EscapeString(line))
	}
	for _, tk := range r.tasks {
		for _, e := range tk.events {
			p.drawEvent(s, r, tk, e)
		}
	}
}

// drawEvent draws one span or instant of task tk on lane r.
func (p *picture) drawEvent(s *strings.Builder, r *row, tk *task, e event) {
	if !p.inWindow(e.Ts, e.Ts+e.Dur) {
		return
	}
	yy := r.y + (r.h-barH)/2
	switch {
	case e.Ph == "X" && e.Cat == "wait":
		x0, x1 := p.x(e.Ts), p.x(e.Ts+e.Dur)
		fill := waitFill
		if e.Name == "runnable" {
			fill = readyFill
		}
		fmt.Fprintf(s, `<rect x="%.1f" y="%.1f" width="%.1f" height="%d" fill="%s" stroke="#6b8eaa" stroke-width="0.5"><title>%s</title></rect>`+"\n",
			x0, yy, math.Max(x1-x0, 1), barH, fill, html.EscapeString(fmt.Sprintf("%s: %s (%s)", tk.name, e.Name, micros(e.Dur))))
		if label := fit(strings.TrimPrefix(e.Name, "wait: "), x1-x0); label != "" {
			fmt.Fprintf(s, `<text x="%.1f" y="%.1f" font-size="9">%s</text>`+"\n", x0+3, yy+barH-4, html.EscapeString(label))
		}
	case e.Ph == "X" && e.Cat == "run":
		fmt.Fprintf(s, `<rect x="%.1f" y="%.1f" width="%.1f" height="%d" fill="%s"><title>%s ran at %s</title></rect>`+"\n",
			p.x(e.Ts)-1, yy-2, math.Max(p.x(e.Ts+e.Dur)-p.x(e.Ts), 2), barH+4, runFill, html.EscapeString(tk.name), micros(e.Ts))
	case e.Ph == "i":
		color := instantColors[e.Cat]
		if color == "" {
			color = "#636363"
		}
		cx, cy := p.x(e.Ts), yy+barH/2
		fmt.Fprintf(s, `<path d="M%.1f %.1f l3 3 l-3 3 l-3 -3 z" fill="%s"><title>%s: %s at %s</title></path>`+"\n",
			cx, cy-3, color, html.EscapeString(tk.name), html.EscapeString(e.Name), micros(e.Ts))
	}
}

// drawFaults draws the fault band, each fault labelled, and a line down
// the picture at each crash.
func (p *picture) drawFaults(s *strings.Builder) {
	if len(p.faultLanes) == 0 {
		return
	}
	fmt.Fprintf(s, `<text x="%d" y="%.1f" font-size="12" font-weight="bold" fill="%s">faults</text>`+"\n", padding, p.faultsY+rowH/2+4, faultStroke)
	for i, lane := range p.faultLanes {
		yy := p.faultsY + float64(i)*rowH + (rowH-barH)/2
		for _, f := range lane {
			x0, x1 := p.x(f.start), p.x(f.end)
			tip := fmt.Sprintf("%s at %s", f.name, micros(f.start))
			if f.end > f.start {
				tip = fmt.Sprintf("%s from %s to %s", f.name, micros(f.start), micros(f.end))
				fmt.Fprintf(s, `<rect x="%.1f" y="%.1f" width="%.1f" height="%d" fill="%s" stroke="%s" stroke-width="0.5"><title>%s</title></rect>`+"\n",
					x0, yy, math.Max(x1-x0, 1), barH, faultFill, faultStroke, html.EscapeString(tip))
			} else {
				fmt.Fprintf(s, `<path d="M%.1f %.1f l5 5 l-5 5 l-5 -5 z" fill="%s"><title>%s</title></path>`+"\n", x0, yy+2, faultStroke, html.EscapeString(tip))
				fmt.Fprintf(s, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="%s" stroke-dasharray="4,3" stroke-width="1"/>`+"\n", x0, yy+barH, x0, p.axisY-10, faultStroke)
				x0 += 6
			}
			fmt.Fprintf(s, `<text x="%.1f" y="%.1f" fill="#67000d">%s</text>`+"\n", x0+2, yy+barH-3, html.EscapeString(f.name))
		}
	}
}

// drawAxisAndLegend draws the time axis under the rows, and the legend.
func (p *picture) drawAxisAndLegend(s *strings.Builder) {
	step := niceStep((p.to - p.from) / 10)
	for t := math.Ceil(p.from/step) * step; t <= p.to+step/1000; t += step {
		fmt.Fprintf(s, `<line x1="%.1f" y1="%d" x2="%.1f" y2="%.1f" stroke="#cccccc" stroke-dasharray="2,3"/>`+"\n", p.x(t), topPad, p.x(t), p.axisY-10)
		fmt.Fprintf(s, `<text x="%.1f" y="%.1f" text-anchor="middle">%s</text>`+"\n", p.x(t), p.axisY, micros(t))
	}
	legend := []struct{ color, text string }{
		{waitFill, "waiting (on what: the label)"}, {readyFill, "runnable"}, {runFill, "running"},
		{instantColors["task"], "task start/end"}, {instantColors["disk"], "disk operation"}, {faultStroke, "fault (crash: the dashed line)"},
	}
	lx := float64(padding)
	for _, item := range legend {
		fmt.Fprintf(s, `<rect x="%.1f" y="%.1f" width="10" height="10" fill="%s"/><text x="%.1f" y="%.1f">%s</text>`+"\n", lx, p.axisY+12, item.color, lx+14, p.axisY+21, item.text)
		lx += 14 + float64(len(item.text))*charW + 16
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
	n := int((w - 6) / 5.6)
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
