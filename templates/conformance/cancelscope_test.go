package conformance

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	anyio "github.com/anyiogen/anyiogen/generated/anyio"
)

// A scope hands the body's own result back when nothing cancelled it.
func TestCancelScopeReturnsBodyResultWhenNotCancelled(t *testing.T) {
	ownCancellation := fmt.Errorf("body gave up: %w", context.Canceled)
	tests := []struct {
		name string
		ret  error
	}{
		{"nil", nil},
		{"an error", errConfBoom},
		{"a cancellation no scope made", ownCancellation},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			confEachBackend(t, func(t *testing.T, ctx context.Context) error {
				s := anyio.NewCancelScope()
				err := s.Run(ctx, func(ctx context.Context) error {
					if err := anyio.Checkpoint(ctx); err != nil {
						return fmt.Errorf("Checkpoint in a scope nobody cancelled: %w", err)
					}
					return tt.ret
				})
				if err != tt.ret {
					t.Errorf("Run of a body returning %v: got %v, want the body's error unchanged", tt.ret, err)
				}
				if s.CancelCalled() || s.CancelledCaught() {
					t.Errorf("scope nobody cancelled: CancelCalled %v, CancelledCaught %v, want false, false", s.CancelCalled(), s.CancelledCaught())
				}
				return nil
			})
		})
	}
}

// "A scope is entered once; a second Run returns an error."
func TestCancelScopeIsEnteredOnce(t *testing.T) {
	confEachBackend(t, func(t *testing.T, ctx context.Context) error {
		s := anyio.NewCancelScope()
		var calls atomic.Int32
		body := func(ctx context.Context) error { calls.Add(1); return nil }

		err := s.Run(ctx, func(ctx context.Context) error {
			calls.Add(1)
			if err := s.Run(ctx, body); err == nil {
				t.Errorf("Run of a scope already running: got nil, want an error")
			}
			return nil
		})
		if err != nil {
			t.Errorf("first Run: got %v, want nil", err)
		}
		if err := s.Run(ctx, body); err == nil {
			t.Errorf("Run of a scope that already ran: got nil, want an error")
		} else if confIsCancellation(err) {
			t.Errorf("Run of a scope that already ran: got the cancellation %v, want a usage error", err)
		}
		if n := calls.Load(); n != 1 {
			t.Errorf("bodies run: got %d, want 1 (a refused Run must not call its body)", n)
		}
		return nil
	})
}

// Cancel before Run: the body starts, its first checkpoint reports the
// cancellation, and the scope catches it.
func TestCancelScopeCancelBeforeRun(t *testing.T) {
	confEachBackend(t, func(t *testing.T, ctx context.Context) error {
		s := anyio.NewCancelScope()
		s.Cancel()
		if !s.CancelCalled() {
			t.Errorf("CancelCalled after Cancel before Run: got false, want true")
		}
		var started bool
		err := s.Run(ctx, func(ctx context.Context) error {
			started = true
			err := anyio.Sleep(ctx, confForever)
			if !errors.Is(err, context.Canceled) {
				t.Errorf("Sleep in a scope cancelled before Run: got %v, want context.Canceled", err)
			}
			return err
		})
		if !started {
			t.Errorf("body of a scope cancelled before Run did not run; want it to run up to its first checkpoint")
		}
		if err != nil {
			t.Errorf("Run of a scope cancelled before Run: got %v, want nil (its own cancellation is caught)", err)
		}
		if !s.CancelledCaught() {
			t.Errorf("CancelledCaught: got false, want true")
		}
		return nil
	})
}

// Cancel from another task wakes the body's blocking call; the scope catches
// the cancellation, and the task group around it is not cancelled.
func TestCancelScopeCancelFromAnotherTask(t *testing.T) {
	confEachBackend(t, func(t *testing.T, ctx context.Context) error {
		s := anyio.NewCancelScope()
		var entered, finished atomic.Bool
		var runErr, sleepErr error
		var elapsed time.Duration
		err := anyio.WithTaskGroup(ctx, func(ctx context.Context, tg *anyio.TaskGroup) error {
			tg.StartSoon(func(ctx context.Context) error {
				start := anyio.Now(ctx)
				runErr = s.Run(ctx, func(ctx context.Context) error {
					entered.Store(true)
					sleepErr = anyio.Sleep(ctx, confForever)
					return sleepErr
				})
				elapsed = anyio.Now(ctx).Sub(start)
				finished.Store(true)
				return nil
			})
			if err := confWaitUntil(ctx, "the task entered its scope", entered.Load); err != nil {
				return err
			}
			if err := anyio.Sleep(ctx, confTick); err != nil {
				return err
			}
			s.Cancel()
			return confWaitUntil(ctx, "the cancelled task returned", finished.Load)
		})
		if err != nil {
			return err
		}
		if !errors.Is(sleepErr, context.Canceled) {
			t.Errorf("Sleep cut short by Cancel from another task: got %v, want context.Canceled", sleepErr)
		}
		if runErr != nil || !s.CancelledCaught() {
			t.Errorf("Run after Cancel from another task: got %v (CancelledCaught %v), want nil (true)", runErr, s.CancelledCaught())
		}
		return confCheckElapsed("the cancelled scope", elapsed, confTick)
	})
}

