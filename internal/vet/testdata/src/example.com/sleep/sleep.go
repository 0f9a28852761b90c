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

func Selects() {
	_ = anyio.Run(func(ctx context.Context) error {
		select {
		case <-time.After(time.Second): // want `time.After inside a run`
		case <-ctx.Done():
			return ctx.Err()
		}
		return anyio.ToThread(ctx, blockingRead)
	})
}

// blockingRead is handed to ToThread by name: a thread may block.
func blockingRead() error {
	time.Sleep(time.Second)
	return nil
}

// ping and pong call each other with the run's ctx; each is reported once.
func ping(ctx context.Context, n int) error {
	if n == 0 {
		return nil
	}
	time.Sleep(time.Millisecond) // want `time.Sleep inside a run`
	return pong(ctx, n-1)
}

func pong(ctx context.Context, n int) error {
	<-time.After(time.Millisecond) // want `time.After inside a run`
	return ping(ctx, n-1)
}

func PingPong() {
	_ = anyio.Run(func(ctx context.Context) error { return pong(ctx, 3) })
}

func Shadowed() {
	_ = anyio.Run(func(ctx context.Context) error {
		anyio := 1
		_ = anyio
		time.Sleep(time.Second) // want `time.Sleep inside a run`
		return nil
	})
}

// count returns a value besides its error: a fix would have to make one
// up, so none is offered.
func count(ctx context.Context) (int, error) {
	time.Sleep(time.Millisecond) // want `time.Sleep inside a run`
	return 0, nil
}

// pause returns nothing: Sleep's error would have nowhere to go, so no fix
// is offered.
func pause(ctx context.Context) {
	time.Sleep(time.Millisecond) // want `time.Sleep inside a run`
}

func Counts() {
	_ = anyio.Run(func(ctx context.Context) error {
		pause(ctx)
		_, err := count(ctx)
		return err
	})
}
