package goroutine

import (
	"context"

	"example.com/gen/anyio"
)

func Main() {
	go func() {}() // outside any run: not reported
	_ = anyio.Run(func(ctx context.Context) error {
		go func() { // want `a go statement inside a run starts a goroutine the simulator does not schedule; start a task with a TaskGroup's StartSoon`
			_ = anyio.Checkpoint(ctx)
		}()
		return nil
	})
}