// "Cancel ... safe before, during and after Run, from any goroutine."
func TestCancelScopeCancelFromAnotherGoroutine(t *testing.T) {
	confEachBackend(t, func(t *testing.T, ctx context.Context) error {
		// Before Run.
		before := anyio.NewCancelScope()
		if err := confInGoroutine(before.Cancel); err != nil {
			return err
		}
		err := before.Run(ctx, func(ctx context.Context) error { return anyio.Checkpoint(ctx) })
		if err != nil || !before.CancelledCaught() {
			t.Errorf("scope cancelled from a goroutine before Run: Run got %v (CancelledCaught %v), want nil (true)", err, before.CancelledCaught())
		}

		// During Run: the body's next checkpoint sees it.
		during := anyio.NewCancelScope()
		err = during.Run(ctx, func(ctx context.Context) error {
			if err := confInGoroutine(during.Cancel); err != nil {
				return err
			}
			if !confIsDone(ctx) {
				t.Errorf("ctx.Done() after Cancel from another goroutine: still open, want closed")
			}
			err := anyio.Checkpoint(ctx)
			if !errors.Is(err, context.Canceled) {
				t.Errorf("Checkpoint after Cancel from another goroutine: got %v, want context.Canceled", err)
			}
			return err
		})
		if err != nil || !during.CancelledCaught() {
			t.Errorf("scope cancelled from a goroutine during Run: Run got %v (CancelledCaught %v), want nil (true)", err, during.CancelledCaught())
		}

		// During Run, waking a task blocked in Sleep. Only the wall clock lets
		// a goroutine outside the run act "later"; a virtual clock would
		// simply let the Sleep finish first.
		if anyio.CurrentBackend(ctx) == anyio.BackendStd {
			blocked := anyio.NewCancelScope()
			var wg sync.WaitGroup
			var sleepErr error
			start := anyio.Now(ctx)
			err = blocked.Run(ctx, func(ctx context.Context) error {
				wg.Add(1)
				//anyiovet:ignore std only: a second goroutine cancels the scope from outside
				go func() {
					defer wg.Done()
					time.Sleep(confTick)
					blocked.Cancel()
				}()
				sleepErr = anyio.Sleep(ctx, confForever)
				return sleepErr
			})
			elapsed := anyio.Now(ctx).Sub(start)
			wg.Wait()
			if !errors.Is(sleepErr, context.Canceled) {
				t.Errorf("Sleep cut short by Cancel from a goroutine: got %v, want context.Canceled", sleepErr)
			}
			if err != nil {
				t.Errorf("Run cancelled from a goroutine: got %v, want nil", err)
			}
			if err := confCheckElapsed("Sleep cancelled from a goroutine", elapsed, confTick); err != nil {
				t.Error(err)
			}
		}

		// After Run.
		after := anyio.NewCancelScope()
		if err := after.Run(ctx, func(ctx context.Context) error { return anyio.Checkpoint(ctx) }); err != nil {
			t.Errorf("Run: got %v, want nil", err)
		}
		if err := confInGoroutine(after.Cancel); err != nil {
			return err
		}
		if !after.CancelCalled() || after.CancelledCaught() {
			t.Errorf("Cancel after Run: CancelCalled %v, CancelledCaught %v, want true, false", after.CancelCalled(), after.CancelledCaught())
		}
		return nil
	})
}

// CancelCalled and CancelledCaught for each way a body can end.
func TestCancelScopeCancelCalledAndCancelledCaught(t *testing.T) {
	tests := []struct {
		name       string
		cancel     bool
		body       func(ctx context.Context) error
		wantErr    error
		wantCaught bool
	}{
		{
			name: "not cancelled",
			body: func(ctx context.Context) error { return anyio.Checkpoint(ctx) },
		},
		{
			name:       "cancelled, body returns the cancellation",
			cancel:     true,
			body:       func(ctx context.Context) error { return anyio.Checkpoint(ctx) },
			wantCaught: true,
		},
		{
			name:   "cancelled, body wraps the cancellation",
			cancel: true,
			body: func(ctx context.Context) error {
				if err := anyio.Checkpoint(ctx); err != nil {
					return fmt.Errorf("step 2: %w", err)
				}
				return nil
			},
			wantCaught: true,
		},
		{
			// AnyIO test_cancelled_not_caught: nothing was absorbed.
			name:   "cancelled, body returns nil without a checkpoint",
			cancel: true,
			body:   func(ctx context.Context) error { return nil },
		},
		{
			name:    "cancelled, body returns another error",
			cancel:  true,
			body:    func(ctx context.Context) error { _ = anyio.Checkpoint(ctx); return errConfBoom },
			wantErr: errConfBoom,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			confEachBackend(t, func(t *testing.T, ctx context.Context) error {
				s := anyio.NewCancelScope()
				err := s.Run(ctx, func(ctx context.Context) error {
					if tt.cancel {
						s.Cancel()
						s.Cancel() // idempotent
					}
					return tt.body(ctx)
				})
				if err != tt.wantErr {
					t.Errorf("Run: got %v, want %v", err, tt.wantErr)
				}
				if s.CancelCalled() != tt.cancel {
					t.Errorf("CancelCalled: got %v, want %v", s.CancelCalled(), tt.cancel)
				}
				if s.CancelledCaught() != tt.wantCaught {
					t.Errorf("CancelledCaught: got %v, want %v", s.CancelledCaught(), tt.wantCaught)
				}
				return nil
			})
		})
	}
}

