package conformance

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	anyio "github.com/anyiogen/anyiogen/generated/anyio"
)

// AnyIO test_run_in_thread_cancelled: with ctx already cancelled, fn never
// runs.
func TestRunInThreadCancelled(t *testing.T) {
	confEachBackend(t, func(t *testing.T, ctx context.Context) error {
		var ran atomic.Bool
		scope := anyio.NewCancelScope()
		err := scope.Run(ctx, func(ctx context.Context) error {
			scope.Cancel()
			_, err := anyio.ToThread(ctx, func() (int, error) { ran.Store(true); return 0, nil })
			return err
		})
		if err != nil || !scope.CancelledCaught() || ran.Load() {
			t.Errorf("ToThread with a cancelled ctx: Run = %v, caught %v, fn ran %v; want nil, true, false", err, scope.CancelledCaught(), ran.Load())
		}
		return nil
	})
}

// AnyIO test_run_in_thread_exception: fn's error comes back.
func TestRunInThreadException(t *testing.T) {
	confEachBackend(t, func(t *testing.T, ctx context.Context) error {
		got, err := anyio.ToThread(ctx, func() (int, error) { return 0, errConfBoom })
		if err != errConfBoom || got != 0 {
			t.Errorf("ToThread = %v, %v; want 0, boom", got, err)
		}
		got, err = anyio.ToThread(ctx, func() (int, error) { return 42, nil })
		if err != nil || got != 42 {
			t.Errorf("ToThread = %v, %v; want 42, nil", got, err)
		}
		return nil
	})
}

// "A panic in ToThread's fn reaches the caller of ToThread as a *PanicError."
func TestRunInThreadPanic(t *testing.T) {
	confEachBackend(t, func(t *testing.T, ctx context.Context) error {
		var recovered any
		func() {
			defer func() { recovered = recover() }()
			_, _ = anyio.ToThread(ctx, func() (int, error) { panic("in a thread") })
		}()
		if pe, ok := recovered.(*anyio.PanicError); !ok || pe.Value != "in a thread" {
			t.Errorf("recovered %#v, want a *PanicError with the panic's value", recovered)
		}
		return nil
	})
}

// AnyIO test_run_in_custom_limiter: a limiter of 3 lets 3 of 4 calls run
// at once, and holds a token per call. On a backend that runs one task at
// a time, fn runs to completion before anything else runs, so the calls
// run one after another.
func TestRunInCustomLimiter(t *testing.T) {
	confEachBackend(t, func(t *testing.T, ctx context.Context) error {
		limiter := anyio.NewCapacityLimiter(3)
		var mu sync.Mutex
		active, most := 0, 0
		three := make(chan struct{})
		closeThree := sync.OnceFunc(func() { close(three) })
		std := anyio.CurrentBackend(ctx) == "std"
		err := anyio.WithTaskGroup(ctx, func(ctx context.Context, tg *anyio.TaskGroup) error {
			for range 4 {
				tg.StartSoon(func(ctx context.Context) error {
					_, err := anyio.ToThread(ctx, func() (int, error) {
						mu.Lock()
						active++
						most = max(most, active)
						if active == 3 {
							closeThree() // the fourth call makes three again
						}
						if b := limiter.BorrowedTokens(); b > 3 {
							t.Errorf("BorrowedTokens = %d with a limiter of 3", b)
						}
						mu.Unlock()
						if std {
							// Wait, in a thread where that is allowed, for
							// three calls to be in at once.
							select {
							case <-three:
							case <-time.After(confPrompt):
							}
						}
						time.Sleep(time.Millisecond)
						mu.Lock()
						active--
						mu.Unlock()
						return 0, nil
					}, anyio.Limiter(limiter))
					return err
				})
			}
			return nil
		})
		want := 1
		if std {
			want = 3
		}
		if most != want || limiter.BorrowedTokens() != 0 {
			t.Errorf("at most %d calls at once, %d tokens borrowed afterwards; want %d, 0", most, limiter.BorrowedTokens(), want)
		}
		return err
	})
}

// AnyIO test_cancel_worker_thread: without AbandonOnCancel the task waits
// for fn; with it, the task returns first. On a backend that runs one task
// at a time, fn has finished before the cancel can happen, so both wait.
func TestCancelWorkerThread(t *testing.T) {
	for _, abandon := range []bool{false, true} {
		name := "noabandon"
		if abandon {
			name = "abandon"
		}
		t.Run(name, func(t *testing.T) {
			confEachBackend(t, func(t *testing.T, ctx context.Context) error {
				var mu sync.Mutex
				lastActive := ""
				set := func(s string) { mu.Lock(); lastActive = s; mu.Unlock() }
				sleepEvent, finishEvent := anyio.NewEvent(), anyio.NewEvent()
				var opts []anyio.ThreadOption
				if abandon {
					opts = append(opts, anyio.AbandonOnCancel())
				}
				err := anyio.WithTaskGroup(ctx, func(ctx context.Context, tg *anyio.TaskGroup) error {
					tok := anyio.CurrentToken(ctx)
					tg.StartSoon(func(ctx context.Context) error {
						defer set("task")
						_, err := anyio.ToThread(ctx, func() (int, error) {
							if err := anyio.FromThread(tok, func(context.Context) error { sleepEvent.Set(); return nil }); err != nil {
								return 0, err
							}
							time.Sleep(20 * time.Millisecond)
							set("thread")
							return 0, anyio.FromThread(tok, func(context.Context) error { finishEvent.Set(); return nil })
						}, opts...)
						return err
					})
					if err := sleepEvent.Wait(ctx); err != nil {
						return err
					}
					tg.CancelScope().Cancel()
					return nil
				})
				if err != nil {
					return err
				}
				if err := anyio.FailAfter(ctx, confPrompt, finishEvent.Wait); err != nil {
					return err
				}
				want := "task"
				if abandon && anyio.CurrentBackend(ctx) == "std" {
					want = "thread"
				}
				mu.Lock()
				defer mu.Unlock()
				if lastActive != want {
					t.Errorf("last active: %s, want %s", lastActive, want)
				}
				return nil
			})
		})
	}
}

