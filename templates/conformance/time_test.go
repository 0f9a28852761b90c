package conformance

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	anyio "github.com/anyiogen/anyiogen/generated/anyio"
)

// Now is the backend's clock: Sleep(d) moves it on by at least d.
func TestNowAdvancesBySleep(t *testing.T) {
	confEachBackend(t, func(t *testing.T, ctx context.Context) error {
		start := anyio.Now(ctx)
		if err := anyio.Sleep(ctx, 2*confTick); err != nil {
			return fmt.Errorf("Sleep(%v): %w", 2*confTick, err)
		}
		if err := confCheckElapsed("Sleep", anyio.Now(ctx).Sub(start), 2*confTick); err != nil {
			t.Error(err)
		}
		if anyio.CurrentBackend(ctx) == anyio.BackendStd {
			if d := time.Since(anyio.Now(ctx)); d < -time.Second || d > time.Second {
				t.Errorf("Now on std is %v away from time.Now(), want the wall clock", d)
			}
		}
		return nil
	})
}

func TestSleepNonPositiveReturnsNil(t *testing.T) {
	confEachBackend(t, func(t *testing.T, ctx context.Context) error {
		for _, d := range []time.Duration{0, -time.Second} {
			if err := anyio.Sleep(ctx, d); err != nil {
				t.Errorf("Sleep(%v): got %v, want nil", d, err)
			}
		}
		return nil
	})
}

// "Sleep ... ctx's error if cancelled first", also for a ctx no scope made.
func TestSleepReturnsCtxErrorWhenCancelled(t *testing.T) {
	t.Run("scope cancelled by another task", func(t *testing.T) {
		confEachBackend(t, func(t *testing.T, ctx context.Context) error {
			s := anyio.NewCancelScope()
			var sleepErr error
			var elapsed time.Duration
			err := anyio.WithTaskGroup(ctx, func(ctx context.Context, tg *anyio.TaskGroup) error {
				tg.StartSoon(func(ctx context.Context) error {
					if err := anyio.Sleep(ctx, confTick); err != nil {
						return err
					}
					s.Cancel()
					return nil
				})
				start := anyio.Now(ctx)
				return s.Run(ctx, func(ctx context.Context) error {
					sleepErr = anyio.Sleep(ctx, confForever)
					elapsed = anyio.Now(ctx).Sub(start)
					return sleepErr
				})
			})
			if err != nil {
				return err
			}
			if !errors.Is(sleepErr, context.Canceled) {
				t.Errorf("Sleep(%v) cancelled after %v: got %v, want context.Canceled", confForever, confTick, sleepErr)
			}
			return confCheckElapsed("the cancelled Sleep", elapsed, confTick)
		})
	})
	t.Run("context.WithCancel already cancelled", func(t *testing.T) {
		confEachBackend(t, func(t *testing.T, ctx context.Context) error {
			plain, cancel := context.WithCancel(ctx)
			cancel()
			if err := anyio.Sleep(plain, confForever); !errors.Is(err, context.Canceled) {
				t.Errorf("Sleep with a cancelled context.WithCancel: got %v, want context.Canceled", err)
			}
			if err := anyio.Checkpoint(plain); !errors.Is(err, context.Canceled) {
				t.Errorf("Checkpoint with a cancelled context.WithCancel: got %v, want context.Canceled", err)
			}
			return nil
		})
	})
	t.Run("context.WithCancel cancelled by another task", func(t *testing.T) {
		confEachBackend(t, func(t *testing.T, ctx context.Context) error {
			plain, cancel := context.WithCancel(ctx)
			defer cancel()
			var sleepErr error
			err := anyio.WithTaskGroup(ctx, func(ctx context.Context, tg *anyio.TaskGroup) error {
				tg.StartSoon(func(ctx context.Context) error {
					if err := anyio.Sleep(ctx, confTick); err != nil {
						return err
					}
					cancel()
					return nil
				})
				sleepErr = anyio.Sleep(plain, confForever)
				return nil
			})
			if err != nil {
				return err
			}
			if !errors.Is(sleepErr, context.Canceled) {
				t.Errorf("Sleep with a context.WithCancel cancelled by another task: got %v, want context.Canceled", sleepErr)
			}
			return nil
		})
	})
}

