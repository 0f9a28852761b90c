package core

import (
	"context"

	anyiort "github.com/anyiogen/anyiogen/runtime"
)

// WaitAllTasksBlocked returns once every other task of the run is blocked
// in a wait of this package, or ctx's error if ctx is cancelled first.
func WaitAllTasksBlocked(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if q, ok := backendOf(ctx).(anyiort.QuiescenceWaiter); ok {
		return q.WaitAllTasksBlocked(ctx)
	}
	// A backend that cannot tell: let every other task run first.
	return Checkpoint(ctx)
}
