package std

import (
	"context"
	"time"

	anyiort "github.com/anyiogen/anyiogen/runtime"
)

// stdQuiescentChecks is how many checks in a row must find every other
// task parked: a task that a cancelled context (rather than a Wake) is
// about to resume still counts as parked for a moment.
const stdQuiescentChecks = 3

// WaitAllTasksBlocked implements anyiort.QuiescenceWaiter by polling the
// run's counts, as AnyIO's asyncio backend polls its tasks. A task blocked
// outside this package (in a system call, on a raw channel) counts as
// running. Outside any Run there are no counts, and it is a checkpoint.
func (b stdBackend) WaitAllTasksBlocked(ctx context.Context) error {
	if b.run == nil {
		// No Run, no books: let every other goroutine run first.
		b.Yield()
		return ctx.Err()
	}
	self := int64(0)
	if anyiort.TaskOf(ctx) != nil {
		self = 1 // the caller is one of the live tasks, and is not parked
	}
	pause := time.Duration(0)
	for quiet := 0; quiet < stdQuiescentChecks; {
		if err := ctx.Err(); err != nil {
			return err
		}
		if b.run.live.Load()-b.run.blocked.Load() <= self {
			quiet++
		} else {
			quiet = 0
		}
		if pause == 0 {
			b.Yield()
		} else {
			time.Sleep(pause)
		}
		pause = min(pause+10*time.Microsecond, time.Millisecond)
	}
	return nil
}

var _ anyiort.QuiescenceWaiter = stdBackend{}