func TestCheckpoint(t *testing.T) {
	confEachBackend(t, func(t *testing.T, ctx context.Context) error {
		for range 3 {
			if err := anyio.Checkpoint(ctx); err != nil {
				t.Errorf("Checkpoint in an uncancelled run: got %v, want nil", err)
			}
		}
		// A checkpoint lets other tasks run: a task that only checkpoints
		// cannot starve another.
		var other atomic.Bool
		err := anyio.WithTaskGroup(ctx, func(ctx context.Context, tg *anyio.TaskGroup) error {
			tg.StartSoon(func(ctx context.Context) error { other.Store(true); return nil })
			for i := 0; !other.Load(); i++ {
				if i == 100000 {
					return errors.New("100000 Checkpoints never let a started task run")
				}
				if err := anyio.Checkpoint(ctx); err != nil {
					return err
				}
			}
			return nil
		})
		return err
	})
}

// CurrentEffectiveDeadline is the earliest deadline of the scopes the body can
// see; a shield hides the ones outside it (Trio
// test_current_effective_deadline, AnyIO test_shielded_deadline).
func TestCurrentEffectiveDeadline(t *testing.T) {
	confEachBackend(t, func(t *testing.T, ctx context.Context) error {
		check := func(ctx context.Context, what string, want time.Time, wantOK bool) {
			t.Helper()
			got, ok := anyio.CurrentEffectiveDeadline(ctx)
			if ok != wantOK || (ok && !got.Equal(want)) {
				t.Errorf("CurrentEffectiveDeadline %s: got %v, %v, want %v, %v", what, got, ok, want, wantOK)
			}
		}
		check(ctx, "in a bare run", time.Time{}, false)

		now := anyio.Now(ctx)
		at5, at10, at3 := now.Add(5*time.Hour), now.Add(10*time.Hour), now.Add(3*time.Hour)
		s1 := anyio.NewCancelScope(anyio.Deadline(at5))
		s2 := anyio.NewCancelScope(anyio.Deadline(at10))
		err := s1.Run(ctx, func(ctx context.Context) error {
			check(ctx, "in a scope with a deadline", at5, true)
			return s2.Run(ctx, func(ctx context.Context) error {
				check(ctx, "in a later-deadline scope inside an earlier one", at5, true)
				s2.SetDeadline(at3)
				check(ctx, "after moving the inner deadline before the outer one", at3, true)
				s2.SetDeadline(at10)
				check(ctx, "after moving it back", at5, true)
				s2.SetShield(true)
				check(ctx, "after shielding the inner scope", at10, true)
				s2.SetShield(false)
				check(ctx, "after unshielding it", at5, true)
				return anyio.NewCancelScope(anyio.Shielded()).Run(ctx, func(ctx context.Context) error {
					check(ctx, "in a shielded scope without a deadline", time.Time{}, false)
					return nil
				})
			})
		})
		if err != nil {
			return err
		}
		check(ctx, "after the scopes", time.Time{}, false)

		before := anyio.Now(ctx)
		err = anyio.FailAfter(ctx, time.Hour, func(ctx context.Context) error {
			got, ok := anyio.CurrentEffectiveDeadline(ctx)
			after := anyio.Now(ctx)
			if !ok || got.Before(before.Add(time.Hour)) || got.After(after.Add(time.Hour)) {
				t.Errorf("CurrentEffectiveDeadline in FailAfter(1h) started at %v: got %v, %v, want that time plus 1h", before, got, ok)
			}
			return nil
		})
		if err != nil {
			return err
		}
		scope, err := anyio.MoveOnAfter(ctx, time.Hour, func(ctx context.Context) error {
			got, ok := anyio.CurrentEffectiveDeadline(ctx)
			after := anyio.Now(ctx)
			if !ok || got.Before(before.Add(time.Hour)) || got.After(after.Add(time.Hour)) {
				t.Errorf("CurrentEffectiveDeadline in MoveOnAfter(1h): got %v, %v, want about now plus 1h", got, ok)
			}
			return nil
		})
		if err != nil {
			return err
		}
		if d, ok := scope.Deadline(); !ok || d.Before(before.Add(time.Hour)) {
			t.Errorf("Deadline() of MoveOnAfter(1h)'s scope: got %v, %v, want about now plus 1h", d, ok)
		}
		return nil
	})
}

