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
// they are, unless it failed already.
func (b *simBackend) leftBehind() {
	if !b.adopting.Load() {
		return
	}
	b.settle()
	stacks := simAllStacks()
	b.mu.Lock()
	defer b.mu.Unlock()
	var left []string
	for gid, t := range b.byGID {
		if gid == b.schedGID {
			continue
		}
		if where := simWhereIs(stacks, gid); where != "" {
			left = append(left, fmt.Sprintf("%s: %s", t.label(), where))
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
