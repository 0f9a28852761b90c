package conformance

import (
	"context"
	"errors"
	"strings"
	"testing"

	anyio "github.com/anyiogen/anyiogen/generated/anyio"
)

// AnyIO TestLock::test_manual_acquire: the main task holds the lock; a
// task waiting for it gets it only after the release.
func TestLockManualAcquire(t *testing.T) {
	confEachBackend(t, func(t *testing.T, ctx context.Context) error {
		lock := anyio.NewLock()
		var results []string
		err := anyio.WithTaskGroup(ctx, func(ctx context.Context, tg *anyio.TaskGroup) error {
			if err := lock.Acquire(ctx); err != nil {
				return err
			}
			tg.StartSoon(func(ctx context.Context) error {
				if !lock.Locked() {
					t.Errorf("Locked() = false while the main task holds the lock")
				}
				if err := lock.Acquire(ctx); err != nil {
					return err
				}
				defer lock.Release()
				results = append(results, "2")
				return nil
			})
			if err := anyio.WaitAllTasksBlocked(ctx); err != nil {
				return err
			}
			results = append(results, "1")
			lock.Release()
			return nil
		})
		if err != nil {
			return err
		}
		if lock.Locked() || strings.Join(results, "") != "12" {
			t.Errorf("after the group: Locked %v, results %v; want false, [1 2]", lock.Locked(), results)
		}
		return nil
	})
}

// AnyIO TestLock::test_acquire_nowait and test_acquire_nowait_wouldblock.
func TestLockAcquireNowait(t *testing.T) {
	confEachBackend(t, func(t *testing.T, ctx context.Context) error {
		lock := anyio.NewLock()
		if err := lock.AcquireNowait(ctx); err != nil || !lock.Locked() {
			t.Errorf("AcquireNowait of a free lock = %v (Locked %v), want nil (true)", err, lock.Locked())
		}
		return anyio.WithTaskGroup(ctx, func(ctx context.Context, tg *anyio.TaskGroup) error {
			tg.StartSoon(func(ctx context.Context) error {
				if err := lock.AcquireNowait(ctx); !errors.Is(err, anyio.ErrWouldBlock) {
					t.Errorf("AcquireNowait of a lock another task holds = %v, want ErrWouldBlock", err)
				}
				return nil
			})
			return nil
		})
	})
}

// AnyIO TestLock::test_acquire_twice_async and test_acquire_twice_sync: the
// owner's second acquire is an error, not a deadlock, and not ErrWouldBlock.
func TestLockAcquireTwice(t *testing.T) {
	confEachBackend(t, func(t *testing.T, ctx context.Context) error {
		lock := anyio.NewLock()
		if err := lock.Acquire(ctx); err != nil {
			return err
		}
		if err := lock.Acquire(ctx); err == nil || errors.Is(err, anyio.ErrWouldBlock) || confIsCancellation(err) {
			t.Errorf("the owner's second Acquire = %v, want an error saying it already holds the lock", err)
		}
		if err := lock.AcquireNowait(ctx); err == nil || errors.Is(err, anyio.ErrWouldBlock) {
			t.Errorf("the owner's AcquireNowait = %v, want an error, not ErrWouldBlock", err)
		}
		lock.Release()
		return nil
	})
}

// AnyIO TestLock::test_cancel_during_acquire, both variants: a waiter
// cancelled before the release never gets the lock, whichever comes first
// of the release and the waiter's next turn.
func TestLockCancelDuringAcquire(t *testing.T) {
	confCancelDuringAcquire(t, func() confPrimitive {
		lock := anyio.NewLock()
		return confPrimitive{acquire: lock.Acquire, release: lock.Release, free: func() bool { return !lock.Locked() }}
	})
}

// confPrimitive is a lock-like primitive for the tests that every such
// primitive shares: how to acquire and release it, and whether it is free.
type confPrimitive struct {
	acquire func(context.Context) error
	release func()
	free    func() bool
}

// confCancelDuringAcquire runs AnyIO's test_cancel_during_acquire, in its
// releaselast and releasefirst variants, on a new primitive each run.
func confCancelDuringAcquire(t *testing.T, newPrimitive func() confPrimitive) {
	for _, releaseFirst := range []bool{false, true} {
		name := "releaselast"
		if releaseFirst {
			name = "releasefirst"
		}
		t.Run(name, func(t *testing.T) {
			confEachBackend(t, func(t *testing.T, ctx context.Context) error {
				p := newPrimitive()
				acquired := false
				err := anyio.WithTaskGroup(ctx, func(ctx context.Context, tg *anyio.TaskGroup) error {
					if err := p.acquire(ctx); err != nil {
						return err
					}
					if _, err := tg.Start(ctx, func(ctx context.Context, st *anyio.TaskStatus) error {
						st.Started(nil)
						if err := p.acquire(ctx); err != nil {
							return err
						}
						acquired = true
						p.release()
						return nil
					}); err != nil {
						return err
					}
					tg.CancelScope().Cancel()
					return anyio.NewCancelScope(anyio.Shielded()).Run(ctx, func(ctx context.Context) error {
						if releaseFirst {
							p.release()
							return anyio.WaitAllTasksBlocked(ctx)
						}
						err := anyio.WaitAllTasksBlocked(ctx)
						p.release()
						return err
					})
				})
				if err != nil {
					return err
				}
				if acquired || !p.free() {
					t.Errorf("a waiter cancelled before the release: acquired %v, free afterwards %v; want false, true", acquired, p.free())
				}
				return nil
			})
		})
	}
}