// FailAfter's timeout: errors.Is(err, ErrTimeout) and
// errors.Is(err, context.DeadlineExceeded) both hold.
func TestFailAfterTimesOut(t *testing.T) {
	for _, d := range []time.Duration{-time.Second, 0, 5 * confTick} {
		t.Run(fmt.Sprint(d), func(t *testing.T) {
			confEachBackend(t, func(t *testing.T, ctx context.Context) error {
				var sleepErr error
				var reached bool
				start := anyio.Now(ctx)
				err := anyio.FailAfter(ctx, d, func(ctx context.Context) error {
					sleepErr = anyio.Sleep(ctx, confForever)
					if sleepErr != nil {
						return sleepErr
					}
					reached = true
					return nil
				})
				elapsed := anyio.Now(ctx).Sub(start)
				if !confIsTimeout(err) {
					t.Errorf("FailAfter(%v) around Sleep(%v): got %v, want ErrTimeout matching context.DeadlineExceeded", d, confForever, err)
				}
				if !errors.Is(sleepErr, context.DeadlineExceeded) {
					t.Errorf("Sleep inside FailAfter(%v): got %v, want context.DeadlineExceeded", d, sleepErr)
				}
				if reached {
					t.Errorf("body went on after its Sleep was cut short")
				}
				if err := confCheckElapsed(fmt.Sprintf("FailAfter(%v)", d), elapsed, max(d, 0)); err != nil {
					t.Error(err)
				}
				if err := anyio.Checkpoint(ctx); err != nil {
					t.Errorf("Checkpoint after FailAfter timed out: got %v, want nil (the timeout must not leak out)", err)
				}
				return nil
			})
		})
	}
}

// "A body that finished in time returns its own result."
func TestFailAfterFinishingInTimeReturnsBodyResult(t *testing.T) {
	ownCancellation := fmt.Errorf("body gave up: %w", context.DeadlineExceeded)
	for _, want := range []error{nil, errConfBoom, ownCancellation} {
		t.Run(fmt.Sprint(want), func(t *testing.T) {
			confEachBackend(t, func(t *testing.T, ctx context.Context) error {
				err := anyio.FailAfter(ctx, confForever, func(ctx context.Context) error {
					if err := anyio.Sleep(ctx, confTick); err != nil {
						return fmt.Errorf("Sleep(%v) inside FailAfter(%v): %w", confTick, confForever, err)
					}
					return want
				})
				if err != want {
					t.Errorf("FailAfter whose body returned %v in time: got %v, want the body's result unchanged", want, err)
				}
				return nil
			})
		})
	}
}

// A body error that is not a cancellation goes up unchanged, even after the
// timeout.
func TestFailAfterBodyErrorAfterTimeoutGoesUp(t *testing.T) {
	confEachBackend(t, func(t *testing.T, ctx context.Context) error {
		err := anyio.FailAfter(ctx, confTick, func(ctx context.Context) error {
			_ = anyio.Sleep(ctx, confForever)
			return errConfBoom
		})
		if err != errConfBoom {
			t.Errorf("FailAfter whose body returned %v after the timeout: got %v, want it unchanged", errConfBoom, err)
		}
		return nil
	})
}

