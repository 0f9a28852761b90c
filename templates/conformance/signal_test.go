package conformance

import (
	"context"
	"errors"
	"os"
	"syscall"
	"testing"

	anyio "github.com/anyiogen/anyiogen/generated/anyio"
)

// Signals: AnyIO's tests/test_signals.py, with RaiseSignal sending the
// signal (os.kill of the process's own pid there).

// AnyIO TestSignals::test_receive_signals.
func TestReceiveSignals(t *testing.T) {
	confEachBackend(t, func(t *testing.T, ctx context.Context) error {
		r, err := anyio.OpenSignalReceiver(ctx, syscall.SIGUSR1, syscall.SIGUSR2)
		if err != nil {
			return err
		}
		defer r.Close()
		for _, sig := range []os.Signal{syscall.SIGUSR1, syscall.SIGUSR2} {
			if err := anyio.RaiseSignal(ctx, sig); err != nil {
				return err
			}
		}
		return anyio.FailAfter(ctx, confPrompt, func(ctx context.Context) error {
			for _, want := range []os.Signal{syscall.SIGUSR1, syscall.SIGUSR2} {
				got, err := r.Receive(ctx)
				if err != nil {
					return err
				}
				if got != want {
					t.Errorf("received %v, want %v", got, want)
				}
			}
			return nil
		})
	})
}

// AnyIO TestSignals::test_task_group_cancellation_open: a task that opens
// a receiver and waits on it is cancelled with its group.
func TestTaskGroupCancellationOpen(t *testing.T) {
	confEachBackend(t, func(t *testing.T, ctx context.Context) error {
		return anyio.WithTaskGroup(ctx, func(ctx context.Context, tg *anyio.TaskGroup) error {
			tg.StartSoon(func(ctx context.Context) error {
				r, err := anyio.OpenSignalReceiver(ctx, syscall.SIGUSR1)
				if err != nil {
					return err
				}
				defer r.Close()
				sig, err := r.Receive(ctx)
				if err == nil {
					t.Errorf("received %v: no signal was sent", sig)
				}
				return err
			})
			tg.CancelScope().Cancel()
			return nil
		})
	})
}

// AnyIO TestSignals::test_task_group_cancellation_consume: a task that
// waits on a receiver opened outside its group is cancelled with it.
func TestTaskGroupCancellationConsume(t *testing.T) {
	confEachBackend(t, func(t *testing.T, ctx context.Context) error {
		r, err := anyio.OpenSignalReceiver(ctx, syscall.SIGUSR1)
		if err != nil {
			return err
		}
		defer r.Close()
		return anyio.WithTaskGroup(ctx, func(ctx context.Context, tg *anyio.TaskGroup) error {
			tg.StartSoon(func(ctx context.Context) error {
				sig, err := r.Receive(ctx)
				if err == nil {
					t.Errorf("received %v: no signal was sent", sig)
				}
				return err
			})
			if err := anyio.Sleep(ctx, confTick); err != nil {
				return err
			}
			tg.CancelScope().Cancel()
			return nil
		})
	})
}

// A closed receiver answers ErrClosedResource, and a receiver must be asked
// for at least one signal.
func TestSignalReceiverCloseAndMisuse(t *testing.T) {
	confEachBackend(t, func(t *testing.T, ctx context.Context) error {
		if _, err := anyio.OpenSignalReceiver(ctx); err == nil {
			t.Error("OpenSignalReceiver with no signals: no error")
		}
		r, err := anyio.OpenSignalReceiver(ctx, syscall.SIGUSR2)
		if err != nil {
			return err
		}
		if err := r.Close(); err != nil {
			return err
		}
		if err := r.Close(); err != nil {
			t.Errorf("a second Close: %v, want nil", err)
		}
		if _, err := r.Receive(ctx); !errors.Is(err, anyio.ErrClosedResource) {
			t.Errorf("Receive after Close: %v, want ErrClosedResource", err)
		}
		return nil
	})
}
