package conformance

import (
	"context"
	"errors"
	"fmt"
	"testing"

	anyio "github.com/anyiogen/anyiogen/generated/anyio"
)

// AnyIO TestCapacityLimiter::test_bad_init_value and test_zero_tokens.
func TestCapacityLimiterInit(t *testing.T) {
	if n := anyio.NewCapacityLimiter(0).TotalTokens(); n != 0 {
		t.Errorf("NewCapacityLimiter(0).TotalTokens() = %d", n)
	}
	if n := anyio.NewCapacityLimiter(anyio.Unbounded).TotalTokens(); n != anyio.Unbounded {
		t.Errorf("an unbounded limiter's TotalTokens = %d, want Unbounded", n)
	}
	func() {
		defer func() {
			if recover() == nil {
				t.Errorf("NewCapacityLimiter(-2) did not panic")
			}
		}()
		anyio.NewCapacityLimiter(-2)
	}()
	l := anyio.NewCapacityLimiter(1)
	l.SetTotalTokens(0) // AnyIO test_zero_tokens_outside_event_loop
	if n := l.TotalTokens(); n != 0 {
		t.Errorf("TotalTokens after SetTotalTokens(0) = %d", n)
	}
}

// AnyIO TestCapacityLimiter::test_borrow.
func TestCapacityLimiterBorrow(t *testing.T) {
	confEachBackend(t, func(t *testing.T, ctx context.Context) error {
		l := anyio.NewCapacityLimiter(2)
		if l.TotalTokens() != 2 || l.AvailableTokens() != 2 || l.BorrowedTokens() != 0 {
			t.Errorf("new limiter: total %d, available %d, borrowed %d", l.TotalTokens(), l.AvailableTokens(), l.BorrowedTokens())
		}
		if err := l.Acquire(ctx); err != nil {
			return err
		}
		if l.TotalTokens() != 2 || l.AvailableTokens() != 1 || l.BorrowedTokens() != 1 {
			t.Errorf("one borrowed: total %d, available %d, borrowed %d", l.TotalTokens(), l.AvailableTokens(), l.BorrowedTokens())
		}
		if b := l.Statistics().Borrowers; len(b) != 1 || b[0] != any(anyio.CurrentTask(ctx)) {
			t.Errorf("Borrowers = %v, want the calling task's TaskInfo", b)
		}
		return l.Release(ctx)
	})
}

// AnyIO TestCapacityLimiter::test_limit: one token, three tasks, never two
// inside at once.
func TestCapacityLimiterLimit(t *testing.T) {
	confEachBackend(t, func(t *testing.T, ctx context.Context) error {
		l := anyio.NewCapacityLimiter(1)
		inside := 0
		return anyio.WithTaskGroup(ctx, func(ctx context.Context, tg *anyio.TaskGroup) error {
			for range 3 {
				tg.StartSoon(func(ctx context.Context) error {
					for range 5 {
						if err := l.Acquire(ctx); err != nil {
							return err
						}
						if inside != 0 {
							t.Errorf("two tasks inside a limiter of one token")
						}
						inside = 1
						if err := anyio.Sleep(ctx, confTick/10); err != nil {
							return err
						}
						inside = 0
						if err := l.Release(ctx); err != nil {
							return err
						}
					}
					return nil
				})
			}
			return nil
		})
	})
}

// AnyIO TestCapacityLimiter::test_borrow_twice and test_bad_release.
func TestCapacityLimiterBorrowTwiceAndBadRelease(t *testing.T) {
	confEachBackend(t, func(t *testing.T, ctx context.Context) error {
		l := anyio.NewCapacityLimiter(1)
		if err := l.Release(ctx); err == nil {
			t.Errorf("Release without a token = nil, want an error")
		}
		if err := l.Acquire(ctx); err != nil {
			return err
		}
		if err := l.Acquire(ctx); err == nil || errors.Is(err, anyio.ErrWouldBlock) || confIsCancellation(err) {
			t.Errorf("a second Acquire by the same task = %v, want an error saying it already holds a token", err)
		}
		if err := l.AcquireNowait(ctx); err == nil || errors.Is(err, anyio.ErrWouldBlock) {
			t.Errorf("a second AcquireNowait by the same task = %v, want that error, not ErrWouldBlock", err)
		}
		return l.Release(ctx)
	})
}

