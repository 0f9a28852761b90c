package conformance

import (
	"context"
	"errors"
	"testing"

	anyio "github.com/anyiogen/anyiogen/generated/anyio"
)

// AnyIO TestCondition::test_manual_acquire: Wait returns once notified,
// holding the lock.
func TestConditionManualAcquire(t *testing.T) {
	confEachBackend(t, func(t *testing.T, ctx context.Context) error {
		cond := anyio.NewCondition(nil)
		return anyio.WithTaskGroup(ctx, func(ctx context.Context, tg *anyio.TaskGroup) error {
			if err := cond.Acquire(ctx); err != nil {
				return err
			}
			defer cond.Release()
			if !cond.Locked() {
				t.Errorf("Locked = false after Acquire")
			}
			tg.StartSoon(func(ctx context.Context) error {
				if err := cond.Acquire(ctx); err != nil {
					return err
				}
				defer cond.Release()
				cond.NotifyAll()
				return nil
			})
			if err := cond.Wait(ctx); err != nil {
				return err
			}
			if s := cond.Statistics().Lock; !s.Locked || s.Owner != anyio.CurrentTask(ctx) {
				t.Errorf("after Wait the lock is %+v, want held by the waiter", s)
			}
			return nil
		})
	})
}

// AnyIO TestCondition::test_acquire_nowait and test_acquire_nowait_wouldblock.
func TestConditionAcquireNowait(t *testing.T) {
	confEachBackend(t, func(t *testing.T, ctx context.Context) error {
		cond := anyio.NewCondition(nil)
		if err := cond.AcquireNowait(ctx); err != nil || !cond.Locked() {
			t.Errorf("AcquireNowait = %v, Locked %v", err, cond.Locked())
		}
		defer cond.Release()
		return anyio.WithTaskGroup(ctx, func(ctx context.Context, tg *anyio.TaskGroup) error {
			tg.StartSoon(func(ctx context.Context) error {
				if err := cond.AcquireNowait(ctx); !errors.Is(err, anyio.ErrWouldBlock) {
					t.Errorf("another task's AcquireNowait = %v, want ErrWouldBlock", err)
				}
				return nil
			})
			return nil
		})
	})
}

// AnyIO TestCondition::test_wait_cancel: a cancelled Wait returns holding
// the lock again, so the caller's release works.
func TestConditionWaitCancel(t *testing.T) {
	confEachBackend(t, func(t *testing.T, ctx context.Context) error {
		cond := anyio.NewCondition(nil)
		event := anyio.NewEvent()
		started, notified := false, false
		err := anyio.WithTaskGroup(ctx, func(ctx context.Context, tg *anyio.TaskGroup) error {
			tg.StartSoon(func(ctx context.Context) error {
				if err := cond.Acquire(ctx); err != nil {
					return err
				}
				defer cond.Release() // panics if Wait did not take the lock back
				started = true
				event.Set()
				err := cond.Wait(ctx)
				if s := cond.Statistics().Lock; !s.Locked || s.Owner != anyio.CurrentTask(ctx) {
					t.Errorf("after a cancelled Wait the lock is %+v, want held by the waiter", s)
				}
				if err != nil {
					return err
				}
				notified = true
				return nil
			})
			if err := event.Wait(ctx); err != nil {
				return err
			}
			if err := anyio.WaitAllTasksBlocked(ctx); err != nil {
				return err
			}
			tg.CancelScope().Cancel()
			return nil
		})
		if err != nil || !started || notified {
			t.Errorf("WithTaskGroup = %v, started %v, notified %v; want nil, true, false", err, started, notified)
		}
		return nil
	})
}

