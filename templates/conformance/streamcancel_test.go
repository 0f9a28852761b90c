package conformance

import (
	"context"
	"errors"
	"testing"

	anyio "github.com/anyiogen/anyiogen/generated/anyio"
)

// confScopedReceiver starts a task that receives once from rx inside a
// scope of its own, which it returns from Start; got and err record the
// outcome.
func confScopedReceiver(ctx context.Context, tg *anyio.TaskGroup, rx *anyio.ReceiveStream[string], got *string, gotErr *error) (*anyio.CancelScope, error) {
	v, err := tg.Start(ctx, func(ctx context.Context, st *anyio.TaskStatus) error {
		scope := anyio.NewCancelScope()
		return scope.Run(ctx, func(ctx context.Context) error {
			st.Started(scope)
			*got, *gotErr = rx.Receive(ctx)
			return *gotErr
		})
	})
	if err != nil {
		return nil, err
	}
	return v.(*anyio.CancelScope), nil
}

// AnyIO test_cancel_during_receive_buffered: a buffered Receive whose scope
// was cancelled before an item came takes nothing, level-triggered, and the
// item stays in the stream.
func TestCancelDuringReceiveBuffered(t *testing.T) {
	confEachBackend(t, func(t *testing.T, ctx context.Context) error {
		tx, rx := anyio.NewMemoryObjectStream[string](1)
		var got string
		var gotErr error
		err := anyio.WithTaskGroup(ctx, func(ctx context.Context, tg *anyio.TaskGroup) error {
			scope, err := confScopedReceiver(ctx, tg, rx, &got, &gotErr)
			if err != nil {
				return err
			}
			if err := anyio.WaitAllTasksBlocked(ctx); err != nil {
				return err
			}
			scope.Cancel()
			return tx.SendNowait("item") // before the receiver runs again
		})
		if err != nil {
			return err
		}
		if !confIsCancellation(gotErr) || got != "" {
			t.Errorf("Receive cancelled before the item came = %q, %v; want the cancellation", got, gotErr)
		}
		if item, err := rx.ReceiveNowait(); item != "item" || err != nil {
			t.Errorf("ReceiveNowait afterwards = %q, %v; want the item still in the stream", item, err)
		}
		return nil
	})
}

// AnyIO test_cancel_during_receive: on a rendezvous stream, an item handed
// to a waiting receiver before its scope was cancelled is received; the
// sender was told so.
func TestCancelDuringReceive(t *testing.T) {
	confEachBackend(t, func(t *testing.T, ctx context.Context) error {
		tx, rx := anyio.NewMemoryObjectStream[string](0)
		var got string
		var gotErr error
		err := anyio.WithTaskGroup(ctx, func(ctx context.Context, tg *anyio.TaskGroup) error {
			scope, err := confScopedReceiver(ctx, tg, rx, &got, &gotErr)
			if err != nil {
				return err
			}
			if err := anyio.WaitAllTasksBlocked(ctx); err != nil {
				return err
			}
			if err := tx.SendNowait("hello"); err != nil {
				return err
			}
			scope.Cancel()
			return nil
		})
		if err != nil {
			return err
		}
		if got != "hello" || gotErr != nil {
			t.Errorf("Receive handed an item before its cancel = %q, %v; want hello, nil", got, gotErr)
		}
		return nil
	})
}

// Several receivers wait on a buffered stream; the first is cancelled and
// then an item comes: the next receiver gets it, in order.
func TestCancelledReceiverPassesItemOn(t *testing.T) {
	confEachBackend(t, func(t *testing.T, ctx context.Context) error {
		tx, rx := anyio.NewMemoryObjectStream[string](4)
		var got1, got2 string
		var err1, err2 error
		err := anyio.WithTaskGroup(ctx, func(ctx context.Context, tg *anyio.TaskGroup) error {
			scope, err := confScopedReceiver(ctx, tg, rx, &got1, &err1)
			if err != nil {
				return err
			}
			if err := anyio.WaitAllTasksBlocked(ctx); err != nil {
				return err
			}
			if _, err := confScopedReceiver(ctx, tg, rx, &got2, &err2); err != nil {
				return err
			}
			if err := anyio.WaitAllTasksBlocked(ctx); err != nil {
				return err
			}
			scope.Cancel()
			return errors.Join(tx.SendNowait("a"), tx.SendNowait("b"))
		})
		if err != nil {
			return err
		}
		if !confIsCancellation(err1) || got2 != "a" || err2 != nil {
			t.Errorf("first receiver (cancelled) = %q, %v; second = %q, %v; want a cancellation, then a", got1, err1, got2, err2)
		}
		if item, err := rx.ReceiveNowait(); item != "b" || err != nil {
			t.Errorf("ReceiveNowait = %q, %v; want b", item, err)
		}
		return nil
	})
}
