package conformance

import (
	"context"
	"errors"
	"testing"
	"time"

	anyio "github.com/anyiogen/anyiogen/generated/anyio"
)

// AnyIO test_nested_shield: a FailAfter's timeout inside a shield goes up
// through an enclosing scope that was cancelled meanwhile; that scope
// catches only cancellations, and ErrTimeout is a failure.
func TestNestedShield(t *testing.T) {
	confEachBackend(t, func(t *testing.T, ctx context.Context) error {
		outer := anyio.NewCancelScope()
		err := outer.Run(ctx, func(ctx context.Context) error {
			outer.Cancel()
			return anyio.FailAfter(ctx, confTick, func(ctx context.Context) error {
				return anyio.Sleep(ctx, confForever)
			}, anyio.Shielded())
		})
		if !confIsTimeout(err) {
			t.Errorf("cancelled scope around a shielded FailAfter that timed out: Run = %v, want ErrTimeout", err)
		}
		if outer.CancelledCaught() {
			t.Errorf("CancelledCaught = true for a scope whose body failed with ErrTimeout")
		}
		return nil
	})
}

// The same inside a task group, as AnyIO's test_nested_shield has it: the
// group reports the timeout.
func TestNestedShieldInTaskGroup(t *testing.T) {
	confEachBackend(t, func(t *testing.T, ctx context.Context) error {
		err := anyio.WithTaskGroup(ctx, func(ctx context.Context, tg *anyio.TaskGroup) error {
			scope := anyio.NewCancelScope()
			return scope.Run(ctx, func(ctx context.Context) error {
				return anyio.NewCancelScope(anyio.Shielded()).Run(ctx, func(ctx context.Context) error {
					tg.StartSoon(func(ctx context.Context) error {
						if err := anyio.WaitAllTasksBlocked(ctx); err != nil {
							return err
						}
						scope.Cancel()
						return nil
					})
					return anyio.FailAfter(ctx, 20*confTick, func(ctx context.Context) error {
						return anyio.Sleep(ctx, confForever)
					})
				})
			})
		})
		if !confIsTimeout(err) {
			t.Errorf("task group: got %v, want the FailAfter's ErrTimeout", err)
		}
		return nil
	})
}

// AnyIO test_nested_fail_after: an outer cancellation inside a FailAfter
// whose deadline has not come goes up as itself, and the scope that was
// cancelled catches it; no ErrTimeout.
func TestNestedFailAfter(t *testing.T) {
	confEachBackend(t, func(t *testing.T, ctx context.Context) error {
		scope := anyio.NewCancelScope()
		var failAfterErr error
		err := scope.Run(ctx, func(ctx context.Context) error {
			failAfterErr = anyio.FailAfter(ctx, confForever, func(ctx context.Context) error {
				scope.Cancel()
				return anyio.Sleep(ctx, confForever)
			})
			return failAfterErr
		})
		if err != nil || !scope.CancelledCaught() {
			t.Errorf("scope.Run = %v (CancelledCaught %v), want nil (true)", err, scope.CancelledCaught())
		}
		if confIsTimeout(failAfterErr) || !confIsCancellation(failAfterErr) {
			t.Errorf("FailAfter cancelled from outside returned %v, want the outer cancellation", failAfterErr)
		}
		return nil
	})
}

// AnyIO test_exception_group_filtering: a cancelled scope strips the
// cancellation from an error that joins it with a real one, and the real
// one goes up, the very same error value.
func TestExceptionGroupFiltering(t *testing.T) {
	confEachBackend(t, func(t *testing.T, ctx context.Context) error {
		cs := anyio.NewCancelScope()
		err := cs.Run(ctx, func(ctx context.Context) error {
			cs.Cancel()
			return errors.Join(errConfBoom, anyio.Checkpoint(ctx))
		})
		if err != errConfBoom {
			t.Errorf("Run whose body returned Join(boom, cancellation) = %v, want boom itself", err)
		}
		return nil
	})
}