// AnyIO TestCapacityLimiter::test_increase_tokens: raising the total lets
// a waiter in.
func TestCapacityLimiterIncreaseTokens(t *testing.T) {
	confEachBackend(t, func(t *testing.T, ctx context.Context) error {
		l := anyio.NewCapacityLimiter(1)
		event1, event2 := anyio.NewEvent(), anyio.NewEvent()
		err := anyio.WithTaskGroup(ctx, func(ctx context.Context, tg *anyio.TaskGroup) error {
			tg.StartSoon(func(ctx context.Context) error {
				if err := l.Acquire(ctx); err != nil {
					return err
				}
				defer l.Release(ctx)
				event1.Set()
				return event2.Wait(ctx)
			})
			tg.StartSoon(func(ctx context.Context) error {
				if err := event1.Wait(ctx); err != nil {
					return err
				}
				if err := l.Acquire(ctx); err != nil {
					return err
				}
				defer l.Release(ctx)
				event2.Set()
				return nil
			})
			if err := anyio.WaitAllTasksBlocked(ctx); err != nil {
				return err
			}
			if !event1.IsSet() || event2.IsSet() {
				t.Errorf("before raising the total: event1 %v, event2 %v; want true, false", event1.IsSet(), event2.IsSet())
			}
			l.SetTotalTokens(2)
			return nil
		})
		if !event2.IsSet() {
			t.Errorf("raising the total did not let the waiter in")
		}
		return err
	})
}

// AnyIO TestCapacityLimiter::test_statistics.
func TestCapacityLimiterStatistics(t *testing.T) {
	confEachBackend(t, func(t *testing.T, ctx context.Context) error {
		l := anyio.NewCapacityLimiter(1)
		if s := l.Statistics(); s.TotalTokens != 1 || s.BorrowedTokens != 0 || s.TasksWaiting != 0 || len(s.Borrowers) != 0 {
			t.Errorf("new limiter: %+v", s)
		}
		err := anyio.WithTaskGroup(ctx, func(ctx context.Context, tg *anyio.TaskGroup) error {
			if err := l.Acquire(ctx); err != nil {
				return err
			}
			defer l.Release(ctx)
			for i := 1; i <= 2; i++ {
				tg.StartSoon(func(ctx context.Context) error {
					if err := l.Acquire(ctx); err != nil {
						return err
					}
					return l.Release(ctx)
				})
				if err := anyio.WaitAllTasksBlocked(ctx); err != nil {
					return err
				}
				if s := l.Statistics(); s.TasksWaiting != i || s.BorrowedTokens != 1 {
					t.Errorf("with %d waiters: %+v", i, s)
				}
			}
			return nil
		})
		if s := l.Statistics(); s.TasksWaiting != 0 || s.BorrowedTokens != 0 {
			t.Errorf("afterwards: %+v", s)
		}
		return err
	})
}

// AnyIO TestCapacityLimiter::test_ordered_queue: first come, first served.
func TestCapacityLimiterOrderedQueue(t *testing.T) {
	confEachBackend(t, func(t *testing.T, ctx context.Context) error {
		l := anyio.NewCapacityLimiter(1)
		event := anyio.NewEvent()
		var results []int
		err := anyio.WithTaskGroup(ctx, func(ctx context.Context, tg *anyio.TaskGroup) error {
			for i := range 3 {
				_, err := tg.Start(ctx, func(ctx context.Context, st *anyio.TaskStatus) error {
					st.Started(nil)
					if err := l.Acquire(ctx); err != nil {
						return err
					}
					defer l.Release(ctx)
					if err := event.Wait(ctx); err != nil {
						return err
					}
					results = append(results, i)
					return nil
				})
				if err != nil {
					return err
				}
				if err := anyio.WaitAllTasksBlocked(ctx); err != nil {
					return err
				}
			}
			event.Set()
			return nil
		})
		if fmt.Sprint(results) != "[0 1 2]" {
			t.Errorf("order of entry = %v, want [0 1 2]", results)
		}
		return err
	})
}

