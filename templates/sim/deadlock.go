package sim

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"

	anyiort "github.com/anyiogen/anyiogen/runtime"
)

// simDeadlockError reports a run in which every task is blocked and nothing
// can wake one. It matches anyiort.ErrDeadlock.
type simDeadlockError struct {
	blocked []string      // "name (task n) waits on reason", sorted
	waited  time.Duration // how long a foreign context was given, if any
}

func (e *simDeadlockError) Unwrap() error { return anyiort.ErrDeadlock }

func (e *simDeadlockError) Error() string {
	var s strings.Builder
	s.WriteString(anyiort.ErrDeadlock.Error())
	if e.waited > 0 {
		fmt.Fprintf(&s, " (and no context from outside anyio was cancelled within %v)", e.waited)
	}
	fmt.Fprintf(&s, "; %d blocked:", len(e.blocked))
	for _, b := range e.blocked {
		s.WriteString("\n\t")
		s.WriteString(b)
	}
	return s.String()
}

// deadlockLocked describes every blocked task, sorted by name and then by
// creation, so the text is the same on every run with the same seed.
func (b *simBackend) deadlockLocked(waited time.Duration) error {
	type blocked struct {
		name string
		t    *simTask
	}
	var tasks []blocked
	var stacks string // of every goroutine, read once a task blocked outside needs them
	for _, t := range b.live {
		switch {
		case t.state == simOutside:
			if stacks == "" {
				stacks = simAllStacks()
			}
			where := simWhereIs(stacks, t.gid)
			if where == "" {
				continue // its goroutine has ended
			}
			t.reason = "nothing in the run: it is blocked outside the simulator, " + where
			tasks = append(tasks, blocked{t.displayName(), t})
		case t.started && t.state == simParked && !t.frozen:
			tasks = append(tasks, blocked{t.displayName(), t})
		}
	}
	slices.SortFunc(tasks, func(x, y blocked) int {
		return cmp.Or(cmp.Compare(x.name, y.name), cmp.Compare(x.t.id, y.t.id))
	})
	lines := make([]string, len(tasks))
	for i, x := range tasks {
		lines[i] = fmt.Sprintf("task %q (task %d) waits on: %s", x.name, x.t.taskID, x.t.reason)
		if x.t.foreign {
			lines[i] += " (its context is not from anyio, so only code outside the run can cancel it)"
		}
	}
	return &simDeadlockError{blocked: lines, waited: waited}
}