// "An outer cancellation goes up as itself."
func TestFailAfterOuterCancellationGoesUpAsItself(t *testing.T) {
	t.Run("outer Cancel", func(t *testing.T) {
		confEachBackend(t, func(t *testing.T, ctx context.Context) error {
			outer := anyio.NewCancelScope()
			var failErr error
			err := anyio.WithTaskGroup(ctx, func(ctx context.Context, tg *anyio.TaskGroup) error {
				tg.StartSoon(func(ctx context.Context) error {
					if err := anyio.Sleep(ctx, confTick); err != nil {
						return err
					}
					outer.Cancel()
					return nil
				})
				return outer.Run(ctx, func(ctx context.Context) error {
					failErr = anyio.FailAfter(ctx, confForever, func(ctx context.Context) error {
						return anyio.Sleep(ctx, confForever)
					})
					return failErr
				})
			})
			if err != nil {
				t.Errorf("outer scope: got %v, want nil (it catches its own cancellation)", err)
			}
			if !errors.Is(failErr, context.Canceled) || errors.Is(failErr, anyio.ErrTimeout) || errors.Is(failErr, context.DeadlineExceeded) {
				t.Errorf("FailAfter(%v) cancelled from outside: got %v, want context.Canceled and not ErrTimeout", confForever, failErr)
			}
			if !outer.CancelledCaught() {
				t.Errorf("outer CancelledCaught: got false, want true")
			}
			return nil
		})
	})
	t.Run("outer FailAfter's deadline", func(t *testing.T) {
		confEachBackend(t, func(t *testing.T, ctx context.Context) error {
			var innerErr error
			outerErr := anyio.FailAfter(ctx, 3*confTick, func(ctx context.Context) error {
				innerErr = anyio.FailAfter(ctx, confForever, func(ctx context.Context) error {
					return anyio.Sleep(ctx, confForever)
				})
				return innerErr
			})
			if !errors.Is(innerErr, context.DeadlineExceeded) || errors.Is(innerErr, anyio.ErrTimeout) {
				t.Errorf("inner FailAfter(%v) cut short by the outer one's deadline: got %v, want context.DeadlineExceeded and not ErrTimeout", confForever, innerErr)
			}
			if !confIsTimeout(outerErr) {
				t.Errorf("outer FailAfter(%v): got %v, want ErrTimeout", 3*confTick, outerErr)
			}
			return nil
		})
	})
	t.Run("inner timeout inside a longer FailAfter", func(t *testing.T) {
		confEachBackend(t, func(t *testing.T, ctx context.Context) error {
			var innerErr error
			outerErr := anyio.FailAfter(ctx, confForever, func(ctx context.Context) error {
				innerErr = anyio.FailAfter(ctx, confTick, func(ctx context.Context) error {
					return anyio.Sleep(ctx, confForever)
				})
				return innerErr
			})
			if !confIsTimeout(innerErr) {
				t.Errorf("inner FailAfter(%v): got %v, want ErrTimeout", confTick, innerErr)
			}
			if outerErr != innerErr {
				t.Errorf("outer FailAfter(%v) whose body returned the inner timeout: got %v, want %v unchanged", confForever, outerErr, innerErr)
			}
			return nil
		})
	})
}

// A shielded FailAfter inside a cancelled scope still times out (AnyIO
// test_nested_shield).
func TestFailAfterShieldedInsideCancelledScope(t *testing.T) {
	confEachBackend(t, func(t *testing.T, ctx context.Context) error {
		outer := anyio.NewCancelScope()
		var failErr error
		err := outer.Run(ctx, func(ctx context.Context) error {
			outer.Cancel()
			start := anyio.Now(ctx)
			failErr = anyio.FailAfter(ctx, 2*confTick, func(ctx context.Context) error {
				return anyio.Sleep(ctx, confForever)
			}, anyio.Shielded())
			if err := confCheckElapsed("shielded FailAfter", anyio.Now(ctx).Sub(start), 2*confTick); err != nil {
				t.Error(err)
			}
			return anyio.Checkpoint(ctx)
		})
		if !confIsTimeout(failErr) {
			t.Errorf("shielded FailAfter inside a cancelled scope: got %v, want ErrTimeout", failErr)
		}
		if err != nil {
			t.Errorf("outer scope: got %v, want nil", err)
		}
		return nil
	})
}

// A timeout that cancels a whole task group is still FailAfter's timeout
// (AnyIO test_timeout_error_with_multiple_cancellations).
func TestFailAfterAroundTaskGroup(t *testing.T) {
	confEachBackend(t, func(t *testing.T, ctx context.Context) error {
		err := anyio.FailAfter(ctx, 2*confTick, func(ctx context.Context) error {
			return anyio.WithTaskGroup(ctx, func(ctx context.Context, tg *anyio.TaskGroup) error {
				for range 3 {
					tg.StartSoon(func(ctx context.Context) error { return anyio.Sleep(ctx, confForever) })
				}
				return anyio.Sleep(ctx, confForever)
			})
		})
		if !confIsTimeout(err) {
			t.Errorf("FailAfter around a task group of sleepers: got %v, want ErrTimeout", err)
		}
		return nil
	})
}