// AnyIO test_cancelscope_propagation: fn entered through FromThread runs
// under the scope the token came from; its cancellation comes back through
// ToThread, and that scope catches it.
func TestCancelscopePropagation(t *testing.T) {
	confEachBackend(t, func(t *testing.T, ctx context.Context) error {
		scope := anyio.NewCancelScope()
		err := scope.Run(ctx, func(ctx context.Context) error {
			tok := anyio.CurrentToken(ctx)
			_, err := anyio.ToThread(ctx, func() (int, error) {
				return 0, anyio.FromThread(tok, func(ctx context.Context) error {
					scope.Cancel()
					return anyio.FailAfter(ctx, confPrompt, func(ctx context.Context) error {
						return anyio.Sleep(ctx, confForever)
					})
				})
			})
			return err
		})
		if err != nil || !scope.CancelledCaught() {
			t.Errorf("Run = %v, CancelledCaught %v; want nil, true", err, scope.CancelledCaught())
		}
		return nil
	})
}

// AnyIO test_run_async_from_unclaimed_thread and
// test_run_anyio_async_func_from_thread: a goroutine the run did not start
// calls in with a token, and gets fn's error.
func TestRunAsyncFromUnclaimedThread(t *testing.T) {
	confEachBackend(t, func(t *testing.T, ctx context.Context) error {
		tok := anyio.CurrentToken(ctx)
		event := anyio.NewEvent()
		got, err := anyio.ToThread(ctx, func() (int, error) {
			result := make(chan int, 1)
			go func() {
				value := 0
				err := anyio.FromThread(tok, func(ctx context.Context) error {
					if err := anyio.Sleep(ctx, 0); err != nil {
						return err
					}
					event.Set()
					value = 7
					return nil
				})
				if err != nil {
					value = -1
				}
				result <- value
			}()
			return <-result, nil
		})
		if got != 7 || err != nil || !event.IsSet() {
			t.Errorf("ToThread = %v, %v (event set %v); want 7, nil (true)", got, err, event.IsSet())
		}
		errOther := errors.New("from fn")
		_, err = anyio.ToThread(ctx, func() (int, error) {
			return 0, anyio.FromThread(tok, func(context.Context) error { return errOther })
		})
		if err != errOther {
			t.Errorf("fn's error through FromThread and ToThread = %v, want it unchanged", err)
		}
		return nil
	})
}

// AnyIO test_run_sync_closed_event_loop: after the run, FromThread returns
// ErrRunFinished at once and fn does not run.
func TestFromThreadAfterRunFinished(t *testing.T) {
	for _, backend := range anyio.Backends() {
		t.Run(backend, func(t *testing.T) {
			var tok *anyio.Token
			if err := anyio.Run(func(ctx context.Context) error { tok = anyio.CurrentToken(ctx); return nil }, anyio.Backend(backend)); err != nil {
				t.Fatal(err)
			}
			ran := false
			err := anyio.FromThread(tok, func(context.Context) error { ran = true; return nil })
			if !errors.Is(err, anyio.ErrRunFinished) || ran {
				t.Errorf("FromThread after the run = %v (fn ran: %v), want ErrRunFinished and fn not run", err, ran)
			}
		})
	}
}

// AnyIO test_current_default_thread_limiter: one limiter per run, with 40
// tokens.
func TestCurrentDefaultThreadLimiter(t *testing.T) {
	var first *anyio.CapacityLimiter
	confEachBackend(t, func(t *testing.T, ctx context.Context) error {
		l := anyio.DefaultThreadLimiter(ctx)
		if l.TotalTokens() != 40 || anyio.DefaultThreadLimiter(ctx) != l {
			t.Errorf("DefaultThreadLimiter: %d tokens, same on a second call %v; want 40, true", l.TotalTokens(), anyio.DefaultThreadLimiter(ctx) == l)
		}
		if l == first {
			t.Errorf("two runs share a default thread limiter")
		}
		first = l
		return nil
	})
}

