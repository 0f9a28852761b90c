package sleep

import (
	"context"
	"time"

	"example.com/gen/anyio"
)

func Main() {
	time.Sleep(time.Second) // outside any run: not reported
	_ = anyio.Run(func(ctx context.Context) error {
		time.Sleep(time.Second)         // want `time.Sleep inside a run waits on the wall clock`
		<-time.After(time.Second)       // want `time.After inside a run waits on the wall clock`
		t := time.NewTimer(time.Second) // want `time.NewTimer inside a run`
		t.Stop()
		return anyio.WithTaskGroup(ctx, func(ctx context.Context, tg *anyio.TaskGroup) error {
			tg.StartSoon(worker)
			tg.StartSoon(func(ctx context.Context) error {
				return anyio.ToThread(ctx, func() error {
					time.Sleep(time.Second) // in a thread, blocking is the point: not reported
					return nil
				})
			})
			return nil
		})
	})
}

// worker is handed to the package by name.
func worker(ctx context.Context) error {
	time.Sleep(10 * time.Millisecond) // want `time.Sleep inside a run`
	return helper(ctx)
}

// helper is called with the run's ctx.
func helper(ctx context.Context) error {
	time.Sleep(time.Millisecond) // want `time.Sleep inside a run`
	return nil
}

// Unused takes a ctx, but nothing in a run calls it: not reported.
func Unused(ctx context.Context) { time.Sleep(time.Second) }

func Ignored() {
	_ = anyio.Run(func(ctx context.Context) error {
		//anyiovet:ignore a deliberate wall-clock pause
		time.Sleep(time.Second)
		return nil
	})
}