// AnyIO TestCapacityLimiter::test_increase_tokens_lets_others_acquire.
func TestCapacityLimiterIncreaseTokensLetsOthersAcquire(t *testing.T) {
	confEachBackend(t, func(t *testing.T, ctx context.Context) error {
		l := anyio.NewCapacityLimiter(1)
		entered := []*anyio.Event{anyio.NewEvent(), anyio.NewEvent(), anyio.NewEvent()}
		cont := anyio.NewEvent()
		worker := func(ev *anyio.Event) func(ctx context.Context) error {
			return func(ctx context.Context) error {
				if err := l.Acquire(ctx); err != nil {
					return err
				}
				defer l.Release(ctx)
				ev.Set()
				return cont.Wait(ctx)
			}
		}
		return anyio.WithTaskGroup(ctx, func(ctx context.Context, tg *anyio.TaskGroup) error {
			tg.StartSoon(worker(entered[0]))
			tg.StartSoon(worker(entered[1]))
			if err := anyio.WaitAllTasksBlocked(ctx); err != nil {
				return err
			}
			in := 0
			for _, ev := range entered {
				if ev.IsSet() {
					in++
				}
			}
			if in != 1 {
				t.Errorf("%d tasks inside a limiter of one token, want 1", in)
			}
			l.SetTotalTokens(3)
			tg.StartSoon(worker(entered[2]))
			err := anyio.FailAfter(ctx, confPrompt, func(ctx context.Context) error {
				for _, ev := range entered[1:] {
					if err := ev.Wait(ctx); err != nil {
						return err
					}
				}
				return nil
			})
			cont.Set()
			return err
		})
	})
}

// AnyIO TestCapacityLimiter::test_acquire_cancelled (#947): a waiter
// cancelled while queued does not keep the token from the next one.
func TestCapacityLimiterAcquireCancelled(t *testing.T) {
	confEachBackend(t, func(t *testing.T, ctx context.Context) error {
		l := anyio.NewCapacityLimiter(1)
		event1, event2 := anyio.NewEvent(), anyio.NewEvent()
		borrower := func(event *anyio.Event) func(ctx context.Context, st *anyio.TaskStatus) error {
			return func(ctx context.Context, st *anyio.TaskStatus) error {
				scope := anyio.NewCancelScope()
				return scope.Run(ctx, func(ctx context.Context) error {
					st.Started(scope)
					if err := l.Acquire(ctx); err != nil {
						return err
					}
					defer l.Release(ctx)
					event.Set()
					return anyio.Checkpoint(ctx)
				})
			}
		}
		return anyio.WithTaskGroup(ctx, func(ctx context.Context, tg *anyio.TaskGroup) error {
			if err := l.Acquire(ctx); err != nil {
				return err
			}
			v, err := tg.Start(ctx, borrower(event1))
			if err != nil {
				return err
			}
			if _, err := tg.Start(ctx, borrower(event2)); err != nil {
				return err
			}
			if err := anyio.WaitAllTasksBlocked(ctx); err != nil {
				return err
			}
			v.(*anyio.CancelScope).Cancel()
			if err := l.Release(ctx); err != nil {
				return err
			}
			if err := anyio.FailAfter(ctx, confPrompt, event2.Wait); err != nil {
				t.Errorf("the second borrower did not get the token: %v", err)
			}
			if event1.IsSet() {
				t.Errorf("the cancelled borrower got in")
			}
			return nil
		})
	})
}

// AnyIO TestCapacityLimiter::test_acquire_nowait and
// test_acquire_on_behalf_of_nowait.
func TestCapacityLimiterAcquireNowait(t *testing.T) {
	confEachBackend(t, func(t *testing.T, ctx context.Context) error {
		l := anyio.NewCapacityLimiter(1)
		if err := l.AcquireNowait(ctx); err != nil {
			return err
		}
		err := anyio.WithTaskGroup(ctx, func(ctx context.Context, tg *anyio.TaskGroup) error {
			tg.StartSoon(func(ctx context.Context) error {
				if err := l.AcquireNowait(ctx); !errors.Is(err, anyio.ErrWouldBlock) {
					t.Errorf("another task's AcquireNowait = %v, want ErrWouldBlock", err)
				}
				return nil
			})
			return nil
		})
		if err := l.Release(ctx); err != nil {
			return err
		}
		if err := l.AcquireOnBehalfOfNowait("borrower1"); err != nil {
			t.Errorf("AcquireOnBehalfOfNowait(borrower1) = %v", err)
		}
		if err := l.AcquireOnBehalfOfNowait("borrower2"); !errors.Is(err, anyio.ErrWouldBlock) {
			t.Errorf("AcquireOnBehalfOfNowait(borrower2) on a full limiter = %v, want ErrWouldBlock", err)
		}
		return errors.Join(err, l.ReleaseOnBehalfOf("borrower1"))
	})
}

