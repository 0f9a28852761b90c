package conformance

import (
	"context"
	"errors"
	"testing"

	anyio "github.com/anyiogen/anyiogen/generated/anyio"
)

// AnyIO TestSemaphore::test_manual_acquire: two tasks share a semaphore of
// two; the value is back at two afterwards.
func TestSemaphoreManualAcquire(t *testing.T) {
	confEachBackend(t, func(t *testing.T, ctx context.Context) error {
		sem := anyio.NewSemaphore(2)
		err := anyio.WithTaskGroup(ctx, func(ctx context.Context, tg *anyio.TaskGroup) error {
			for range 2 {
				tg.StartSoon(func(ctx context.Context) error {
					if err := sem.Acquire(ctx); err != nil {
						return err
					}
					defer sem.Release()
					if v := sem.Value(); v != 0 && v != 1 {
						t.Errorf("Value while held = %d, want 0 or 1", v)
					}
					return anyio.Checkpoint(ctx)
				})
			}
			return nil
		})
		if v := sem.Value(); v != 2 {
			t.Errorf("Value afterwards = %d, want 2", v)
		}
		return err
	})
}

// AnyIO TestSemaphore::test_acquire_nowait.
func TestSemaphoreAcquireNowait(t *testing.T) {
	sem := anyio.NewSemaphore(1)
	if err := sem.AcquireNowait(); err != nil || sem.Value() != 0 {
		t.Errorf("AcquireNowait = %v, Value %d; want nil, 0", err, sem.Value())
	}
	if err := sem.AcquireNowait(); !errors.Is(err, anyio.ErrWouldBlock) {
		t.Errorf("AcquireNowait at 0 = %v, want ErrWouldBlock", err)
	}
}

// AnyIO TestSemaphore::test_cancel_during_acquire, both variants.
func TestSemaphoreCancelDuringAcquire(t *testing.T) {
	confCancelDuringAcquire(t, func() confPrimitive {
		sem := anyio.NewSemaphore(1)
		return confPrimitive{acquire: sem.Acquire, release: sem.Release, free: func() bool { return sem.Value() == 1 }}
	})
}

// AnyIO TestSemaphore::test_max_value and test_max_value_exceeded.
func TestSemaphoreMaxValue(t *testing.T) {
	if n, ok := anyio.NewSemaphore(0, anyio.MaxValue(2)).MaxValue(); n != 2 || !ok {
		t.Errorf("MaxValue = %d, %v; want 2, true", n, ok)
	}
	if _, ok := anyio.NewSemaphore(0).MaxValue(); ok {
		t.Errorf("MaxValue of a semaphore without one reports one")
	}
	sem := anyio.NewSemaphore(1, anyio.MaxValue(2))
	sem.Release()
	if sem.Value() != 2 {
		t.Fatalf("Value = %d, want 2", sem.Value())
	}
	defer func() {
		if r := recover(); r == nil {
			t.Errorf("a Release past the maximum did not panic")
		}
		if sem.Value() != 2 {
			t.Errorf("Value after the refused Release = %d, want 2", sem.Value())
		}
	}()
	sem.Release()
}

// NewSemaphore panics on a negative value or a maximum below it.
func TestSemaphoreBadInit(t *testing.T) {
	for name, f := range map[string]func(){
		"negative":          func() { anyio.NewSemaphore(-1) },
		"max below initial": func() { anyio.NewSemaphore(3, anyio.MaxValue(2)) },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: NewSemaphore did not panic", name)
				}
			}()
			f()
		}()
	}
}

// AnyIO TestSemaphore::test_statistics.
func TestSemaphoreStatistics(t *testing.T) {
	confEachBackend(t, func(t *testing.T, ctx context.Context) error {
		sem := anyio.NewSemaphore(1)
		err := anyio.WithTaskGroup(ctx, func(ctx context.Context, tg *anyio.TaskGroup) error {
			if err := sem.Acquire(ctx); err != nil {
				return err
			}
			defer sem.Release()
			for i := 1; i <= 2; i++ {
				tg.StartSoon(func(ctx context.Context) error {
					if err := sem.Acquire(ctx); err != nil {
						return err
					}
					sem.Release()
					return nil
				})
				if err := anyio.WaitAllTasksBlocked(ctx); err != nil {
					return err
				}
				if n := sem.Statistics().TasksWaiting; n != i {
					t.Errorf("TasksWaiting with %d waiters = %d", i, n)
				}
			}
			return nil
		})
		if n := sem.Statistics().TasksWaiting; n != 0 {
			t.Errorf("TasksWaiting afterwards = %d", n)
		}
		return err
	})
}

// AnyIO TestSemaphore::test_acquire_race: a release hands the permit to
// the waiter, so the value stays 0 and a nowait acquire cannot barge in.
func TestSemaphoreAcquireRace(t *testing.T) {
	confEachBackend(t, func(t *testing.T, ctx context.Context) error {
		sem := anyio.NewSemaphore(1)
		if err := sem.AcquireNowait(); err != nil {
			return err
		}
		done := anyio.NewEvent()
		return anyio.WithTaskGroup(ctx, func(ctx context.Context, tg *anyio.TaskGroup) error {
			defer done.Set()
			tg.StartSoon(func(ctx context.Context) error {
				if err := sem.Acquire(ctx); err != nil {
					return err
				}
				defer sem.Release()
				return done.Wait(ctx) // keeps the permit until the check below
			})
			if err := anyio.WaitAllTasksBlocked(ctx); err != nil {
				return err
			}
			sem.Release()
			if err := sem.AcquireNowait(); !errors.Is(err, anyio.ErrWouldBlock) {
				t.Errorf("AcquireNowait right after a release to a waiter = %v, want ErrWouldBlock", err)
				if err == nil {
					sem.Release()
				}
			}
			return nil
		})
	})
}

// AnyIO TestSemaphore::test_cancelled_after_acquire: a waiter cancelled
// before the release is skipped; the permit is not lost.
func TestSemaphoreCancelledAfterAcquire(t *testing.T) {
	confEachBackend(t, func(t *testing.T, ctx context.Context) error {
		sem := anyio.NewSemaphore(1, anyio.MaxValue(1))
		if err := sem.AcquireNowait(); err != nil {
			return err
		}
		return anyio.WithTaskGroup(ctx, func(ctx context.Context, tg *anyio.TaskGroup) error {
			h := anyio.CreateTask(tg, func(ctx context.Context) (struct{}, error) { return struct{}{}, sem.Acquire(ctx) })
			if err := anyio.WaitAllTasksBlocked(ctx); err != nil {
				return err
			}
			h.Cancel()
			sem.Release()
			if n := sem.Statistics().TasksWaiting; n != 0 {
				t.Errorf("TasksWaiting right after the release = %d, want 0", n)
			}
			return anyio.FailAfter(ctx, confPrompt, func(ctx context.Context) error {
				if err := sem.Acquire(ctx); err != nil {
					return err
				}
				sem.Release()
				return nil
			})
		})
	})
}

// AnyIO TestSemaphore::test_asyncio_deadlock (#398).
func TestSemaphoreAsyncioDeadlock(t *testing.T) {
	confCancelledHolderPassesOn(t, func() (func(context.Context) error, func(context.Context)) {
		sem := anyio.NewSemaphore(1)
		return sem.Acquire, func(context.Context) { sem.Release() }
	})
}
