package conformance

import (
	"context"
	"errors"
	"testing"

	anyio "github.com/anyiogen/anyiogen/generated/anyio"
)

// WaitAllTasksBlocked returns once every other task waits in the package;
// on sim without moving the clock.
func TestWaitAllTasksBlocked(t *testing.T) {
	confEachBackend(t, func(t *testing.T, ctx context.Context) error {
		var reached [3]bool
		return anyio.WithTaskGroup(ctx, func(ctx context.Context, tg *anyio.TaskGroup) error {
			tx, rx := anyio.NewMemoryObjectStream[int](0)
			tg.StartSoon(func(ctx context.Context) error { reached[0] = true; _, err := rx.Receive(ctx); return err })
			tg.StartSoon(func(ctx context.Context) error { reached[1] = true; return anyio.Sleep(ctx, confForever) })
			tg.StartSoon(func(ctx context.Context) error {
				for range 10 {
					if err := anyio.Checkpoint(ctx); err != nil {
						return err
					}
				}
				reached[2] = true
				return tx.Send(ctx, 1)
			})
			before := anyio.Now(ctx)
			if err := anyio.WaitAllTasksBlocked(ctx); err != nil {
				return err
			}
			if reached != [3]bool{true, true, true} {
				t.Errorf("WaitAllTasksBlocked returned before every task was blocked: reached %v", reached)
			}
			if anyio.CurrentBackend(ctx) != "std" && !anyio.Now(ctx).Equal(before) {
				t.Errorf("WaitAllTasksBlocked moved the virtual clock by %v", anyio.Now(ctx).Sub(before))
			}
			tg.CancelScope().Cancel()
			return nil
		})
	})
}

// AnyIO test_wait_all_tasks_blocked_cancelled_task: a task with a pending
// cancellation is not blocked; WaitAllTasksBlocked waits until it has gone
// through it.
func TestWaitAllTasksBlockedCancelledTask(t *testing.T) {
	confEachBackend(t, func(t *testing.T, ctx context.Context) error {
		done := false
		return anyio.WithTaskGroup(ctx, func(ctx context.Context, tg *anyio.TaskGroup) error {
			_, err := tg.Start(ctx, func(ctx context.Context, st *anyio.TaskStatus) error {
				st.Started(nil)
				if _, err := anyio.MoveOnAfter(ctx, -1, func(ctx context.Context) error {
					return anyio.Sleep(ctx, confForever)
				}); err != nil {
					return err
				}
				done = true
				return nil
			})
			if err != nil {
				return err
			}
			if err := anyio.WaitAllTasksBlocked(ctx); err != nil {
				return err
			}
			if !done {
				t.Errorf("WaitAllTasksBlocked returned while a task still had a cancellation to go through")
			}
			return nil
		})
	})
}

// A cancelled ctx ends the wait with its error.
func TestWaitAllTasksBlockedHonoursCtx(t *testing.T) {
	confEachBackend(t, func(t *testing.T, ctx context.Context) error {
		scope := anyio.NewCancelScope()
		return scope.Run(ctx, func(ctx context.Context) error {
			scope.Cancel()
			if err := anyio.WaitAllTasksBlocked(ctx); !confIsCancellation(err) {
				t.Errorf("WaitAllTasksBlocked in a cancelled scope = %v, want its cancellation", err)
			}
			return nil
		})
	})
}

// AnyIO's ResourceGuard: the second Enter fails with ErrBusyResource naming
// the action; after exit, Enter works again.
func TestResourceGuard(t *testing.T) {
	g := anyio.NewResourceGuard("reading from")
	exit, err := g.Enter()
	if err != nil {
		t.Fatalf("first Enter: %v", err)
	}
	_, err = g.Enter()
	if !errors.Is(err, anyio.ErrBusyResource) || err.Error() != "anyio: another task is already reading from this resource" {
		t.Errorf("second Enter = %v, want ErrBusyResource saying another task is already reading from this resource", err)
	}
	exit()
	exit2, err := g.Enter()
	if err != nil {
		t.Errorf("Enter after exit: %v", err)
	} else {
		exit2()
	}
}

// Rand returns a generator the caller owns: two calls give two generators.
func TestRandGenerators(t *testing.T) {
	confEachBackend(t, func(t *testing.T, ctx context.Context) error {
		a, b := anyio.Rand(ctx), anyio.Rand(ctx)
		if a == nil || b == nil || a == b {
			t.Errorf("Rand = %p, %p; want two distinct generators", a, b)
		}
		same := true
		for range 4 {
			if a.Uint64() != b.Uint64() {
				same = false
			}
		}
		if same {
			t.Errorf("two generators from Rand drew the same numbers")
		}
		return nil
	})
}