// "Cancellation is level-triggered: once a scope is cancelled, every
// checkpoint inside it (and ctx.Done()) reports it until the body returns."
func TestCancelScopeIsLevelTriggered(t *testing.T) {
	confEachBackend(t, func(t *testing.T, ctx context.Context) error {
		s := anyio.NewCancelScope()
		err := s.Run(ctx, func(ctx context.Context) error {
			if confIsDone(ctx) || ctx.Err() != nil {
				t.Errorf("before Cancel: ctx.Done() closed %v, ctx.Err() %v, want open, nil", confIsDone(ctx), ctx.Err())
			}
			s.Cancel()
			if !confIsDone(ctx) {
				t.Errorf("ctx.Done() right after Cancel: open, want closed")
			}
			for i, op := range []func() error{
				func() error { return anyio.Checkpoint(ctx) },
				func() error { return anyio.Sleep(ctx, confForever) },
				func() error { return anyio.Checkpoint(ctx) },
				func() error { return anyio.Sleep(ctx, 0) },
			} {
				if err := op(); !errors.Is(err, context.Canceled) {
					t.Errorf("blocking call %d after Cancel: got %v, want context.Canceled", i+1, err)
				}
			}
			// A scope entered inside a cancelled one sees the cancellation too,
			// and does not catch it.
			inner := anyio.NewCancelScope()
			innerErr := inner.Run(ctx, func(ctx context.Context) error { return anyio.Checkpoint(ctx) })
			if !errors.Is(innerErr, context.Canceled) || inner.CancelledCaught() {
				t.Errorf("scope entered inside a cancelled scope: Run got %v (CancelledCaught %v), want context.Canceled (false)", innerErr, inner.CancelledCaught())
			}
			if !confIsDone(ctx) {
				t.Errorf("ctx.Done() at the end of a cancelled body: open, want closed")
			}
			return innerErr
		})
		if err != nil || !s.CancelledCaught() {
			t.Errorf("Run: got %v (CancelledCaught %v), want nil (true)", err, s.CancelledCaught())
		}
		return nil
	})
}

// A scope catches only its own cancellation: one that came from an enclosing
// scope goes up through it unchanged.
func TestCancelScopeCatchesOnlyItsOwnCancellation(t *testing.T) {
	confEachBackend(t, func(t *testing.T, ctx context.Context) error {
		outer, inner := anyio.NewCancelScope(), anyio.NewCancelScope()
		var innerErr error
		outerErr := outer.Run(ctx, func(ctx context.Context) error {
			innerErr = inner.Run(ctx, func(ctx context.Context) error {
				outer.Cancel()
				return anyio.Sleep(ctx, confForever)
			})
			return innerErr
		})
		if !errors.Is(innerErr, context.Canceled) {
			t.Errorf("inner Run when only the outer scope was cancelled: got %v, want the cancellation (context.Canceled)", innerErr)
		}
		if inner.CancelCalled() || inner.CancelledCaught() {
			t.Errorf("inner scope: CancelCalled %v, CancelledCaught %v, want false, false", inner.CancelCalled(), inner.CancelledCaught())
		}
		if outerErr != nil || !outer.CancelledCaught() {
			t.Errorf("outer Run: got %v (CancelledCaught %v), want nil (true)", outerErr, outer.CancelledCaught())
		}
		return nil
	})
}

// A cancelled scope does not catch when an enclosing scope the body can see is
// cancelled too: the outermost cancelled scope catches (Trio
// test_cancel_scope_nesting, AnyIO test_cancelled_raises_beyond_origin_*).
func TestCancelScopeEnclosingCancelledScopeCatches(t *testing.T) {
	confEachBackend(t, func(t *testing.T, ctx context.Context) error {
		// Two of three nested scopes cancelled: the outer of the two catches.
		s1, s2, s3 := anyio.NewCancelScope(), anyio.NewCancelScope(), anyio.NewCancelScope()
		var err2, err3 error
		err1 := s1.Run(ctx, func(ctx context.Context) error {
			err2 = s2.Run(ctx, func(ctx context.Context) error {
				err3 = s3.Run(ctx, func(ctx context.Context) error {
					s3.Cancel()
					s2.Cancel()
					return anyio.Sleep(ctx, confForever)
				})
				return err3
			})
			return err2
		})
		if !confIsCancellation(err3) || s3.CancelledCaught() {
			t.Errorf("innermost cancelled scope inside another cancelled scope: Run got %v (CancelledCaught %v), want a cancellation (false)", err3, s3.CancelledCaught())
		}
		if err2 != nil || !s2.CancelledCaught() {
			t.Errorf("outer cancelled scope: Run got %v (CancelledCaught %v), want nil (true)", err2, s2.CancelledCaught())
		}
		if err1 != nil || s1.CancelCalled() || s1.CancelledCaught() {
			t.Errorf("uncancelled outermost scope: Run got %v, CancelCalled %v, CancelledCaught %v, want nil, false, false", err1, s1.CancelCalled(), s1.CancelledCaught())
		}

		// The inner scope's cancellation is on its way out when the outer one
		// is cancelled: the outer one catches it.
		outer, inner := anyio.NewCancelScope(), anyio.NewCancelScope()
		var innerErr error
		outerErr := outer.Run(ctx, func(ctx context.Context) error {
			innerErr = inner.Run(ctx, func(ctx context.Context) error {
				inner.Cancel()
				err := anyio.Checkpoint(ctx)
				outer.Cancel()
				return err
			})
			return innerErr
		})
		if !confIsCancellation(innerErr) || inner.CancelledCaught() {
			t.Errorf("inner scope whose outer scope was cancelled on the way out: Run got %v (CancelledCaught %v), want a cancellation (false)", innerErr, inner.CancelledCaught())
		}
		if outerErr != nil || !outer.CancelledCaught() {
			t.Errorf("outer scope: Run got %v (CancelledCaught %v), want nil (true)", outerErr, outer.CancelledCaught())
		}
		return nil
	})
}

