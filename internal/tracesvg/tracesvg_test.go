package tracesvg

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"
)

// traceOf makes a trace document of two hosts: localhost's main task, and
// host n1 (process 2) with five handlers, one after the other, and the
// faults the scheduler recorded.
func traceOf(faults ...string) string {
	var ev []string
	meta := func(name string, pid int, tid int64, value string) {
		ev = append(ev, fmt.Sprintf(`{"name":%q,"ph":"M","pid":%d,"tid":%d,"args":{"name":%q}}`, name, pid, tid, value))
	}
	meta("process_name", 1, 0, "localhost")
	meta("thread_name", 1, 0, "scheduler")
	meta("thread_name", 1, 1, `"main" (task 1)`)
	meta("process_name", 2, 0, "n1")
	ev = append(ev, `{"name":"wait: sleep","cat":"wait","ph":"X","pid":1,"tid":1,"ts":0,"dur":10000}`)
	for i := range 5 {
		tid := int64(10 + i)
		meta("thread_name", 2, tid, fmt.Sprintf(`n1: "handler for 127.0.0.1:%d" (task %d)`, 49000+i, tid))
		ev = append(ev, fmt.Sprintf(`{"name":"wait: read","cat":"wait","ph":"X","pid":2,"tid":%d,"ts":%d,"dur":1000}`, tid, 2000*i))
	}
	for i, f := range faults {
		ev = append(ev, fmt.Sprintf(`{"name":%q,"cat":"fault","ph":"i","pid":1,"tid":0,"ts":%d}`, f, 1000*(i+1)))
	}
	return `{"traceEvents":[` + strings.Join(ev, ",\n") + `]}`
}

func render(t *testing.T, doc string, opts Options) string {
	t.Helper()
	var svg bytes.Buffer
	if err := RenderWith(&svg, strings.NewReader(doc), opts); err != nil {
		t.Fatal(err)
	}
	return svg.String()
}

func TestFaultsArePairedWithWhatMendsThem(t *testing.T) {
	tr, err := readTrace(mustEvents(t, traceOf("partition [n1] | [localhost]", "hold n1 | localhost", "crash n1",
		"release n1 | localhost", "latency n1 | localhost 50ms", "heal [n1] | [localhost]", "latency n1 | localhost back", "clog n1", "heal all")))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range tr.faults {
		got = append(got, fmt.Sprintf("%s %v-%v", f.name, f.start, f.end))
	}
	want := []string{
		"partition [n1] | [localhost] 1000-6000", "hold n1 | localhost 2000-4000", "crash n1 3000-3000",
		"latency n1 | localhost 50ms 5000-7000", "clog n1 8000-8000",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("faults:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestTasksOfOneFunctionShareARowUnderTheirHost(t *testing.T) {
	svg := render(t, traceOf("crash n1"), Options{Title: "t"})
	for _, want := range []string{
		`font-weight="bold">localhost</text>`, `font-weight="bold">n1</text>`,
		`&#34;handler for 127.0.0.1:49000&#34;</text>`, `and 4 more like it (1 rows)</text>`,
		`crash n1</text>`, `stroke-dasharray="4,3"`, // the crash, labelled, and its line
	} {
		if !strings.Contains(svg, want) {
			t.Errorf("the picture lacks %s", want)
		}
	}
	if strings.Contains(svg, "(task ") || strings.Contains(svg, ">scheduler<") {
		t.Errorf("the picture shows task numbers or the scheduler's track")
	}
}

func TestAWindowLeavesOutTheTasksThatDidNothingInIt(t *testing.T) {
	svg := render(t, traceOf(), Options{Title: "t", From: 5500 * time.Microsecond, To: 9 * time.Millisecond})
	// Handlers 0 to 2 ran before 5.5ms; 3 and 4 (6ms, 8ms) in the window.
	if !strings.Contains(svg, "49003") || strings.Contains(svg, "49002") || !strings.Contains(svg, "and 1 more like it") {
		t.Errorf("the window shows the wrong handlers:\n%s", svg)
	}
	var out bytes.Buffer
	if err := RenderWith(&out, strings.NewReader(traceOf()), Options{From: time.Second, To: time.Millisecond}); err == nil || !strings.Contains(err.Error(), "the window ends (1ms) before it begins (1s)") {
		t.Errorf("a window that ends before it begins: %v", err)
	}
}

func TestLongNamesWrap(t *testing.T) {
	lines := wrap("main.(*cluster).write.func1.1.and.a.very.long.name.that.goes.on.and.on", 20)
	for _, l := range lines {
		if len([]rune(l)) > 20 {
			t.Errorf("line %q is longer than 20", l)
		}
	}
	if strings.Join(lines, "") != "main.(*cluster).write.func1.1.and.a.very.long.name.that.goes.on.and.on" {
		t.Errorf("wrapping lost characters: %q", lines)
	}
}

func mustEvents(t *testing.T, doc string) []event {
	t.Helper()
	var d struct {
		TraceEvents []event `json:"traceEvents"`
	}
	if err := jsonDecode(doc, &d); err != nil {
		t.Fatal(err)
	}
	return d.TraceEvents
}

func jsonDecode(doc string, v any) error { return json.Unmarshal([]byte(doc), v) }
