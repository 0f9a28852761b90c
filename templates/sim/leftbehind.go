package sim

import (
	"fmt"
	"slices"
	"strings"
)

// leftBehind, once the run is over and unwound, lets the goroutines it
// adopted react (their calls now fail), and then names those still blocked
// outside the simulator: nothing in the run can end them, and the bubble
// cannot end while they wait. The run fails with their names and where
// they are, unless it failed already. The trace, which drew each adopted
// goroutine taken back as waiting outside, learns here which had ended.
func (b *simBackend) leftBehind() {
	if !b.adopting.Load() {
		return
	}
	b.settle()
	stacks := simAllStacks()
	b.mu.Lock()
	defer b.mu.Unlock()
	var left []string
	var ended, still []*simTask // adopted goroutines drawn waiting outside
	for gid, t := range b.byGID {
		if gid == b.schedGID {
			continue
		}
		where := simWhereIs(stacks, gid)
		if where != "" {
			left = append(left, fmt.Sprintf("%s: %s", t.label(), where))
		}
		switch {
		case !t.adopted || t.state != simOutside:
		case where == "":
			ended = append(ended, t)
		default:
			still = append(still, t)
		}
	}
	if b.tracer != nil {
		for _, t := range simByID(ended) {
			b.traceEndedOutsideLocked(t)
		}
		for _, t := range simByID(still) {
			b.traceStillOutsideLocked(t)
		}
	}
	if len(left) == 0 || b.result != nil || b.panicked {
		return
	}
	slices.Sort(left)
	b.result = &simLeftBehindError{left: left}
}

// simLeftBehindError is a run that ended with goroutines it adopted still
// blocked outside the simulator.
type simLeftBehindError struct {
	left []string
}

func (e *simLeftBehindError) Error() string {
	return fmt.Sprintf("anyio sim: the run ended with %d goroutine(s) it adopted still blocked outside the simulator, where nothing in the run can end them "+
		"(close what they serve before the run returns: an http.Transport's idle connections, a Server's Shutdown):\n\t%s",
		len(e.left), strings.Join(e.left, "\n\t"))
}
