package useslib

import (
	"context"

	"example.com/gen/anyio"
	"example.com/lib"
)

func Main() {
	_ = lib.Pause(context.Background()) // outside any run: not reported
	_ = anyio.Run(func(ctx context.Context) error {
		if err := lib.Fine(ctx); err != nil {
			return err
		}
		return lib.Pause(ctx) // want `lib.Pause, called here with the run's ctx, reaches something the simulator cannot see, at lib.go:11: time.Sleep inside a run`
	})
}
