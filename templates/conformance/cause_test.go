package conformance

import (
	"context"
	"errors"
	"strings"
	"testing"

	anyio "github.com/anyiogen/anyiogen/generated/anyio"
)

// AnyIO test_cancel_reason, in Go's terms: context.Cause inside a scope
// cancelled with a cause reports it, in nested scopes and derived contexts
// too, while Err stays context.Canceled.
func TestCancelReason(t *testing.T) {
	confEachBackend(t, func(t *testing.T, ctx context.Context) error {
		errReason := errors.New("test reason")
		scope := anyio.NewCancelScope()
		err := scope.Run(ctx, func(ctx context.Context) error {
			return anyio.NewCancelScope().Run(ctx, func(inner context.Context) error {
				derived, cancel := context.WithCancel(inner)
				defer cancel()
				scope.CancelWithCause(errReason)
				scope.CancelWithCause(errConfLater) // only the first counts
				for what, c := range map[string]context.Context{"the scope": ctx, "a nested scope": inner, "a WithCancel child": derived} {
					if got := context.Cause(c); got != errReason {
						t.Errorf("context.Cause of %s = %v, want the cause given", what, got)
					}
				}
				if err := anyio.Checkpoint(inner); !errors.Is(err, context.Canceled) {
					t.Errorf("Checkpoint = %v, want context.Canceled", err)
				}
				return anyio.Checkpoint(inner)
			})
		})
		if err != nil || !scope.CancelledCaught() {
			t.Errorf("Run = %v (caught %v), want the cancellation caught", err, scope.CancelledCaught())
		}
		return nil
	})
}

// context.Cause after a plain Cancel is context.Canceled, and nil in a scope
// that is not cancelled, whatever its parent's cause (a shielded scope).
func TestCauseWithoutReason(t *testing.T) {
	confEachBackend(t, func(t *testing.T, ctx context.Context) error {
		scope := anyio.NewCancelScope()
		return scope.Run(ctx, func(ctx context.Context) error {
			if got := context.Cause(ctx); got != nil {
				t.Errorf("context.Cause before any cancel = %v, want nil", got)
			}
			scope.Cancel()
			if got := context.Cause(ctx); got != context.Canceled {
				t.Errorf("context.Cause after Cancel = %v, want context.Canceled", got)
			}
			return anyio.NewCancelScope(anyio.Shielded()).Run(ctx, func(ctx context.Context) error {
				if got := context.Cause(ctx); got != nil {
					t.Errorf("context.Cause in a shielded scope under a cancelled one = %v, want nil", got)
				}
				return nil
			})
		})
	})
}

// AnyIO test_fail_after checks that the cancellation names the deadline;
// here context.Cause does, and says whose deadline it was.
func TestFailAfterCause(t *testing.T) {
	confEachBackend(t, func(t *testing.T, ctx context.Context) error {
		var cause error
		err := anyio.FailAfter(ctx, confTick, func(ctx context.Context) error {
			err := anyio.Sleep(ctx, confForever)
			cause = context.Cause(ctx)
			return err
		})
		if !confIsTimeout(err) {
			t.Errorf("FailAfter = %v, want ErrTimeout", err)
		}
		if !errors.Is(cause, context.DeadlineExceeded) || !strings.Contains(cause.Error(), "FailAfter(10ms)") || !strings.Contains(cause.Error(), "deadline") {
			t.Errorf("context.Cause inside a FailAfter that timed out = %v, want an error naming FailAfter(10ms)'s deadline and matching DeadlineExceeded", cause)
		}
		return nil
	})
}

// An outer cancellation's cause reaches scopes inside.
func TestOuterCauseReachesInside(t *testing.T) {
	confEachBackend(t, func(t *testing.T, ctx context.Context) error {
		errReason := errors.New("shutting down")
		return anyio.WithTaskGroup(ctx, func(ctx context.Context, tg *anyio.TaskGroup) error {
			tg.StartSoon(func(ctx context.Context) error {
				_, err := anyio.MoveOnAfter(ctx, confForever, func(ctx context.Context) error {
					err := anyio.Sleep(ctx, confForever)
					if got := context.Cause(ctx); got != errReason {
						t.Errorf("context.Cause in a task's inner scope = %v, want the group's cause", got)
					}
					return err
				})
				return err
			})
			if err := anyio.WaitAllTasksBlocked(ctx); err != nil {
				return err
			}
			tg.CancelScope().CancelWithCause(errReason)
			return nil
		})
	})
}