// AnyIO TestLock::test_statistics.
func TestLockStatistics(t *testing.T) {
	confEachBackend(t, func(t *testing.T, ctx context.Context) error {
		lock := anyio.NewLock()
		if s := lock.Statistics(); s.Locked || s.TasksWaiting != 0 || s.Owner != (anyio.TaskInfo{}) {
			t.Errorf("Statistics of a new lock = %+v, want all zero", s)
		}
		err := anyio.WithTaskGroup(ctx, func(ctx context.Context, tg *anyio.TaskGroup) error {
			if err := lock.Acquire(ctx); err != nil {
				return err
			}
			defer lock.Release()
			if s := lock.Statistics(); !s.Locked || s.Owner != anyio.CurrentTask(ctx) || s.TasksWaiting != 0 {
				t.Errorf("Statistics while held = %+v, want Locked, owned by %+v, nobody waiting", s, anyio.CurrentTask(ctx))
			}
			for i := 1; i <= 2; i++ {
				tg.StartSoon(func(ctx context.Context) error {
					if err := lock.Acquire(ctx); err != nil {
						return err
					}
					lock.Release()
					return nil
				})
				if err := anyio.WaitAllTasksBlocked(ctx); err != nil {
					return err
				}
				if got := lock.Statistics().TasksWaiting; got != i {
					t.Errorf("TasksWaiting with %d waiters = %d", i, got)
				}
			}
			return nil
		})
		if s := lock.Statistics(); s.Locked || s.TasksWaiting != 0 {
			t.Errorf("Statistics after the group = %+v, want unlocked, nobody waiting", s)
		}
		return err
	})
}

// AnyIO TestLock::test_cancelled_after_acquire:
// a waiter cancelled after the release handed it the lock passes the lock
// on; one cancelled before the release is skipped. Either way the lock is
// never lost.
func TestLockCancelledAfterAcquire(t *testing.T) { confLockCancelAroundRelease(t, true) }

// AnyIO TestLock::test_cancel_after_release: the release hands the lock
// over at once; the waiter, cancelled before it runs, passes it on.
func TestLockCancelAfterRelease(t *testing.T) { confLockCancelAroundRelease(t, false) }

// confLockCancelAroundRelease cancels a waiting task's Acquire before or
// after the release that would hand it the lock.
func confLockCancelAroundRelease(t *testing.T, cancelFirst bool) {
	confEachBackend(t, func(t *testing.T, ctx context.Context) error {
		lock := anyio.NewLock()
		if err := lock.AcquireNowait(ctx); err != nil {
			return err
		}
		return anyio.WithTaskGroup(ctx, func(ctx context.Context, tg *anyio.TaskGroup) error {
			h := anyio.CreateTask(tg, func(ctx context.Context) (struct{}, error) {
				err := lock.Acquire(ctx)
				if err == nil {
					lock.Release()
				}
				return struct{}{}, err
			}, anyio.Name("task1"))
			if err := anyio.WaitAllTasksBlocked(ctx); err != nil {
				return err
			}
			if cancelFirst {
				h.Cancel()
				lock.Release()
				if n := lock.Statistics().TasksWaiting; n != 0 {
					t.Errorf("TasksWaiting right after the release = %d, want 0", n)
				}
			} else {
				lock.Release()
				// On std task1 may already have run and released it.
				if owner := lock.Statistics().Owner; owner.Name != "task1" && anyio.CurrentBackend(ctx) != "std" {
					t.Errorf("owner right after the release = %+v, want task1: the lock is handed over at once", owner)
				}
				h.Cancel()
			}
			// On std the waiter may run on another core between the
			// hand-over and the cancel, and then it has the lock.
			_, err := h.Wait(ctx)
			if !confIsCancellation(err) && (cancelFirst || anyio.CurrentBackend(ctx) != "std" || err != nil) {
				t.Errorf("the cancelled waiter's Acquire = %v, want its cancellation", err)
			}
			return anyio.FailAfter(ctx, confPrompt, func(ctx context.Context) error {
				if err := lock.Acquire(ctx); err != nil {
					return err
				}
				lock.Release()
				return nil
			})
		})
	})
}