// "MoveOnAfter returns its scope; after a timeout CancelledCaught() is true and
// the error is nil."
func TestMoveOnAfter(t *testing.T) {
	t.Run("timeout", func(t *testing.T) {
		for _, d := range []time.Duration{0, 3 * confTick} {
			t.Run(fmt.Sprint(d), func(t *testing.T) {
				confEachBackend(t, func(t *testing.T, ctx context.Context) error {
					var reached bool
					start := anyio.Now(ctx)
					scope, err := anyio.MoveOnAfter(ctx, d, func(ctx context.Context) error {
						if err := anyio.Sleep(ctx, confForever); err != nil {
							return err
						}
						reached = true
						return nil
					})
					elapsed := anyio.Now(ctx).Sub(start)
					if err != nil {
						t.Errorf("MoveOnAfter(%v) around Sleep(%v): got %v, want nil", d, confForever, err)
					}
					if scope == nil {
						return errors.New("MoveOnAfter returned a nil scope")
					}
					if !scope.CancelCalled() || !scope.CancelledCaught() {
						t.Errorf("MoveOnAfter(%v)'s scope after the timeout: CancelCalled %v, CancelledCaught %v, want true, true", d, scope.CancelCalled(), scope.CancelledCaught())
					}
					if reached {
						t.Errorf("body went on after its Sleep was cut short")
					}
					return confCheckElapsed(fmt.Sprintf("MoveOnAfter(%v)", d), elapsed, d)
				})
			})
		}
	})
	t.Run("finished in time", func(t *testing.T) {
		for _, want := range []error{nil, errConfBoom} {
			t.Run(fmt.Sprint(want), func(t *testing.T) {
				confEachBackend(t, func(t *testing.T, ctx context.Context) error {
					scope, err := anyio.MoveOnAfter(ctx, confForever, func(ctx context.Context) error {
						if err := anyio.Sleep(ctx, confTick); err != nil {
							return err
						}
						return want
					})
					if err != want {
						t.Errorf("MoveOnAfter whose body returned %v in time: got %v, want it unchanged", want, err)
					}
					if scope == nil {
						return errors.New("MoveOnAfter returned a nil scope")
					}
					if scope.CancelCalled() || scope.CancelledCaught() {
						t.Errorf("scope that did not time out: CancelCalled %v, CancelledCaught %v, want false, false", scope.CancelCalled(), scope.CancelledCaught())
					}
					return nil
				})
			})
		}
	})
	t.Run("shielded", func(t *testing.T) {
		confEachBackend(t, func(t *testing.T, ctx context.Context) error {
			outer := anyio.NewCancelScope()
			var scope *anyio.CancelScope
			var moveErr, sleepErr error
			err := outer.Run(ctx, func(ctx context.Context) error {
				outer.Cancel()
				scope, moveErr = anyio.MoveOnAfter(ctx, confForever, func(ctx context.Context) error {
					sleepErr = anyio.Sleep(ctx, confTick)
					return sleepErr
				}, anyio.Shielded())
				return anyio.Checkpoint(ctx)
			})
			if err != nil {
				t.Errorf("outer scope: got %v, want nil", err)
			}
			if moveErr != nil || sleepErr != nil {
				t.Errorf("shielded MoveOnAfter inside a cancelled scope: got %v (Sleep %v), want nil (nil)", moveErr, sleepErr)
			}
			if scope != nil && !scope.Shield() {
				t.Errorf("Shield() of MoveOnAfter(..., Shielded())'s scope: got false, want true")
			}
			return nil
		})
	})
}