// A shielded scope's body cannot see the enclosing scopes, so a shielded scope
// catches its own cancellation even when an enclosing one is cancelled; the
// enclosing cancellation then shows at the next checkpoint outside it.
func TestCancelScopeShieldedCatchesItsOwnWhileOuterCancelled(t *testing.T) {
	confEachBackend(t, func(t *testing.T, ctx context.Context) error {
		outer, inner := anyio.NewCancelScope(), anyio.NewCancelScope(anyio.Shielded())
		var innerErr, afterErr error
		var between bool
		outerErr := outer.Run(ctx, func(ctx context.Context) error {
			innerErr = inner.Run(ctx, func(ctx context.Context) error {
				inner.Cancel()
				err := anyio.Checkpoint(ctx)
				outer.Cancel()
				return err
			})
			between = true
			afterErr = anyio.Checkpoint(ctx)
			return afterErr
		})
		if innerErr != nil || !inner.CancelledCaught() {
			t.Errorf("shielded inner scope: Run got %v (CancelledCaught %v), want nil (true)", innerErr, inner.CancelledCaught())
		}
		if !between {
			t.Errorf("code between the shielded scope and the outer scope's end did not run")
		}
		if !errors.Is(afterErr, context.Canceled) {
			t.Errorf("Checkpoint in the outer scope after the shielded scope: got %v, want context.Canceled", afterErr)
		}
		if outerErr != nil || !outer.CancelledCaught() {
			t.Errorf("outer scope: Run got %v (CancelledCaught %v), want nil (true)", outerErr, outer.CancelledCaught())
		}
		return nil
	})
}

// "A shielded scope is not cancelled by its parents; its own deadline and
// Cancel still work."
func TestCancelScopeShieldBlocksOuterCancellation(t *testing.T) {
	confEachBackend(t, func(t *testing.T, ctx context.Context) error {
		outer := anyio.NewCancelScope()
		shielded := anyio.NewCancelScope(anyio.Shielded())
		if !shielded.Shield() {
			t.Errorf("Shield() of NewCancelScope(Shielded()): got false, want true")
		}
		var sleepErr, afterErr error
		var elapsed time.Duration
		err := anyio.WithTaskGroup(ctx, func(ctx context.Context, tg *anyio.TaskGroup) error {
			tg.StartSoon(func(ctx context.Context) error {
				if err := anyio.Sleep(ctx, confTick); err != nil {
					return err
				}
				outer.Cancel()
				return nil
			})
			return outer.Run(ctx, func(ctx context.Context) error {
				err := shielded.Run(ctx, func(ctx context.Context) error {
					start := anyio.Now(ctx)
					sleepErr = anyio.Sleep(ctx, 3*confTick)
					elapsed = anyio.Now(ctx).Sub(start)
					if ctx.Err() != nil || confIsDone(ctx) {
						t.Errorf("shielded ctx after the outer scope was cancelled: Err %v, Done closed %v, want nil, open", ctx.Err(), confIsDone(ctx))
					}
					return sleepErr
				})
				if err != nil {
					return fmt.Errorf("shielded Run: %w", err)
				}
				afterErr = anyio.Checkpoint(ctx)
				return afterErr
			})
		})
		if err != nil {
			return err
		}
		if sleepErr != nil {
			t.Errorf("Sleep in a shielded scope while the outer scope was cancelled: got %v, want nil", sleepErr)
		}
		if err := confCheckElapsed("shielded Sleep", elapsed, 3*confTick); err != nil {
			t.Error(err)
		}
		if shielded.CancelCalled() || shielded.CancelledCaught() {
			t.Errorf("shielded scope: CancelCalled %v, CancelledCaught %v, want false, false", shielded.CancelCalled(), shielded.CancelledCaught())
		}
		if !errors.Is(afterErr, context.Canceled) {
			t.Errorf("Checkpoint after leaving the shield: got %v, want context.Canceled", afterErr)
		}
		return nil
	})
}

func TestCancelScopeShieldedOwnDeadlineAndCancelStillWork(t *testing.T) {
	confEachBackend(t, func(t *testing.T, ctx context.Context) error {
		outer := anyio.NewCancelScope()
		return outer.Run(ctx, func(ctx context.Context) error {
			outer.Cancel()

			start := anyio.Now(ctx)
			byDeadline := anyio.NewCancelScope(anyio.Shielded(), anyio.Deadline(start.Add(confTick)))
			var sleepErr error
			err := byDeadline.Run(ctx, func(ctx context.Context) error {
				sleepErr = anyio.Sleep(ctx, confForever)
				return sleepErr
			})
			elapsed := anyio.Now(ctx).Sub(start)
			if !errors.Is(sleepErr, context.DeadlineExceeded) {
				t.Errorf("Sleep in a shielded scope past its own deadline: got %v, want context.DeadlineExceeded", sleepErr)
			}
			if err != nil || !byDeadline.CancelledCaught() {
				t.Errorf("shielded scope past its deadline: Run got %v (CancelledCaught %v), want nil (true)", err, byDeadline.CancelledCaught())
			}
			if err := confCheckElapsed("shielded scope with a deadline", elapsed, confTick); err != nil {
				t.Error(err)
			}

			byCancel := anyio.NewCancelScope(anyio.Shielded())
			err = byCancel.Run(ctx, func(ctx context.Context) error {
				byCancel.Cancel()
				return anyio.Sleep(ctx, confForever)
			})
			if err != nil || !byCancel.CancelledCaught() {
				t.Errorf("shielded scope cancelled itself: Run got %v (CancelledCaught %v), want nil (true)", err, byCancel.CancelledCaught())
			}
			return anyio.Checkpoint(ctx)
		})
	})
}