// AnyIO TestLock::test_owner_after_release: the lock goes to the oldest
// waiter at the release, before it runs.
func TestLockOwnerAfterRelease(t *testing.T) {
	confEachBackend(t, func(t *testing.T, ctx context.Context) error {
		lock := anyio.NewLock()
		event := anyio.NewEvent()
		return anyio.WithTaskGroup(ctx, func(ctx context.Context, tg *anyio.TaskGroup) error {
			tg.StartSoon(func(ctx context.Context) error {
				if err := lock.Acquire(ctx); err != nil {
					return err
				}
				if o := lock.Statistics().Owner; o.Name != "task1" {
					t.Errorf("owner = %+v, want task1", o)
				}
				if err := event.Wait(ctx); err != nil {
					return err
				}
				lock.Release()
				// On std task2 may already have run and released it.
				if o := lock.Statistics().Owner; o.Name != "task2" && (anyio.CurrentBackend(ctx) != "std" || o != (anyio.TaskInfo{})) {
					t.Errorf("owner right after the release = %+v, want task2", o)
				}
				return nil
			}, anyio.Name("task1"))
			if err := anyio.WaitAllTasksBlocked(ctx); err != nil {
				return err
			}
			tg.StartSoon(func(ctx context.Context) error {
				if err := lock.Acquire(ctx); err != nil {
					return err
				}
				lock.Release()
				return nil
			}, anyio.Name("task2"))
			if err := anyio.WaitAllTasksBlocked(ctx); err != nil {
				return err
			}
			event.Set()
			return nil
		})
	})
}

// AnyIO TestLock::test_asyncio_deadlock (#398): an owner cancelled while it
// holds the lock releases it on the way out, and the next waiter gets it.
func TestLockAsyncioDeadlock(t *testing.T) {
	confCancelledHolderPassesOn(t, func() (func(context.Context) error, func(context.Context)) {
		lock := anyio.NewLock()
		return lock.Acquire, func(context.Context) { lock.Release() }
	})
}

// confCancelledHolderPassesOn runs AnyIO's test_asyncio_deadlock for any
// primitive, a new one each run: task1 holds it, task2 waits, task1 is
// cancelled while it holds it; task2 must get it within confPrompt.
func confCancelledHolderPassesOn(t *testing.T, newPrimitive func() (acquire func(context.Context) error, release func(context.Context))) {
	confEachBackend(t, func(t *testing.T, ctx context.Context) error {
		acquire, release := newPrimitive()
		user := func(ctx context.Context) (struct{}, error) {
			if err := acquire(ctx); err != nil {
				return struct{}{}, err
			}
			defer release(ctx)
			return struct{}{}, anyio.Sleep(ctx, confTick)
		}
		return anyio.WithTaskGroup(ctx, func(ctx context.Context, tg *anyio.TaskGroup) error {
			task1 := anyio.CreateTask(tg, user)
			if err := anyio.WaitAllTasksBlocked(ctx); err != nil {
				return err
			}
			task2 := anyio.CreateTask(tg, user)
			if err := anyio.WaitAllTasksBlocked(ctx); err != nil {
				return err
			}
			task1.Cancel()
			return anyio.FailAfter(ctx, confPrompt, func(ctx context.Context) error {
				_, err := task2.Wait(ctx)
				return err
			})
		})
	})
}

// A Lock, like every primitive, is made with no ctx and works across runs
// and outside any run (AnyIO test_instantiate_outside_event_loop); task 0's
// acquires wait for each other.
func TestLockOutsideRun(t *testing.T) {
	lock := anyio.NewLock()
	if s := lock.Statistics(); s.Locked || s.TasksWaiting != 0 {
		t.Errorf("Statistics of a new lock = %+v", s)
	}
	ctx := context.Background()
	if err := lock.Acquire(ctx); err != nil {
		t.Fatal(err)
	}
	if err := lock.AcquireNowait(ctx); !errors.Is(err, anyio.ErrWouldBlock) {
		t.Errorf("task 0's AcquireNowait of a lock task 0 holds = %v, want ErrWouldBlock: task 0 is not checked as an owner", err)
	}
	lock.Release()
	confEachBackend(t, func(t *testing.T, ctx context.Context) error {
		if err := lock.Acquire(ctx); err != nil {
			return err
		}
		lock.Release()
		return nil
	})
}

// "Release panics when not held."
func TestLockReleaseUnheldPanics(t *testing.T) {
	defer func() {
		if r := recover(); r == nil {
			t.Errorf("Release of a lock nobody holds did not panic")
		}
	}()
	anyio.NewLock().Release()
}