// Nested MoveOnAfter: the earlier outer deadline wins and only the outer scope
// is cancelled (AnyIO test_nested_move_on_after).
func TestMoveOnAfterNested(t *testing.T) {
	confEachBackend(t, func(t *testing.T, ctx context.Context) error {
		var inner *anyio.CancelScope
		var innerErr error
		var sleepDone, innerDone bool
		outer, err := anyio.MoveOnAfter(ctx, 3*confTick, func(ctx context.Context) error {
			outerDeadline, _ := anyio.CurrentEffectiveDeadline(ctx)
			inner, innerErr = anyio.MoveOnAfter(ctx, confForever, func(ctx context.Context) error {
				if d, ok := anyio.CurrentEffectiveDeadline(ctx); !ok || !d.Equal(outerDeadline) {
					t.Errorf("CurrentEffectiveDeadline in the later inner scope: got %v, %v, want the outer deadline %v", d, ok, outerDeadline)
				}
				if err := anyio.Sleep(ctx, confForever); err != nil {
					return err
				}
				sleepDone = true
				return nil
			})
			if innerErr != nil {
				return innerErr
			}
			innerDone = true
			return nil
		})
		if err != nil {
			t.Errorf("outer MoveOnAfter: got %v, want nil", err)
		}
		if !confIsCancellation(innerErr) {
			t.Errorf("inner MoveOnAfter cut short by the outer deadline: got %v, want the cancellation", innerErr)
		}
		if sleepDone || innerDone {
			t.Errorf("code after the cut-short Sleep ran: after Sleep %v, after inner scope %v", sleepDone, innerDone)
		}
		if !outer.CancelCalled() || !outer.CancelledCaught() {
			t.Errorf("outer scope: CancelCalled %v, CancelledCaught %v, want true, true", outer.CancelCalled(), outer.CancelledCaught())
		}
		if inner != nil && (inner.CancelCalled() || inner.CancelledCaught()) {
			t.Errorf("inner scope: CancelCalled %v, CancelledCaught %v, want false, false", inner.CancelCalled(), inner.CancelledCaught())
		}
		return nil
	})
}

// A caught cancellation leaves nothing behind: later checkpoints pass and a
// later FailAfter times out on its own deadline (AnyIO
// test_cancel_scope_cleared, test_fail_after_after_cancellation).
func TestTimeoutStateIsClearedAfterwards(t *testing.T) {
	confEachBackend(t, func(t *testing.T, ctx context.Context) error {
		if _, err := anyio.MoveOnAfter(ctx, confTick, func(ctx context.Context) error {
			return anyio.Sleep(ctx, confForever)
		}); err != nil {
			return fmt.Errorf("MoveOnAfter: %w", err)
		}
		if err := anyio.Checkpoint(ctx); err != nil {
			t.Errorf("Checkpoint after MoveOnAfter timed out: got %v, want nil", err)
		}
		if err := anyio.Sleep(ctx, 2*confTick); err != nil {
			t.Errorf("Sleep after MoveOnAfter timed out: got %v, want nil", err)
		}
		if err := anyio.WithTaskGroup(ctx, func(ctx context.Context, tg *anyio.TaskGroup) error {
			tg.CancelScope().Cancel()
			return anyio.Sleep(ctx, confForever)
		}); err != nil {
			return fmt.Errorf("cancelled task group: %w", err)
		}
		start := anyio.Now(ctx)
		err := anyio.FailAfter(ctx, 2*confTick, func(ctx context.Context) error {
			return anyio.Sleep(ctx, confForever)
		})
		if !confIsTimeout(err) {
			t.Errorf("FailAfter after earlier cancellations: got %v, want ErrTimeout", err)
		}
		return confCheckElapsed("FailAfter after earlier cancellations", anyio.Now(ctx).Sub(start), 2*confTick)
	})
}

// A cancelled context's effective deadline has already passed (AnyIO
// answers -inf): the zero time.
func TestCurrentEffectiveDeadlineOfCancelledScope(t *testing.T) {
	confEachBackend(t, func(t *testing.T, ctx context.Context) error {
		s := anyio.NewCancelScope()
		return s.Run(ctx, func(ctx context.Context) error {
			s.Cancel()
			d, ok := anyio.CurrentEffectiveDeadline(ctx)
			if !ok || !d.IsZero() {
				t.Errorf("CurrentEffectiveDeadline after Cancel: got %v, %v; want the zero time, true", d, ok)
			}
			return nil
		})
	})
}