// SetShield raises and lowers the shield while the body runs (Trio
// test_cancel_shielding). Raising it cannot take back a cancellation that has
// already reached the body: a context's Done channel, once closed, stays
// closed.
func TestCancelScopeSetShield(t *testing.T) {
	confEachBackend(t, func(t *testing.T, ctx context.Context) error {
		outer, inner := anyio.NewCancelScope(), anyio.NewCancelScope()
		var innerErr error
		outerErr := outer.Run(ctx, func(ctx context.Context) error {
			innerErr = inner.Run(ctx, func(ctx context.Context) error {
				if inner.Shield() {
					t.Errorf("Shield() of NewCancelScope(): got true, want false")
				}
				inner.SetShield(true)
				if !inner.Shield() {
					t.Errorf("Shield() after SetShield(true): got false, want true")
				}
				outer.Cancel()
				if err := anyio.Checkpoint(ctx); err != nil {
					t.Errorf("Checkpoint, shield raised, then outer cancelled: got %v, want nil", err)
				}
				if ctx.Err() != nil || confIsDone(ctx) {
					t.Errorf("shielded ctx after the outer scope was cancelled: Err %v, Done closed %v, want nil, open", ctx.Err(), confIsDone(ctx))
				}
				innermost := anyio.NewCancelScope()
				err := innermost.Run(ctx, func(ctx context.Context) error {
					innermost.Cancel()
					return anyio.Checkpoint(ctx)
				})
				if err != nil || !innermost.CancelledCaught() {
					t.Errorf("scope inside the shield cancelling itself: Run got %v (CancelledCaught %v), want nil (true)", err, innermost.CancelledCaught())
				}
				inner.SetShield(false)
				if inner.Shield() {
					t.Errorf("Shield() after SetShield(false): got true, want false")
				}
				if !confIsDone(ctx) {
					t.Errorf("ctx.Done() after lowering the shield under a cancelled scope: open, want closed")
				}
				err = anyio.Checkpoint(ctx)
				if !errors.Is(err, context.Canceled) {
					t.Errorf("Checkpoint after SetShield(false): got %v, want context.Canceled", err)
				}
				return err
			})
			return innerErr
		})
		if !errors.Is(innerErr, context.Canceled) || inner.CancelledCaught() {
			t.Errorf("unshielded scope under a cancelled one: Run got %v (CancelledCaught %v), want context.Canceled (false)", innerErr, inner.CancelledCaught())
		}
		if outerErr != nil || !outer.CancelledCaught() {
			t.Errorf("outer Run: got %v (CancelledCaught %v), want nil (true)", outerErr, outer.CancelledCaught())
		}
		return nil
	})
}

// Lowering the shield wakes a task blocked under it when an enclosing scope is
// cancelled (Trio test_cancel_shield_abort).
func TestCancelScopeLoweringShieldWakesBlockedTask(t *testing.T) {
	confEachBackend(t, func(t *testing.T, ctx context.Context) error {
		shield := anyio.NewCancelScope(anyio.Shielded())
		var entered, finished atomic.Bool
		var sleepErr error
		err := anyio.WithTaskGroup(ctx, func(ctx context.Context, tg *anyio.TaskGroup) error {
			tg.StartSoon(func(ctx context.Context) error {
				defer finished.Store(true)
				return shield.Run(ctx, func(ctx context.Context) error {
					entered.Store(true)
					sleepErr = anyio.Sleep(ctx, confForever)
					return sleepErr
				})
			})
			tg.CancelScope().Cancel()
			// The host itself waits under a shield of its own.
			return anyio.NewCancelScope(anyio.Shielded()).Run(ctx, func(ctx context.Context) error {
				if err := confWaitUntil(ctx, "the task is under its shield", entered.Load); err != nil {
					return err
				}
				if err := anyio.Sleep(ctx, confTick); err != nil {
					return err
				}
				if finished.Load() {
					t.Errorf("task under a shield finished although only its enclosing group was cancelled")
				}
				shield.SetShield(false)
				return confWaitUntil(ctx, "the unshielded task returned", finished.Load)
			})
		})
		if err != nil {
			t.Errorf("WithTaskGroup: got %v, want nil", err)
		}
		if !errors.Is(sleepErr, context.Canceled) {
			t.Errorf("Sleep after the shield was lowered inside a cancelled group: got %v, want context.Canceled", sleepErr)
		}
		return nil
	})
}

