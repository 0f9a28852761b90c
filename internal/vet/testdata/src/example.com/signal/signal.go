package signal

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"example.com/gen/anyio"
)

func Main() {
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, syscall.SIGTERM) // outside any run: not reported
	_ = anyio.Run(func(ctx context.Context) error {
		signal.Notify(ch, syscall.SIGTERM)                                      // want `signal.Notify inside a run delivers the OS's signals on a channel, which the simulator cannot see or send; use anyio.OpenSignalReceiver`
		ctx, stop := signal.NotifyContext(ctx, syscall.SIGINT, syscall.SIGTERM) // want `signal.NotifyContext inside a run`
		defer stop()
		signal.Stop(ch) // stopping a delivery waits for nothing: fine
		return anyio.Sleep(ctx, 0)
	})
}
