package helperuse

import (
	"context"
	"time"

	"example.com/gen/anyio"
	"example.com/gen/anyio/anyiotest"
)

// A body handed to the helper is a region too; the fix names the package
// that has Sleep, not the helper.
func Sweep() {
	anyiotest.Seeds(3, func(ctx context.Context) error {
		time.Sleep(time.Second) // want `time.Sleep inside a run waits on the wall clock, which the simulator cannot see; use anyio.Sleep, anyio.FailAfter or anyio.MoveOnAfter`
		return anyio.Checkpoint(ctx)
	})
}