// AnyIO TestCondition::test_notification_handover_on_cancel: a waiter
// whose scope was cancelled before the notification does not swallow it;
// the next waiter gets it.
func TestConditionNotificationHandoverOnCancel(t *testing.T) {
	confEachBackend(t, func(t *testing.T, ctx context.Context) error {
		cond := anyio.NewCondition(nil)
		acquirer := func(scope *anyio.CancelScope) func(ctx context.Context) error {
			return func(ctx context.Context) error {
				return scope.Run(ctx, func(ctx context.Context) error {
					if err := cond.Acquire(ctx); err != nil {
						return err
					}
					defer cond.Release()
					return cond.Wait(ctx)
				})
			}
		}
		scope1 := anyio.NewCancelScope()
		scope2 := anyio.NewCancelScope(anyio.Deadline(anyio.Now(ctx).Add(confPrompt)))
		err := anyio.WithTaskGroup(ctx, func(ctx context.Context, tg *anyio.TaskGroup) error {
			tg.StartSoon(acquirer(scope1))
			if err := anyio.WaitAllTasksBlocked(ctx); err != nil {
				return err
			}
			tg.StartSoon(acquirer(scope2))
			if err := anyio.WaitAllTasksBlocked(ctx); err != nil {
				return err
			}
			if err := cond.Acquire(ctx); err != nil {
				return err
			}
			scope1.Cancel()
			cond.Notify(1)
			cond.Release()
			return nil
		})
		if err != nil {
			return err
		}
		if scope2.CancelledCaught() {
			t.Errorf("the second waiter was never notified: its deadline passed")
		}
		if !scope1.CancelledCaught() {
			t.Errorf("the cancelled waiter returned normally")
		}
		return nil
	})
}

// AnyIO TestCondition::test_wait_no_lock: Wait without the lock is an
// error at once.
func TestConditionWaitNoLock(t *testing.T) {
	confEachBackend(t, func(t *testing.T, ctx context.Context) error {
		cond := anyio.NewCondition(nil)
		if err := cond.Wait(ctx); err == nil || confIsCancellation(err) {
			t.Errorf("Wait without the lock = %v, want an error saying the task does not hold it", err)
		}
		return nil
	})
}

// AnyIO TestCondition::test_statistics: a notification takes its waiter
// off the count at once.
func TestConditionStatistics(t *testing.T) {
	confEachBackend(t, func(t *testing.T, ctx context.Context) error {
		cond := anyio.NewCondition(nil)
		if s := cond.Statistics(); s.TasksWaiting != 0 || s.Lock.Locked {
			t.Errorf("new condition: %+v", s)
		}
		err := anyio.WithTaskGroup(ctx, func(ctx context.Context, tg *anyio.TaskGroup) error {
			for i := 1; i <= 2; i++ {
				tg.StartSoon(func(ctx context.Context) error {
					if err := cond.Acquire(ctx); err != nil {
						return err
					}
					defer cond.Release()
					return cond.Wait(ctx)
				})
				if err := anyio.WaitAllTasksBlocked(ctx); err != nil {
					return err
				}
				if n := cond.Statistics().TasksWaiting; n != i {
					t.Errorf("TasksWaiting with %d waiters = %d", i, n)
				}
			}
			for want := 1; want >= 0; want-- {
				if err := cond.Acquire(ctx); err != nil {
					return err
				}
				cond.Notify(1)
				cond.Release()
				if n := cond.Statistics().TasksWaiting; n != want {
					t.Errorf("TasksWaiting after a Notify(1) = %d, want %d", n, want)
				}
				if err := anyio.WaitAllTasksBlocked(ctx); err != nil {
					return err
				}
			}
			return nil
		})
		if s := cond.Statistics(); s.TasksWaiting != 0 || s.Lock.Locked {
			t.Errorf("afterwards: %+v", s)
		}
		return err
	})
}

// AnyIO TestCondition::test_wait_for: the predicate is checked before the
// first wait and after every notification.
func TestConditionWaitFor(t *testing.T) {
	confEachBackend(t, func(t *testing.T, ctx context.Context) error {
		cond := anyio.NewCondition(nil)
		value := ""
		result := "unset"
		err := anyio.WithTaskGroup(ctx, func(ctx context.Context, tg *anyio.TaskGroup) error {
			tg.StartSoon(func(ctx context.Context) error {
				if err := cond.Acquire(ctx); err != nil {
					return err
				}
				defer cond.Release()
				if err := cond.WaitFor(ctx, func() bool { return value != "" }); err != nil {
					return err
				}
				result = value
				return nil
			})
			if err := anyio.WaitAllTasksBlocked(ctx); err != nil {
				return err
			}
			notifyAll := func() error {
				if err := cond.Acquire(ctx); err != nil {
					return err
				}
				cond.NotifyAll()
				cond.Release()
				return anyio.WaitAllTasksBlocked(ctx)
			}
			if err := notifyAll(); err != nil {
				return err
			}
			if result != "unset" {
				t.Errorf("WaitFor returned while its predicate was false")
			}
			value = "foo"
			return notifyAll()
		})
		if result != "foo" {
			t.Errorf("WaitFor's caller saw %q, want foo", result)
		}
		return err
	})
}