// "A deadline already past at entry cancels at the first checkpoint."
func TestCancelScopeDeadlineInThePast(t *testing.T) {
	for _, ago := range []time.Duration{0, time.Second} {
		t.Run(fmt.Sprintf("now minus %v", ago), func(t *testing.T) {
			confEachBackend(t, func(t *testing.T, ctx context.Context) error {
				s := anyio.NewCancelScope(anyio.Deadline(anyio.Now(ctx).Add(-ago)))
				var reached bool
				err := s.Run(ctx, func(ctx context.Context) error {
					err := anyio.Checkpoint(ctx)
					if !errors.Is(err, context.DeadlineExceeded) {
						t.Errorf("first Checkpoint with a deadline already past: got %v, want context.DeadlineExceeded", err)
					}
					if !errors.Is(ctx.Err(), context.DeadlineExceeded) {
						t.Errorf("ctx.Err() after the deadline: got %v, want context.DeadlineExceeded", ctx.Err())
					}
					if err != nil {
						return err
					}
					reached = true
					return nil
				})
				if reached {
					t.Errorf("body went on past its first checkpoint")
				}
				if err != nil || !s.CancelCalled() || !s.CancelledCaught() {
					t.Errorf("Run: got %v, CancelCalled %v, CancelledCaught %v, want nil, true, true", err, s.CancelCalled(), s.CancelledCaught())
				}
				return nil
			})
		})
	}
}

// Deadline and SetDeadline: the deadline may move earlier or later while the
// body runs, from the body or from another task.
func TestCancelScopeSetDeadline(t *testing.T) {
	t.Run("Deadline reports the deadline", func(t *testing.T) {
		confEachBackend(t, func(t *testing.T, ctx context.Context) error {
			if d, ok := anyio.NewCancelScope().Deadline(); ok {
				t.Errorf("Deadline() of NewCancelScope(): got %v, true, want no deadline", d)
			}
			at := anyio.Now(ctx).Add(time.Hour)
			s := anyio.NewCancelScope(anyio.Deadline(at))
			if d, ok := s.Deadline(); !ok || !d.Equal(at) {
				t.Errorf("Deadline() of NewCancelScope(Deadline(%v)): got %v, %v", at, d, ok)
			}
			later := at.Add(time.Hour)
			s.SetDeadline(later)
			if d, ok := s.Deadline(); !ok || !d.Equal(later) {
				t.Errorf("Deadline() after SetDeadline(%v): got %v, %v", later, d, ok)
			}
			return nil
		})
	})
	t.Run("earlier, from another task", func(t *testing.T) {
		confEachBackend(t, func(t *testing.T, ctx context.Context) error {
			s := anyio.NewCancelScope()
			var entered atomic.Bool
			var runErr, sleepErr error
			var elapsed time.Duration
			err := anyio.WithTaskGroup(ctx, func(ctx context.Context, tg *anyio.TaskGroup) error {
				tg.StartSoon(func(ctx context.Context) error {
					start := anyio.Now(ctx)
					runErr = s.Run(ctx, func(ctx context.Context) error {
						entered.Store(true)
						sleepErr = anyio.Sleep(ctx, confForever)
						return sleepErr
					})
					elapsed = anyio.Now(ctx).Sub(start)
					return nil
				})
				if err := confWaitUntil(ctx, "the task entered its scope", entered.Load); err != nil {
					return err
				}
				s.SetDeadline(anyio.Now(ctx).Add(confTick))
				return nil
			})
			if err != nil {
				return err
			}
			if !errors.Is(sleepErr, context.DeadlineExceeded) {
				t.Errorf("Sleep after another task moved the deadline in: got %v, want context.DeadlineExceeded", sleepErr)
			}
			if runErr != nil || !s.CancelCalled() || !s.CancelledCaught() {
				t.Errorf("Run: got %v, CancelCalled %v, CancelledCaught %v, want nil, true, true", runErr, s.CancelCalled(), s.CancelledCaught())
			}
			return confCheckElapsed("scope whose deadline was moved in", elapsed, confTick)
		})
	})
	t.Run("later, from the body", func(t *testing.T) {
		confEachBackend(t, func(t *testing.T, ctx context.Context) error {
			s := anyio.NewCancelScope(anyio.Deadline(anyio.Now(ctx).Add(2 * confTick)))
			err := s.Run(ctx, func(ctx context.Context) error {
				s.SetDeadline(anyio.Now(ctx).Add(confForever))
				if err := anyio.Sleep(ctx, 4*confTick); err != nil {
					t.Errorf("Sleep past the first deadline after it was moved later: got %v, want nil", err)
				}
				return nil
			})
			if err != nil || s.CancelCalled() {
				t.Errorf("Run: got %v, CancelCalled %v, want nil, false", err, s.CancelCalled())
			}
			return nil
		})
	})
	t.Run("into the past, from the body", func(t *testing.T) {
		confEachBackend(t, func(t *testing.T, ctx context.Context) error {
			s := anyio.NewCancelScope(anyio.Deadline(anyio.Now(ctx).Add(confForever)))
			err := s.Run(ctx, func(ctx context.Context) error {
				if err := anyio.Checkpoint(ctx); err != nil {
					return err
				}
				s.SetDeadline(anyio.Now(ctx).Add(-time.Second))
				err := anyio.Checkpoint(ctx)
				if !errors.Is(err, context.DeadlineExceeded) {
					t.Errorf("Checkpoint after SetDeadline into the past: got %v, want context.DeadlineExceeded", err)
				}
				return err
			})
			if err != nil || !s.CancelledCaught() {
				t.Errorf("Run: got %v (CancelledCaught %v), want nil (true)", err, s.CancelledCaught())
			}
			return nil
		})
	})
}