// AnyIO TestCapacityLimiter::test_nowait_acquire_after_release_does_not_oversubscribe
// (#1170): a released token is the oldest waiter's at once.
func TestCapacityLimiterNowaitAcquireAfterReleaseDoesNotOversubscribe(t *testing.T) {
	confEachBackend(t, func(t *testing.T, ctx context.Context) error {
		l := anyio.NewCapacityLimiter(1)
		if err := l.AcquireOnBehalfOfNowait("A"); err != nil {
			return err
		}
		err := anyio.WithTaskGroup(ctx, func(ctx context.Context, tg *anyio.TaskGroup) error {
			tg.StartSoon(func(ctx context.Context) error { return l.AcquireOnBehalfOf(ctx, "B") })
			if err := anyio.WaitAllTasksBlocked(ctx); err != nil {
				return err
			}
			if n := l.Statistics().TasksWaiting; n != 1 {
				t.Errorf("TasksWaiting = %d, want 1", n)
			}
			if err := l.ReleaseOnBehalfOf("A"); err != nil {
				return err
			}
			if err := l.AcquireOnBehalfOfNowait("X"); !errors.Is(err, anyio.ErrWouldBlock) {
				t.Errorf("AcquireOnBehalfOfNowait(X) right after the release = %v, want ErrWouldBlock", err)
			}
			return nil
		})
		if err != nil {
			return err
		}
		if l.BorrowedTokens() > l.TotalTokens() || l.AvailableTokens() < 0 {
			t.Errorf("borrowed %d of %d, available %d", l.BorrowedTokens(), l.TotalTokens(), l.AvailableTokens())
		}
		if b := l.Statistics().Borrowers; fmt.Sprint(b) != "[B]" {
			t.Errorf("Borrowers = %v, want [B]", b)
		}
		return l.ReleaseOnBehalfOf("B")
	})
}

// Task 0's acquires are borrowers of their own: two from
// context.Background() both fit a limiter of two, and a release returns one.
func TestCapacityLimiterTaskZero(t *testing.T) {
	ctx := context.Background()
	l := anyio.NewCapacityLimiter(2)
	if err := errors.Join(l.Acquire(ctx), l.Acquire(ctx)); err != nil {
		t.Fatalf("two acquires from task 0: %v", err)
	}
	if err := l.AcquireNowait(ctx); !errors.Is(err, anyio.ErrWouldBlock) {
		t.Errorf("a third from task 0 = %v, want ErrWouldBlock", err)
	}
	if err := errors.Join(l.Release(ctx), l.Release(ctx)); err != nil || l.BorrowedTokens() != 0 {
		t.Errorf("two releases from task 0: %v, borrowed %d", err, l.BorrowedTokens())
	}
	if err := l.Release(ctx); err == nil {
		t.Errorf("a release from task 0 with no token left = nil, want an error")
	}
}

// Many borrowers at once: each holds one token, in the order they came,
// and a second acquire by any of them is refused.
func TestCapacityLimiterManyBorrowers(t *testing.T) {
	l := anyio.NewCapacityLimiter(anyio.Unbounded)
	for i := range 40 {
		if err := l.AcquireOnBehalfOfNowait(i); err != nil {
			t.Fatalf("borrower %d: %v", i, err)
		}
	}
	for _, i := range []int{0, 17, 39} {
		if err := l.AcquireOnBehalfOfNowait(i); err == nil || errors.Is(err, anyio.ErrWouldBlock) {
			t.Errorf("borrower %d acquiring twice = %v, want an error", i, err)
		}
	}
	if s := l.Statistics(); s.BorrowedTokens != 40 || fmt.Sprint(s.Borrowers[:3]) != "[0 1 2]" || l.AvailableTokens() != anyio.Unbounded {
		t.Errorf("Statistics = %+v, available %d", s, l.AvailableTokens())
	}
	for i := range 40 {
		if err := l.ReleaseOnBehalfOf(i); err != nil {
			t.Fatalf("release %d: %v", i, err)
		}
	}
	if err := l.ReleaseOnBehalfOf(3); err == nil || l.BorrowedTokens() != 0 {
		t.Errorf("release of a borrower with no token = %v, borrowed %d", err, l.BorrowedTokens())
	}
}

// AnyIO TestCapacityLimiter::test_asyncio_deadlock (#398).
func TestCapacityLimiterAsyncioDeadlock(t *testing.T) {
	confCancelledHolderPassesOn(t, func() (func(context.Context) error, func(context.Context)) {
		l := anyio.NewCapacityLimiter(1)
		return l.Acquire, func(ctx context.Context) { _ = l.Release(ctx) }
	})
}
