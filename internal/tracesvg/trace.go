package tracesvg

import (
	"fmt"
	"math"
	"regexp"
	"slices"
	"strings"
)

// trace is a trace read for drawing: its hosts and their tasks, and the
// faults the scheduler's track recorded.
type trace struct {
	hosts  []*host
	faults []fault
	ended  float64 // "run ended", or the last instant, in µs
}

// host is a process of the trace: a simulated host and its tasks.
type host struct {
	pid   int
	name  string
	tasks []*task
}

// task is a track: a task of a host, and its events.
type task struct {
	tid         int64
	name        string // as the trace names it, "n1: handler (task 57)"
	fn          string // without the task number and other digits: what tasks of one function share
	first, last float64
	events      []event
}

// fault is a fault the nemesis or the test made: from its start to what
// mended it, or an instant (a crash).
type fault struct {
	name       string
	start, end float64 // end == start: an instant
}

var (
	// taskNumber is the " (task N)" a track's name ends with.
	taskNumber = regexp.MustCompile(` \(task \d+\)$`)
	// digits tell apart tasks of one function, "handler for
	// 127.0.0.1:49154" and "handler for 127.0.0.1:49155".
	digits = regexp.MustCompile(`\d+`)
)

// readTrace sorts the events into hosts, tasks and faults.
func readTrace(events []event) (*trace, error) {
	t := &trace{}
	hosts := map[int]*host{}
	tasks := map[int64]*task{}
	hostOf := func(pid int) *host {
		h, ok := hosts[pid]
		if !ok {
			h = &host{pid: pid, name: fmt.Sprintf("process %d", pid)}
			hosts[pid] = h
		}
		return h
	}
	for _, e := range events {
		if e.Ph != "M" {
			continue
		}
		n, _ := e.Args["name"].(string)
		switch {
		case e.Name == "process_name":
			hostOf(e.Pid).name = n
		case e.Name == "thread_name" && e.Tid != 0:
			tk := &task{tid: e.Tid, name: taskNumber.ReplaceAllString(n, ""), first: math.Inf(1), last: math.Inf(-1)}
			tk.fn = digits.ReplaceAllString(tk.name, "#")
			tasks[e.Tid] = tk
			h := hostOf(e.Pid)
			h.tasks = append(h.tasks, tk)
		}
	}
	if len(tasks) == 0 {
		return nil, fmt.Errorf("tracesvg: the trace names no tracks (no thread_name metadata events)")
	}
	var instants []event
	for _, e := range events {
		switch {
		case e.Ph == "M":
			continue
		case e.Tid == 0:
			instants = append(instants, e)
		case tasks[e.Tid] != nil:
			tk := tasks[e.Tid]
			tk.events = append(tk.events, e)
			tk.first, tk.last = math.Min(tk.first, e.Ts), math.Max(tk.last, e.Ts+e.Dur)
		}
		t.ended = math.Max(t.ended, e.Ts+e.Dur)
	}
	t.faults = pairFaults(instants)
	for _, h := range hosts {
		slices.SortFunc(h.tasks, func(a, b *task) int { return int(a.tid - b.tid) })
		t.hosts = append(t.hosts, h)
	}
	slices.SortFunc(t.hosts, func(a, b *host) int { return a.pid - b.pid })
	return t, nil
}

// mends pairs each fault that lasts with the instant that mends it.
var mends = map[string]string{"partition": "heal", "hold": "release"}

// pairFaults makes the scheduler's fault instants faults: a partition with
// its heal, a hold with its release, a raised latency with its return; a
// crash, or a fault never mended, is an instant.
func pairFaults(instants []event) []fault {
	var out []fault
	open := map[string]int{} // the open fault's index, by the name of what mends it
	for _, e := range instants {
		if e.Cat != "fault" {
			continue
		}
		if e.Name == "heal all" {
			for key, i := range open {
				out[i].end = e.Ts
				delete(open, key)
			}
			continue
		}
		if i, ok := open[e.Name]; ok {
			out[i].end = e.Ts
			delete(open, e.Name)
			continue
		}
		out = append(out, fault{name: e.Name, start: e.Ts, end: e.Ts})
		verb, rest, _ := strings.Cut(e.Name, " ")
		switch {
		case verb == "latency":
			if cut := strings.LastIndexByte(rest, ' '); cut > 0 {
				open["latency "+rest[:cut]+" back"] = len(out) - 1
			}
		case mends[verb] != "":
			open[mends[verb]+" "+rest] = len(out) - 1
		}
	}
	return out
}