// "A scope's ctx reports context.Canceled after its Cancel, an error matching
// context.DeadlineExceeded after its own deadline, and the enclosing ctx's
// error when the cancellation came from outside."
func TestCancelScopeContextErr(t *testing.T) {
	tests := []struct {
		name    string
		want    error // what ctx.Err() of the innermost body must match
		notWant error
		// enter runs body in a scope set up to be cancelled one way and
		// returns what the outermost call returned.
		enter func(t *testing.T, ctx context.Context, body func(ctx context.Context) error) error
	}{
		{
			name: "own Cancel", want: context.Canceled, notWant: context.DeadlineExceeded,
			enter: func(t *testing.T, ctx context.Context, body func(ctx context.Context) error) error {
				s := anyio.NewCancelScope()
				return s.Run(ctx, func(ctx context.Context) error { s.Cancel(); return body(ctx) })
			},
		},
		{
			name: "own deadline", want: context.DeadlineExceeded, notWant: context.Canceled,
			enter: func(t *testing.T, ctx context.Context, body func(ctx context.Context) error) error {
				s := anyio.NewCancelScope(anyio.Deadline(anyio.Now(ctx).Add(confTick)))
				return s.Run(ctx, func(ctx context.Context) error { _ = anyio.Sleep(ctx, confForever); return body(ctx) })
			},
		},
		{
			name: "enclosing scope's Cancel", want: context.Canceled, notWant: context.DeadlineExceeded,
			enter: func(t *testing.T, ctx context.Context, body func(ctx context.Context) error) error {
				outer := anyio.NewCancelScope()
				return outer.Run(ctx, func(ctx context.Context) error {
					return anyio.NewCancelScope().Run(ctx, func(ctx context.Context) error { outer.Cancel(); return body(ctx) })
				})
			},
		},
		{
			name: "enclosing scope's deadline", want: context.DeadlineExceeded, notWant: context.Canceled,
			enter: func(t *testing.T, ctx context.Context, body func(ctx context.Context) error) error {
				outer := anyio.NewCancelScope(anyio.Deadline(anyio.Now(ctx).Add(confTick)))
				return outer.Run(ctx, func(ctx context.Context) error {
					return anyio.NewCancelScope().Run(ctx, func(ctx context.Context) error {
						_ = anyio.Sleep(ctx, confForever)
						return body(ctx)
					})
				})
			},
		},
		{
			name: "enclosing context.WithCancel", want: context.Canceled, notWant: context.DeadlineExceeded,
			enter: func(t *testing.T, ctx context.Context, body func(ctx context.Context) error) error {
				parent, cancel := context.WithCancel(ctx)
				defer cancel()
				err := anyio.NewCancelScope().Run(parent, func(ctx context.Context) error {
					cancel()
					// Level-triggered: the first checkpoint after the parent's
					// cancel returned already reports it.
					if err := anyio.Checkpoint(ctx); !errors.Is(err, context.Canceled) {
						t.Errorf("Checkpoint right after the enclosing context.WithCancel was cancelled: got %v, want context.Canceled", err)
					}
					if err := confWaitUntil(context.WithoutCancel(ctx), "ctx.Done() follows its cancelled parent", func() bool { return confIsDone(ctx) }); err != nil {
						return err
					}
					return body(ctx)
				})
				if !errors.Is(err, context.Canceled) {
					t.Errorf("scope under a cancelled context.WithCancel: Run got %v, want context.Canceled", err)
				}
				return nil
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			confEachBackend(t, func(t *testing.T, ctx context.Context) error {
				var checkpointErr error
				err := tt.enter(t, ctx, func(ctx context.Context) error {
					if !errors.Is(ctx.Err(), tt.want) || errors.Is(ctx.Err(), tt.notWant) {
						t.Errorf("ctx.Err(): got %v, want %v", ctx.Err(), tt.want)
					}
					if !confIsDone(ctx) {
						t.Errorf("ctx.Done(): open, want closed")
					}
					checkpointErr = anyio.Checkpoint(ctx)
					if !errors.Is(checkpointErr, tt.want) {
						t.Errorf("Checkpoint: got %v, want %v", checkpointErr, tt.want)
					}
					return checkpointErr
				})
				if err != nil {
					t.Errorf("outermost call: got %v, want nil", err)
				}
				return nil
			})
		})
	}
}

