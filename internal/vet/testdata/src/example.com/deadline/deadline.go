package deadline

import (
	"context"
	"time"

	"example.com/gen/anyio"
	"example.com/gen/anyio/anyiotest"
)

func Main() {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second) // outside any run: not reported
	defer cancel()
	_ = anyio.Run(func(ctx context.Context) error {
		c2, cancel := context.WithTimeout(ctx, time.Second) // want `context.WithTimeout inside a run sets a deadline on the wall clock.*use anyio.FailAfter, anyio.MoveOnAfter or a CancelScope's Deadline`
		defer cancel()
		c3, cancel3 := context.WithDeadline(c2, time.Time{}) // want `context.WithDeadline inside a run`
		defer cancel3()
		c4, cancel4 := context.WithCancel(c3) // a cancel, not a deadline: fine
		defer cancel4()
		return anyio.Checkpoint(c4)
	})
	_ = ctx
}

// A body handed to the test helper runs, on sim, in a testing/synctest
// bubble, whose clock the context package shares: its deadlines are kept.
func Swept() {
	anyiotest.Seeds(3, func(ctx context.Context) error {
		ctx, cancel := context.WithTimeout(ctx, time.Second)
		defer cancel()
		return anyio.Checkpoint(ctx)
	})
}