// "The limiter's borrower is the call, not the task": one task may hold
// several tokens through calls in flight.
func TestToThreadBorrowerIsTheCall(t *testing.T) {
	confEachBackend(t, func(t *testing.T, ctx context.Context) error {
		limiter := anyio.NewCapacityLimiter(2)
		if err := limiter.Acquire(ctx); err != nil { // the task holds a token itself
			return err
		}
		defer limiter.Release(ctx)
		_, err := anyio.ToThread(ctx, func() (int, error) {
			if b := limiter.BorrowedTokens(); b != 2 {
				t.Errorf("BorrowedTokens inside the call = %d, want 2: the task's and the call's", b)
			}
			return 0, nil
		}, anyio.Limiter(limiter))
		if limiter.BorrowedTokens() != 1 {
			t.Errorf("BorrowedTokens after the call = %d, want 1", limiter.BorrowedTokens())
		}
		return err
	})
}

// "WaitAllTasksBlocked ... a task inside ToThread as running."
func TestWaitAllTasksBlockedCountsThreadAsRunning(t *testing.T) {
	confEachBackend(t, func(t *testing.T, ctx context.Context) error {
		var done atomic.Bool
		return anyio.WithTaskGroup(ctx, func(ctx context.Context, tg *anyio.TaskGroup) error {
			tg.StartSoon(func(ctx context.Context) error {
				_, err := anyio.ToThread(ctx, func() (int, error) {
					time.Sleep(20 * time.Millisecond)
					done.Store(true)
					return 0, nil
				})
				return err
			})
			if err := anyio.Checkpoint(ctx); err != nil {
				return err
			}
			if err := anyio.WaitAllTasksBlocked(ctx); err != nil {
				return err
			}
			if !done.Load() {
				t.Errorf("WaitAllTasksBlocked returned while a ToThread call was running")
			}
			return nil
		})
	})
}

// AnyIO test_cancel_wait_on_thread: with AbandonOnCancel the task returns
// at once and its group exits without waiting for fn, which finishes later
// on its own. On a backend that runs one task at a time fn runs to
// completion before anything else, so fn cannot wait for a later call
// there: the test is std's.
func TestCancelWaitOnThread(t *testing.T) {
	confEachBackend(t, func(t *testing.T, ctx context.Context) error {
		if anyio.CurrentBackend(ctx) != "std" {
			return confSkip("fn would wait for a call that cannot run until fn returns")
		}
		release := make(chan struct{})
		finished := make(chan bool, 1)
		started := anyio.NewEvent()
		tok := anyio.CurrentToken(ctx)
		err := anyio.WithTaskGroup(ctx, func(ctx context.Context, tg *anyio.TaskGroup) error {
			tg.StartSoon(func(ctx context.Context) error {
				_, err := anyio.ToThread(ctx, func() (int, error) {
					_ = anyio.FromThread(tok, func(context.Context) error { started.Set(); return nil })
					select {
					case <-release:
						finished <- true
					case <-time.After(confPrompt):
						finished <- false
					}
					return 0, nil
				}, anyio.AbandonOnCancel())
				return err
			})
			// WaitAllTasksBlocked would wait for fn: a thread counts as running.
			if err := started.Wait(ctx); err != nil {
				return err
			}
			tg.CancelScope().Cancel()
			return nil
		})
		if err != nil {
			return err
		}
		if _, err := anyio.ToThread(ctx, func() (int, error) { close(release); return 0, nil }); err != nil {
			return err
		}
		select {
		case ok := <-finished:
			if !ok {
				t.Errorf("the abandoned fn never saw its release")
			}
		case <-time.After(confPrompt):
			t.Errorf("the abandoned fn did not finish")
		}
		return nil
	})
}

// AnyIO test_cancelscope_propagation_when_abandoned: a task whose
// ToThread call was abandoned leaves its scope at once; what fn started in
// the run through FromThread is not cancelled with it and completes. std's,
// for the reason TestCancelWaitOnThread gives.
func TestCancelscopePropagationWhenAbandoned(t *testing.T) {
	confEachBackend(t, func(t *testing.T, ctx context.Context) error {
		if anyio.CurrentBackend(ctx) != "std" {
			return confSkip("fn would wait for a task that cannot run until fn returns")
		}
		hostCancelled, completed := anyio.NewEvent(), anyio.NewEvent()
		outer := anyio.CurrentToken(ctx)
		scope := anyio.NewCancelScope()
		err := scope.Run(ctx, func(ctx context.Context) error {
			_, err := anyio.ToThread(ctx, func() (int, error) {
				return 0, anyio.FromThread(outer, func(ctx context.Context) error {
					scope.Cancel()
					if err := anyio.FailAfter(ctx, confPrompt, hostCancelled.Wait); err != nil {
						return err
					}
					completed.Set()
					return nil
				})
			}, anyio.AbandonOnCancel())
			return err
		})
		if err != nil || !scope.CancelledCaught() {
			t.Errorf("Run = %v, CancelledCaught %v; want the abandon caught", err, scope.CancelledCaught())
		}
		hostCancelled.Set()
		return anyio.FailAfter(ctx, confPrompt, completed.Wait)
	})
}