// "The ctx handed to a body ... is a real context.Context, so ... ctx-aware
// code inside it is cancelled with the scope."
func TestCancelScopeContextAwareCodeSeesCancellation(t *testing.T) {
	t.Run("context.AfterFunc and a derived context", func(t *testing.T) {
		confEachBackend(t, func(t *testing.T, ctx context.Context) error {
			s := anyio.NewCancelScope()
			return s.Run(ctx, func(ctx context.Context) error {
				fired := make(chan struct{})
				stop := context.AfterFunc(ctx, func() { close(fired) })
				defer stop()
				//anyiovet:ignore the test: context-aware code derives a context from a scope's
				child, cancelChild := context.WithTimeout(ctx, time.Hour)
				defer cancelChild()
				s.Cancel()
				if err := confAwaitForeign(fired, "context.AfterFunc to run after Cancel"); err != nil {
					return err
				}
				childDone := make(chan struct{})
				//anyiovet:ignore waits for a foreign context, outside the run, by design
				go func() { <-child.Done(); close(childDone) }()
				if err := confAwaitForeign(childDone, "a context.WithTimeout child to be done after Cancel"); err != nil {
					return err
				}
				if !errors.Is(child.Err(), context.Canceled) {
					t.Errorf("Err() of a context derived from a cancelled scope: got %v, want context.Canceled", child.Err())
				}
				return anyio.Checkpoint(ctx)
			})
		})
	})
	t.Run("context.AfterFunc on the scope's deadline", func(t *testing.T) {
		confEachBackend(t, func(t *testing.T, ctx context.Context) error {
			s := anyio.NewCancelScope(anyio.Deadline(anyio.Now(ctx).Add(confTick)))
			return s.Run(ctx, func(ctx context.Context) error {
				fired := make(chan struct{})
				stop := context.AfterFunc(ctx, func() { close(fired) })
				defer stop()
				err := anyio.Sleep(ctx, confForever)
				if err := confAwaitForeign(fired, "context.AfterFunc to run after the deadline"); err != nil {
					return err
				}
				return err
			})
		})
	})
	t.Run("net.Dialer", func(t *testing.T) {
		confEachBackend(t, func(t *testing.T, ctx context.Context) error {
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				return confSkip("cannot listen on 127.0.0.1: %v", err)
			}
			defer ln.Close()
			s := anyio.NewCancelScope()
			return s.Run(ctx, func(ctx context.Context) error {
				s.Cancel()
				var d net.Dialer
				//anyiovet:ignore the test: net.Dialer honours a scope's cancellation
				conn, err := d.DialContext(ctx, "tcp", ln.Addr().String())
				if err == nil {
					conn.Close()
					t.Errorf("net.Dialer.DialContext with a cancelled scope's ctx: connected, want context.Canceled")
				} else if !errors.Is(err, context.Canceled) {
					t.Errorf("net.Dialer.DialContext with a cancelled scope's ctx: got %v, want context.Canceled", err)
				}
				return anyio.Checkpoint(ctx)
			})
		})
	})
}

// context.WithCancel and context.AfterFunc on a scope's context, racing
// the scope's Cancel from another goroutine, never deadlock: the context
// package registers a child under the child's own lock, so a scope that is
// already cancelled must not call back into it synchronously.
func TestCancelScopeDerivedContextRacingCancel(t *testing.T) {
	confEachBackend(t, func(t *testing.T, ctx context.Context) error {
		if anyio.CurrentBackend(ctx) != anyio.BackendStd {
			return confSkip("needs two goroutines running at once")
		}
		for i := range 3000 {
			s := anyio.NewCancelScope()
			err := s.Run(ctx, func(ctx context.Context) error {
				//anyiovet:ignore std only: a race between two goroutines is the test
				go s.Cancel()
				if i%2 == 0 {
					child, cancel := context.WithCancel(ctx)
					defer cancel()
					<-child.Done()
				} else {
					fired := make(chan struct{})
					context.AfterFunc(ctx, func() { close(fired) })
					//anyiovet:ignore std only: fired is closed by context.AfterFunc
					<-fired
				}
				return nil
			})
			if err != nil {
				return fmt.Errorf("iteration %d: %w", i, err)
			}
		}
		return nil
	})
}

// AnyIO's fail_at and move_on_at: the deadlines of FailAfter and
// MoveOnAfter, given as instants on the backend's clock.
func TestFailAtAndMoveOnAt(t *testing.T) {
	confEachBackend(t, func(t *testing.T, ctx context.Context) error {
		start := anyio.Now(ctx)
		var cause error
		err := anyio.FailAt(ctx, start.Add(confTick), func(ctx context.Context) error {
			err := anyio.Sleep(ctx, confForever)
			cause = context.Cause(ctx)
			return err
		})
		if cause == nil || !strings.Contains(cause.Error(), "FailAt: deadline ") || !errors.Is(cause, context.DeadlineExceeded) {
			t.Errorf("context.Cause inside FailAt after its deadline = %v, want one naming FailAt's deadline", cause)
		}
		if !confIsTimeout(err) {
			t.Errorf("FailAt a tick from now around a long Sleep = %v, want ErrTimeout", err)
		}
		if err := confCheckElapsed("FailAt", anyio.Now(ctx).Sub(start), confTick); err != nil {
			t.Error(err)
		}
		if anyio.CurrentBackend(ctx) != "std" && anyio.Now(ctx).Sub(start) != confTick {
			t.Errorf("on the virtual clock FailAt's deadline passed after %v, want exactly %v", anyio.Now(ctx).Sub(start), confTick)
		}
		if err := anyio.FailAt(ctx, anyio.Now(ctx).Add(confForever), func(ctx context.Context) error { return errConfBoom }); err != errConfBoom {
			t.Errorf("FailAt whose body fails in time = %v, want the body's error", err)
		}
		// A deadline already passed cancels at the first checkpoint.
		scope, err := anyio.MoveOnAt(ctx, anyio.Now(ctx).Add(-time.Second), func(ctx context.Context) error {
			return anyio.Checkpoint(ctx)
		})
		if err != nil || !scope.CancelledCaught() {
			t.Errorf("MoveOnAt a passed deadline = %v, caught %v; want nil, true", err, scope.CancelledCaught())
		}
		deadline := anyio.Now(ctx).Add(confTick)
		scope, err = anyio.MoveOnAt(ctx, deadline, func(ctx context.Context) error {
			if got, ok := anyio.CurrentEffectiveDeadline(ctx); !ok || !got.Equal(deadline) {
				t.Errorf("inside MoveOnAt the effective deadline is %v, %v; want %v", got, ok, deadline)
			}
			return nil
		})
		if err != nil || scope.CancelledCaught() {
			t.Errorf("MoveOnAt whose body returns in time = %v, caught %v; want nil, false", err, scope.CancelledCaught())
		}
		return nil
	})
}