// AnyIO test_nested_exception_group_filtering: the cancellation is found
// however deep the joins nest; what is left of several errors stays joined.
func TestNestedExceptionGroupFiltering(t *testing.T) {
	confEachBackend(t, func(t *testing.T, ctx context.Context) error {
		cs := anyio.NewCancelScope()
		err := cs.Run(ctx, func(ctx context.Context) error {
			cs.Cancel()
			cancelled := anyio.Checkpoint(ctx)
			return errors.Join(errors.Join(errConfFirst, cancelled), errConfLater, cancelled)
		})
		list := confErrorList(err)
		if len(list) != 2 || list[0] != errConfFirst || list[1] != errConfLater {
			t.Errorf("Run = %v, want one error joining first and later, nothing else", err)
		}
		if confIsCancellation(err) {
			t.Errorf("Run = %v still holds a cancellation", err)
		}
		return nil
	})
}

// AnyIO test_reraise_cancelled_in_excgroup: a join of the scope's own
// cancellations alone is caught whole.
func TestReraiseCancelledInExcgroup(t *testing.T) {
	confEachBackend(t, func(t *testing.T, ctx context.Context) error {
		cs := anyio.NewCancelScope()
		err := cs.Run(ctx, func(ctx context.Context) error {
			cs.Cancel()
			return errors.Join(anyio.Sleep(ctx, confForever))
		})
		if err != nil || !cs.CancelledCaught() {
			t.Errorf("Run = %v (CancelledCaught %v), want nil (true)", err, cs.CancelledCaught())
		}
		return nil
	})
}

// A task that returns a real error joined with its group's cancellation:
// the group reports the real error alone, as AnyIO strips Cancelled from a
// task's exception group.
func TestTaskGroupStripsJoinedCancellation(t *testing.T) {
	confEachBackend(t, func(t *testing.T, ctx context.Context) error {
		err := anyio.WithTaskGroup(ctx, func(ctx context.Context, tg *anyio.TaskGroup) error {
			tg.StartSoon(func(ctx context.Context) error {
				cancelled := anyio.Sleep(ctx, confForever)
				return errors.Join(errConfLater, cancelled)
			})
			if err := anyio.WaitAllTasksBlocked(ctx); err != nil {
				return err
			}
			tg.CancelScope().Cancel()
			return nil
		})
		if err != errConfLater {
			t.Errorf("WithTaskGroup = %v, want the task's real error alone", err)
		}
		return nil
	})
}

// AnyIO test_cancel_before_entering_task_group: an empty group entered in a
// cancelled scope returns nil, for nothing in it saw the cancellation; the
// scope then has nothing to catch.
func TestCancelBeforeEnteringTaskGroup(t *testing.T) {
	confEachBackend(t, func(t *testing.T, ctx context.Context) error {
		scope := anyio.NewCancelScope()
		var groupErr error
		err := scope.Run(ctx, func(ctx context.Context) error {
			scope.Cancel()
			groupErr = anyio.WithTaskGroup(ctx, func(ctx context.Context, tg *anyio.TaskGroup) error { return nil })
			return groupErr
		})
		if groupErr != nil || err != nil {
			t.Errorf("empty WithTaskGroup in a cancelled scope = %v (scope.Run %v), want nil (nil)", groupErr, err)
		}
		if scope.CancelledCaught() {
			t.Errorf("CancelledCaught = true, want false: no cancellation was raised")
		}
		return nil
	})
}

// AnyIO test_empty_taskgroup_contains_yield_point: exiting an empty group
// lets a task started on an enclosing group run.
func TestEmptyTaskgroupContainsYieldPoint(t *testing.T) {
	confEachBackend(t, func(t *testing.T, ctx context.Context) error {
		return anyio.WithTaskGroup(ctx, func(ctx context.Context, outer *anyio.TaskGroup) error {
			ran := make(chan struct{}, 1) // written by a task, read only with a default: never waited on
			outer.StartSoon(func(ctx context.Context) error {
				//anyiovet:ignore buffered and written once: never waits
				ran <- struct{}{}
				return nil
			})
			for range 100 {
				if err := anyio.WithTaskGroup(ctx, func(ctx context.Context, tg *anyio.TaskGroup) error { return nil }); err != nil {
					return err
				}
				select {
				case <-ran:
					return nil
				default:
				}
				if anyio.CurrentBackend(ctx) == "std" {
					//anyiovet:ignore std only: another core may need a moment
					time.Sleep(time.Millisecond) // another core may be slow to start it
				}
			}
			t.Errorf("a task started on the outer group never ran across 100 empty WithTaskGroup exits")
			return nil
		})
	})
}
