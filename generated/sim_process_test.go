package generated

import (
	"context"
	"errors"
	"fmt"
	"io"
	"syscall"
	"testing"
	"time"

	"github.com/anyiogen/anyiogen/generated/anyio"
)

// On sim a program runs as a task of the calling host: a crash of the host
// kills it (it never runs again), and SIGTERM reaches it as the
// cancellation of its ctx, with the signal as the cause.
func TestSimProgramRunsOnItsHost(t *testing.T) {
	ticks := 0
	var cause error
	ticker := func(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
		for {
			if err := anyio.Sleep(ctx, time.Millisecond); err != nil {
				cause = context.Cause(ctx)
				return 3
			}
			ticks++
		}
	}
	nw := diskNetwork()
	err := simRun(t, func(ctx context.Context) error {
		// SIGTERM, on localhost.
		p, err := anyio.OpenProcess(ctx, []string{"ticker"})
		if err != nil {
			return err
		}
		if err := anyio.Sleep(ctx, 5*time.Millisecond); err != nil {
			return err
		}
		p.Signal(syscall.SIGTERM)
		code, err := p.Wait(ctx)
		p.Close()
		if code != 3 || err != nil || cause == nil || cause.Error() != "signal: terminated" {
			return fmt.Errorf("after SIGTERM: code %d, %v, cause %v; want the program's 3 and the signal as the cause", code, err, cause)
		}
		// A crash, on db.
		ticks = 0
		err = anyio.WithTaskGroup(ctx, func(ctx context.Context, tg *anyio.TaskGroup) error {
			tg.StartSoon(func(ctx context.Context) error {
				err := onHost(ctx, func(ctx context.Context) error {
					p, err := anyio.OpenProcess(ctx, []string{"ticker"})
					if err != nil {
						return err
					}
					defer p.Close()
					_, err = p.Wait(ctx)
					return err
				})
				if !errors.Is(err, anyio.ErrHostCrashed) {
					return fmt.Errorf("RunHost = %v, want the crash", err)
				}
				return nil
			})
			if err := anyio.Sleep(ctx, 5*time.Millisecond); err != nil {
				return err
			}
			nw.Crash("db")
			at := ticks
			if err := anyio.Sleep(ctx, 5*time.Millisecond); err != nil {
				return err
			}
			if at == 0 || ticks != at {
				return fmt.Errorf("the program ticked %d times before the crash and %d after; want some, then none", at, ticks-at)
			}
			return nil
		})
		return err
	}, anyio.Network(nw), anyio.SimProgram("ticker", ticker))
	if err != nil {
		t.Fatal(err)
	}
}
