package conformance

import (
	"context"
	"testing"

	anyio "github.com/anyiogen/anyiogen/generated/anyio"
)

// AnyIO TestEvent::test_event.
func TestEventSetWakesWaiter(t *testing.T) {
	confEachBackend(t, func(t *testing.T, ctx context.Context) error {
		event := anyio.NewEvent()
		err := anyio.WithTaskGroup(ctx, func(ctx context.Context, tg *anyio.TaskGroup) error {
			tg.StartSoon(func(ctx context.Context) error {
				if event.IsSet() {
					t.Errorf("IsSet = true before Set")
				}
				event.Set()
				event.Set() // idempotent
				return nil
			})
			return event.Wait(ctx)
		})
		if err != nil || !event.IsSet() {
			t.Errorf("WithTaskGroup = %v, IsSet %v; want nil, true", err, event.IsSet())
		}
		return nil
	})
}

// AnyIO TestEvent::test_event_cancel: a task cancelled before it waits does
// not get through Wait, though the event is set.
func TestEventCancel(t *testing.T) {
	confEachBackend(t, func(t *testing.T, ctx context.Context) error {
		event := anyio.NewEvent()
		started, eventSet := false, false
		err := anyio.WithTaskGroup(ctx, func(ctx context.Context, tg *anyio.TaskGroup) error {
			tg.StartSoon(func(ctx context.Context) error {
				started = true
				if err := event.Wait(ctx); err != nil {
					return err
				}
				eventSet = true
				return nil
			})
			tg.CancelScope().Cancel()
			event.Set()
			return nil
		})
		if err != nil || !started || eventSet {
			t.Errorf("WithTaskGroup = %v, started %v, got through Wait %v; want nil, true, false", err, started, eventSet)
		}
		return nil
	})
}

// AnyIO TestEvent::test_event_wait_before_set_before_cancel: a waiter whose
// event was set before its scope was cancelled returns nil.
func TestEventWaitBeforeSetBeforeCancel(t *testing.T) {
	confEachBackend(t, func(t *testing.T, ctx context.Context) error {
		event := anyio.NewEvent()
		setterStarted, waiterWoke := false, false
		err := anyio.WithTaskGroup(ctx, func(ctx context.Context, tg *anyio.TaskGroup) error {
			tg.StartSoon(func(ctx context.Context) error {
				setterStarted = true
				if event.IsSet() {
					t.Errorf("IsSet before Set")
				}
				// The waiter waits first (on std it could otherwise come
				// to Wait after the cancellation, which then wins).
				if err := confWaitUntil(ctx, "the waiter waits", func() bool { return event.Statistics().TasksWaiting == 1 }); err != nil {
					return err
				}
				event.Set()
				tg.CancelScope().Cancel()
				return nil
			})
			if err := event.Wait(ctx); err != nil {
				return err
			}
			waiterWoke = true
			return nil
		})
		if err != nil || !setterStarted || !waiterWoke {
			t.Errorf("WithTaskGroup = %v, setter started %v, waiter woke %v; want nil, true, true", err, setterStarted, waiterWoke)
		}
		return nil
	})
}

// "a ctx already cancelled wins" over an event already set.
func TestEventWaitCancelledCtxWins(t *testing.T) {
	confEachBackend(t, func(t *testing.T, ctx context.Context) error {
		event := anyio.NewEvent()
		event.Set()
		scope := anyio.NewCancelScope()
		return scope.Run(ctx, func(ctx context.Context) error {
			scope.Cancel()
			if err := event.Wait(ctx); !confIsCancellation(err) {
				t.Errorf("Wait of a set event with a cancelled ctx = %v, want the cancellation", err)
			}
			return nil
		})
	})
}

// AnyIO TestEvent::test_statistics.
func TestEventStatistics(t *testing.T) {
	confEachBackend(t, func(t *testing.T, ctx context.Context) error {
		event := anyio.NewEvent()
		if n := event.Statistics().TasksWaiting; n != 0 {
			t.Errorf("TasksWaiting of a new event = %d", n)
		}
		err := anyio.WithTaskGroup(ctx, func(ctx context.Context, tg *anyio.TaskGroup) error {
			for i := 1; i <= 2; i++ {
				tg.StartSoon(event.Wait)
				if err := anyio.WaitAllTasksBlocked(ctx); err != nil {
					return err
				}
				if n := event.Statistics().TasksWaiting; n != i {
					t.Errorf("TasksWaiting with %d waiters = %d", i, n)
				}
			}
			event.Set()
			return nil
		})
		if n := event.Statistics().TasksWaiting; n != 0 {
			t.Errorf("TasksWaiting after Set = %d", n)
		}
		return err
	})
}

// AnyIO TestEvent::test_instantiate_outside_event_loop: Set works outside
// any run, and a run then waits through it at once.
func TestEventOutsideRun(t *testing.T) {
	event := anyio.NewEvent()
	if event.IsSet() || event.Statistics().TasksWaiting != 0 {
		t.Errorf("a new event: IsSet %v, %+v", event.IsSet(), event.Statistics())
	}
	event.Set()
	confEachBackend(t, func(t *testing.T, ctx context.Context) error { return event.Wait(ctx) })
}

// A Set from a goroutine no run started wakes a waiting task.
func TestEventSetFromPlainGoroutine(t *testing.T) {
	confEachBackend(t, func(t *testing.T, ctx context.Context) error {
		event := anyio.NewEvent()
		return anyio.WithTaskGroup(ctx, func(ctx context.Context, tg *anyio.TaskGroup) error {
			tg.StartSoon(func(ctx context.Context) error {
				if err := anyio.WaitAllTasksBlocked(ctx); err != nil {
					return err
				}
				return confInGoroutine(event.Set)
			})
			return anyio.FailAfter(ctx, confPrompt, event.Wait)
		})
	})
}
