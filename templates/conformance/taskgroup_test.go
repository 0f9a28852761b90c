package conformance

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	anyio "github.com/anyiogen/anyiogen/generated/anyio"
)

// "WithTaskGroup returns only when the body and every task started in the
// group have returned."
func TestTaskGroupWaitsForEveryTask(t *testing.T) {
	confEachBackend(t, func(t *testing.T, ctx context.Context) error {
		var done [3]atomic.Bool
		start := anyio.Now(ctx)
		err := anyio.WithTaskGroup(ctx, func(ctx context.Context, tg *anyio.TaskGroup) error {
			for i := range done {
				tg.StartSoon(func(ctx context.Context) error {
					if err := anyio.Sleep(ctx, time.Duration(i+1)*confTick); err != nil {
						return err
					}
					done[i].Store(true)
					return nil
				})
			}
			return nil // the body returns at once; the group still waits
		})
		if err != nil {
			t.Errorf("WithTaskGroup of tasks that succeed: got %v, want nil", err)
		}
		for i := range done {
			if !done[i].Load() {
				t.Errorf("task %d had not finished when WithTaskGroup returned", i)
			}
		}
		return confCheckElapsed("WithTaskGroup", anyio.Now(ctx).Sub(start), 3*confTick)
	})
}

func TestTaskGroupWithoutTasksReturnsBodyResult(t *testing.T) {
	for _, want := range []error{nil, errConfBoom} {
		t.Run(fmt.Sprint(want), func(t *testing.T) {
			confEachBackend(t, func(t *testing.T, ctx context.Context) error {
				err := anyio.WithTaskGroup(ctx, func(ctx context.Context, tg *anyio.TaskGroup) error { return want })
				if err != want {
					t.Errorf("WithTaskGroup whose body returned %v: got %v, want it unchanged", want, err)
				}
				return nil
			})
		})
	}
}

// "Tasks may start more tasks in the same group while it is open", also after
// the body has returned.
func TestTaskGroupTasksStartTasks(t *testing.T) {
	confEachBackend(t, func(t *testing.T, ctx context.Context) error {
		var grandchild atomic.Bool
		err := anyio.WithTaskGroup(ctx, func(ctx context.Context, tg *anyio.TaskGroup) error {
			tg.StartSoon(func(ctx context.Context) error {
				if err := anyio.Sleep(ctx, confTick); err != nil { // the body is gone by now
					return err
				}
				tg.StartSoon(func(ctx context.Context) error {
					if err := anyio.Sleep(ctx, confTick); err != nil {
						return err
					}
					grandchild.Store(true)
					return nil
				})
				return nil
			})
			return nil
		})
		if err != nil {
			t.Errorf("WithTaskGroup: got %v, want nil", err)
		}
		if !grandchild.Load() {
			t.Errorf("task started by a task had not finished when WithTaskGroup returned")
		}
		return nil
	})
}

// "The first error (from a task or the body) cancels the group's scope, so
// every other task is cancelled."
func TestTaskGroupFirstErrorCancelsTheRest(t *testing.T) {
	t.Run("task error", func(t *testing.T) {
		confEachBackend(t, func(t *testing.T, ctx context.Context) error {
			var siblingErr, bodyErr error
			start := anyio.Now(ctx)
			err := anyio.WithTaskGroup(ctx, func(ctx context.Context, tg *anyio.TaskGroup) error {
				tg.StartSoon(func(ctx context.Context) error {
					siblingErr = anyio.Sleep(ctx, confForever)
					return siblingErr
				})
				tg.StartSoon(func(ctx context.Context) error {
					if err := anyio.Sleep(ctx, confTick); err != nil {
						return err
					}
					return errConfBoom
				})
				bodyErr = anyio.Sleep(ctx, confForever)
				return bodyErr
			})
			if err != errConfBoom {
				t.Errorf("WithTaskGroup with one failing task: got %v, want %v itself", err, errConfBoom)
			}
			if !errors.Is(siblingErr, context.Canceled) {
				t.Errorf("sibling's Sleep after a task failed: got %v, want context.Canceled", siblingErr)
			}
			if !errors.Is(bodyErr, context.Canceled) {
				t.Errorf("body's Sleep after a task failed: got %v, want context.Canceled", bodyErr)
			}
			return confCheckElapsed("WithTaskGroup with a failing task", anyio.Now(ctx).Sub(start), confTick)
		})
	})
	t.Run("body error", func(t *testing.T) {
		confEachBackend(t, func(t *testing.T, ctx context.Context) error {
			var childErr error
			var childDone bool
			err := anyio.WithTaskGroup(ctx, func(ctx context.Context, tg *anyio.TaskGroup) error {
				tg.StartSoon(func(ctx context.Context) error {
					childErr = anyio.Sleep(ctx, confForever)
					if childErr != nil {
						return childErr
					}
					childDone = true
					return nil
				})
				if err := anyio.Sleep(ctx, confTick); err != nil {
					return err
				}
				return errConfBoom
			})
			if err != errConfBoom {
				t.Errorf("WithTaskGroup whose body failed: got %v, want %v itself", err, errConfBoom)
			}
			if !errors.Is(childErr, context.Canceled) || childDone {
				t.Errorf("child's Sleep after the body failed: got %v (finished %v), want context.Canceled (false)", childErr, childDone)
			}
			return nil
		})
	})
}

// "The result: ... for several, one error whose Unwrap() []error lists them
// all in the order they happened." Cancellations by the group itself are not
// among them.
func TestTaskGroupSeveralErrorsInOrder(t *testing.T) {
	confEachBackend(t, func(t *testing.T, ctx context.Context) error {
		err := anyio.WithTaskGroup(ctx, func(ctx context.Context, tg *anyio.TaskGroup) error {
			tg.StartSoon(func(ctx context.Context) error {
				if err := anyio.Sleep(ctx, confForever); err != nil {
					return fmt.Errorf("quiet task: %w", err) // only a cancellation: not reported
				}
				return nil
			})
			tg.StartSoon(func(ctx context.Context) error {
				if err := anyio.Sleep(ctx, confForever); err != nil {
					// Cleanup takes a while, then fails in its own way.
					_ = anyio.NewCancelScope(anyio.Shielded()).Run(ctx, func(ctx context.Context) error {
						return anyio.Sleep(ctx, confTick)
					})
					return errConfLater
				}
				return nil
			})
			tg.StartSoon(func(ctx context.Context) error {
				if err := anyio.Sleep(ctx, confTick); err != nil {
					return err
				}
				return errConfFirst
			})
			return anyio.Sleep(ctx, confForever) // only a cancellation: not reported
		})
		if !errors.Is(err, errConfFirst) || !errors.Is(err, errConfLater) {
			t.Errorf("WithTaskGroup with two failing tasks: got %v, want both %v and %v", err, errConfFirst, errConfLater)
		}
		list := confErrorList(err)
		if len(list) != 2 || list[0] != errConfFirst || list[1] != errConfLater {
			t.Errorf("Unwrap() []error of the group's error: got %q, want [%v %v] in the order they happened", list, errConfFirst, errConfLater)
		}
		return nil
	})
}

// "Errors that are only the group's own cancellation are not reported."
func TestTaskGroupOwnCancellationsNotReported(t *testing.T) {
	confEachBackend(t, func(t *testing.T, ctx context.Context) error {
		err := anyio.WithTaskGroup(ctx, func(ctx context.Context, tg *anyio.TaskGroup) error {
			for i := range 3 {
				tg.StartSoon(func(ctx context.Context) error {
					if err := anyio.Sleep(ctx, confForever); err != nil {
						return fmt.Errorf("task %d: %w", i, err)
					}
					return nil
				})
			}
			tg.StartSoon(func(ctx context.Context) error {
				_ = anyio.Sleep(ctx, confTick)
				return errConfBoom
			})
			return anyio.Sleep(ctx, confForever)
		})
		if err != errConfBoom {
			t.Errorf("WithTaskGroup with one failure and several cancelled tasks: got %v, want %v itself", err, errConfBoom)
		}
		return nil
	})
}

// "Cancelling tg.CancelScope() cancels every task; if nothing else failed the
// group returns nil." A task started after the cancel still starts and sees
// the cancellation at its first checkpoint (AnyIO test_level_cancellation,
// Trio test_precancelled_task).
func TestTaskGroupCancelScopeCancel(t *testing.T) {
	confEachBackend(t, func(t *testing.T, ctx context.Context) error {
		var mu sync.Mutex
		var errs []error
		var started atomic.Int32
		record := func(err error) error {
			mu.Lock()
			defer mu.Unlock()
			errs = append(errs, err)
			return err
		}
		sleeper := func(ctx context.Context) error {
			started.Add(1)
			return record(anyio.Sleep(ctx, confForever))
		}
		var scope *anyio.CancelScope
		start := anyio.Now(ctx)
		err := anyio.WithTaskGroup(ctx, func(ctx context.Context, tg *anyio.TaskGroup) error {
			scope = tg.CancelScope()
			if scope == nil {
				return errors.New("tg.CancelScope() is nil")
			}
			tg.StartSoon(sleeper)
			tg.StartSoon(sleeper)
			if err := anyio.Sleep(ctx, confTick); err != nil {
				return err
			}
			scope.Cancel()
			tg.StartSoon(sleeper) // started into a cancelled group
			if err := anyio.Checkpoint(ctx); !errors.Is(err, context.Canceled) {
				t.Errorf("body's Checkpoint after tg.CancelScope().Cancel(): got %v, want context.Canceled", err)
			}
			return ctx.Err()
		})
		if err != nil {
			t.Errorf("WithTaskGroup after tg.CancelScope().Cancel(): got %v, want nil", err)
		}
		if n := started.Load(); n != 3 {
			t.Errorf("tasks that ran: got %d, want 3 (one started after the cancel still starts)", n)
		}
		for i, err := range errs {
			if !errors.Is(err, context.Canceled) {
				t.Errorf("Sleep of task %d after tg.CancelScope().Cancel(): got %v, want context.Canceled", i, err)
			}
		}
		if scope != nil && !scope.CancelCalled() {
			t.Errorf("tg.CancelScope().CancelCalled(): got false, want true")
		}
		return confCheckElapsed("cancelled WithTaskGroup", anyio.Now(ctx).Sub(start), confTick)
	})
}

// A task's ctx is the group's scope: cancelling the group makes it Done with
// context.Canceled.
func TestTaskGroupTaskContextFollowsTheGroup(t *testing.T) {
	confEachBackend(t, func(t *testing.T, ctx context.Context) error {
		var entered atomic.Bool
		var taskErr error
		err := anyio.WithTaskGroup(ctx, func(ctx context.Context, tg *anyio.TaskGroup) error {
			tg.StartSoon(func(taskCtx context.Context) error {
				entered.Store(true)
				_ = anyio.Sleep(taskCtx, confForever)
				if !confIsDone(taskCtx) {
					t.Errorf("task ctx.Done() after the group was cancelled: open, want closed")
				}
				taskErr = taskCtx.Err()
				return taskErr
			})
			if err := confWaitUntil(ctx, "the task started", entered.Load); err != nil {
				return err
			}
			tg.CancelScope().Cancel()
			return nil
		})
		if err != nil {
			t.Errorf("WithTaskGroup: got %v, want nil", err)
		}
		if !errors.Is(taskErr, context.Canceled) {
			t.Errorf("task ctx.Err() after the group was cancelled: got %v, want context.Canceled", taskErr)
		}
		return nil
	})
}

// "An outer cancellation goes up as the outer's error."
func TestTaskGroupOuterCancellationGoesUp(t *testing.T) {
	t.Run("outer Cancel", func(t *testing.T) {
		confEachBackend(t, func(t *testing.T, ctx context.Context) error {
			outer := anyio.NewCancelScope()
			var groupErr error
			err := outer.Run(ctx, func(ctx context.Context) error {
				groupErr = anyio.WithTaskGroup(ctx, func(ctx context.Context, tg *anyio.TaskGroup) error {
					tg.StartSoon(func(ctx context.Context) error { return anyio.Sleep(ctx, confForever) })
					tg.StartSoon(func(ctx context.Context) error {
						if err := anyio.Sleep(ctx, confTick); err != nil {
							return err
						}
						outer.Cancel()
						return nil
					})
					return anyio.Sleep(ctx, confForever)
				})
				return groupErr
			})
			if !errors.Is(groupErr, context.Canceled) {
				t.Errorf("WithTaskGroup inside a scope cancelled from a task: got %v, want the outer's context.Canceled", groupErr)
			}
			if err != nil || !outer.CancelledCaught() {
				t.Errorf("outer scope: Run got %v (CancelledCaught %v), want nil (true)", err, outer.CancelledCaught())
			}
			return nil
		})
	})
	t.Run("outer deadline", func(t *testing.T) {
		confEachBackend(t, func(t *testing.T, ctx context.Context) error {
			outer := anyio.NewCancelScope(anyio.Deadline(anyio.Now(ctx).Add(2 * confTick)))
			var groupErr error
			err := outer.Run(ctx, func(ctx context.Context) error {
				groupErr = anyio.WithTaskGroup(ctx, func(ctx context.Context, tg *anyio.TaskGroup) error {
					tg.StartSoon(func(ctx context.Context) error { return anyio.Sleep(ctx, confForever) })
					return anyio.Sleep(ctx, confForever)
				})
				return groupErr
			})
			if !errors.Is(groupErr, context.DeadlineExceeded) {
				t.Errorf("WithTaskGroup inside a scope past its deadline: got %v, want context.DeadlineExceeded", groupErr)
			}
			if err != nil || !outer.CancelledCaught() {
				t.Errorf("outer scope: Run got %v (CancelledCaught %v), want nil (true)", err, outer.CancelledCaught())
			}
			return nil
		})
	})
}

// Cancelling a group reaches the tasks of groups nested in its tasks (AnyIO
// test_cancel_cascade, test_cancel_exiting_task_group; Trio
// test_cancel_inheritance).
func TestTaskGroupCancelReachesNestedGroups(t *testing.T) {
	confEachBackend(t, func(t *testing.T, ctx context.Context) error {
		var cancelled atomic.Int32
		var ready atomic.Int32
		leaf := func(ctx context.Context) error {
			ready.Add(1)
			err := anyio.Sleep(ctx, confForever)
			if errors.Is(err, context.Canceled) {
				cancelled.Add(1)
			}
			return err
		}
		worker := func(ctx context.Context) error {
			return anyio.WithTaskGroup(ctx, func(ctx context.Context, tg *anyio.TaskGroup) error {
				tg.StartSoon(leaf)
				tg.StartSoon(leaf)
				return nil // exiting: the group waits for its leaves
			})
		}
		err := anyio.WithTaskGroup(ctx, func(ctx context.Context, tg *anyio.TaskGroup) error {
			tg.StartSoon(worker)
			tg.StartSoon(worker)
			if err := confWaitUntil(ctx, "all four leaves are asleep", func() bool { return ready.Load() == 4 }); err != nil {
				return err
			}
			tg.CancelScope().Cancel()
			return nil
		})
		if err != nil {
			t.Errorf("WithTaskGroup cancelled with nested groups: got %v, want nil", err)
		}
		if n := cancelled.Load(); n != 4 {
			t.Errorf("leaves of nested groups cancelled: got %d, want 4", n)
		}
		return nil
	})
}

// A scope cancelled inside a task catches its own cancellation; the group is
// not cancelled (AnyIO test_cancel_scope_in_child_task).
func TestTaskGroupScopeCancelledInTaskDoesNotCancelGroup(t *testing.T) {
	confEachBackend(t, func(t *testing.T, ctx context.Context) error {
		child := anyio.NewCancelScope()
		var entered atomic.Bool
		var bodyDone bool
		var tgScope *anyio.CancelScope
		err := anyio.WithTaskGroup(ctx, func(ctx context.Context, tg *anyio.TaskGroup) error {
			tgScope = tg.CancelScope()
			tg.StartSoon(func(ctx context.Context) error {
				return child.Run(ctx, func(ctx context.Context) error {
					entered.Store(true)
					return anyio.Sleep(ctx, confForever)
				})
			})
			if err := confWaitUntil(ctx, "the child entered its scope", entered.Load); err != nil {
				return err
			}
			child.Cancel()
			if err := anyio.Sleep(ctx, confTick); err != nil {
				return fmt.Errorf("host Sleep after a child's own scope was cancelled: %w", err)
			}
			bodyDone = true
			return nil
		})
		if err != nil || !bodyDone {
			t.Errorf("WithTaskGroup: got %v (body finished %v), want nil (true)", err, bodyDone)
		}
		if tgScope != nil && tgScope.CancelCalled() {
			t.Errorf("tg.CancelScope().CancelCalled() after a child cancelled its own scope: got true, want false")
		}
		return nil
	})
}

// confPanicNow panics with v; its name shows up in PanicError.Stack.
func confPanicNow(v any) {
	panic(v)
}

// "A panic in a task cancels the group; once every task has returned,
// WithTaskGroup panics in the caller's goroutine with a *PanicError."
func TestTaskGroupPanicInTask(t *testing.T) {
	confEachBackend(t, func(t *testing.T, ctx context.Context) error {
		type panicValue struct{ n int }
		var siblingErr error
		var siblingCleanedUp atomic.Bool
		var returned bool
		recovered := func() (r any) {
			defer func() { r = recover() }()
			_ = anyio.WithTaskGroup(ctx, func(ctx context.Context, tg *anyio.TaskGroup) error {
				tg.StartSoon(func(ctx context.Context) error {
					siblingErr = anyio.Sleep(ctx, confForever)
					// Slow cleanup: the panic must wait for it.
					_ = anyio.NewCancelScope(anyio.Shielded()).Run(ctx, func(ctx context.Context) error {
						return anyio.Sleep(ctx, 2*confTick)
					})
					siblingCleanedUp.Store(true)
					return siblingErr
				})
				tg.StartSoon(func(ctx context.Context) error {
					if err := anyio.Sleep(ctx, confTick); err != nil {
						return err
					}
					confPanicNow(panicValue{42})
					return nil
				}, anyio.Name("panicky-worker"))
				return anyio.Sleep(ctx, confForever)
			})
			returned = true
			return nil
		}()
		if returned {
			t.Errorf("WithTaskGroup returned although a task panicked; want it to panic")
		}
		pe, ok := recovered.(*anyio.PanicError)
		if !ok {
			return fmt.Errorf("recovered from WithTaskGroup: got %T %v, want *PanicError", recovered, recovered)
		}
		if pe.Task != "panicky-worker" {
			t.Errorf("PanicError.Task: got %q, want %q (the name given with anyio.Name)", pe.Task, "panicky-worker")
		}
		if pe.Value != (panicValue{42}) {
			t.Errorf("PanicError.Value: got %#v, want %#v", pe.Value, panicValue{42})
		}
		if len(pe.Stack) == 0 || !strings.Contains(string(pe.Stack), "confPanicNow") {
			t.Errorf("PanicError.Stack: got %q, want the panicking goroutine's stack, naming confPanicNow", pe.Stack)
		}
		if !errors.Is(siblingErr, context.Canceled) {
			t.Errorf("sibling's Sleep after a task panicked: got %v, want context.Canceled", siblingErr)
		}
		if !siblingCleanedUp.Load() {
			t.Errorf("WithTaskGroup panicked before the sibling task had returned")
		}
		return nil
	})
}

// A task started with Start that panics after Started is reported the same
// way, under the name given to Start.
func TestTaskGroupPanicInStartedTask(t *testing.T) {
	confEachBackend(t, func(t *testing.T, ctx context.Context) error {
		recovered := func() (r any) {
			defer func() { r = recover() }()
			_ = anyio.WithTaskGroup(ctx, func(ctx context.Context, tg *anyio.TaskGroup) error {
				_, err := tg.Start(ctx, func(ctx context.Context, st *anyio.TaskStatus) error {
					st.Started(nil)
					if err := anyio.Sleep(ctx, confTick); err != nil {
						return err
					}
					confPanicNow("started, then panicked")
					return nil
				}, anyio.Name("started-then-panicky"))
				if err != nil {
					return err
				}
				return anyio.Sleep(ctx, confForever)
			})
			return nil
		}()
		pe, ok := recovered.(*anyio.PanicError)
		if !ok {
			return fmt.Errorf("recovered from WithTaskGroup: got %T %v, want *PanicError", recovered, recovered)
		}
		if pe.Task != "started-then-panicky" || pe.Value != "started, then panicked" {
			t.Errorf("PanicError: got Task %q, Value %v, want %q, %q", pe.Task, pe.Value, "started-then-panicky", "started, then panicked")
		}
		return nil
	})
}

// An enclosing scope's cancellation reaches the group's tasks even while the
// host waits under a shield (AnyIO test_cancel_child_task_when_host_is_shielded).
func TestTaskGroupChildCancelledWhileHostShielded(t *testing.T) {
	confEachBackend(t, func(t *testing.T, ctx context.Context) error {
		parent := anyio.NewCancelScope()
		var entered, cancelled atomic.Bool
		err := parent.Run(ctx, func(ctx context.Context) error {
			return anyio.WithTaskGroup(ctx, func(ctx context.Context, tg *anyio.TaskGroup) error {
				tg.StartSoon(func(ctx context.Context) error {
					entered.Store(true)
					err := anyio.Sleep(ctx, confForever)
					if errors.Is(err, context.Canceled) {
						cancelled.Store(true)
					}
					return err
				})
				if err := confWaitUntil(ctx, "the child sleeps", entered.Load); err != nil {
					return err
				}
				return anyio.NewCancelScope(anyio.Shielded()).Run(ctx, func(ctx context.Context) error {
					parent.Cancel()
					return confWaitUntil(ctx, "the child is cancelled", cancelled.Load)
				})
			})
		})
		if err != nil {
			t.Errorf("parent scope: got %v, want nil", err)
		}
		return nil
	})
}

// "Starting one after the group has closed panics with a clear message."
func TestTaskGroupStartAfterClose(t *testing.T) {
	tests := []struct {
		name string
		body func(ctx context.Context, tg *anyio.TaskGroup) error
	}{
		{"closed normally", func(ctx context.Context, tg *anyio.TaskGroup) error { return nil }},
		{"closed with an error", func(ctx context.Context, tg *anyio.TaskGroup) error { return errConfBoom }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			confEachBackend(t, func(t *testing.T, ctx context.Context) error {
				var closed *anyio.TaskGroup
				_ = anyio.WithTaskGroup(ctx, func(ctx context.Context, tg *anyio.TaskGroup) error {
					closed = tg
					return tt.body(ctx, tg)
				})
				var ran atomic.Bool
				r := func() (r any) {
					defer func() { r = recover() }()
					closed.StartSoon(func(ctx context.Context) error { ran.Store(true); return nil })
					return nil
				}()
				if r == nil {
					t.Errorf("StartSoon on a closed group: returned, want a panic")
				} else if fmt.Sprint(r) == "" {
					t.Errorf("StartSoon on a closed group panicked with an empty message")
				}

				// Start on a closed group refuses too: it panics like
				// StartSoon or returns an error, and never runs fn.
				var startErr error
				r = func() (r any) {
					defer func() { r = recover() }()
					_, startErr = closed.Start(ctx, func(ctx context.Context, st *anyio.TaskStatus) error {
						ran.Store(true)
						st.Started(nil)
						return nil
					})
					return nil
				}()
				if r == nil && startErr == nil {
					t.Errorf("Start on a closed group: got nil, want a panic or an error")
				}
				if err := anyio.Sleep(ctx, confTick); err != nil {
					return err
				}
				if ran.Load() {
					t.Errorf("a task started on a closed group ran")
				}
				return nil
			})
		})
	}
}

// Start runs fn as a task and returns the value given to Started as soon as
// it is called; the group then waits for the task.
func TestTaskGroupStartReturnsStartedValue(t *testing.T) {
	for _, value := range []any{"ready", 7, nil} {
		t.Run(fmt.Sprint(value), func(t *testing.T) {
			confEachBackend(t, func(t *testing.T, ctx context.Context) error {
				var finished atomic.Bool
				var got any
				var startErr error
				var finishedAtStart bool
				err := anyio.WithTaskGroup(ctx, func(ctx context.Context, tg *anyio.TaskGroup) error {
					got, startErr = tg.Start(ctx, func(ctx context.Context, st *anyio.TaskStatus) error {
						if err := anyio.Sleep(ctx, confTick); err != nil {
							return err
						}
						st.Started(value)
						if err := anyio.Sleep(ctx, 2*confTick); err != nil {
							return err
						}
						finished.Store(true)
						return nil
					}, anyio.Name("started-task"))
					finishedAtStart = finished.Load()
					return nil
				})
				if startErr != nil || got != value {
					t.Errorf("Start of a task calling Started(%v): got %v, %v, want %v, nil", value, got, startErr, value)
				}
				if finishedAtStart {
					t.Errorf("Start returned only after the task finished; want it to return as soon as Started is called")
				}
				if err != nil || !finished.Load() {
					t.Errorf("WithTaskGroup: got %v (task finished %v), want nil (true): the group waits for a started task", err, finished.Load())
				}
				return nil
			})
		})
	}
}

// "If fn fails before that, Start returns that error ...; returning nil
// without calling Started is an error from Start. Neither case cancels the
// group or appears in its result."
func TestTaskGroupStartFailsBeforeStarted(t *testing.T) {
	tests := []struct {
		name string
		fn   func(ctx context.Context, st *anyio.TaskStatus) error
		want error // nil: any error that is not a cancellation
	}{
		{"fn returns an error", func(ctx context.Context, st *anyio.TaskStatus) error {
			_ = anyio.Sleep(ctx, confTick)
			return errConfBoom
		}, errConfBoom},
		{"fn returns nil without Started", func(ctx context.Context, st *anyio.TaskStatus) error {
			return anyio.Sleep(ctx, confTick)
		}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			confEachBackend(t, func(t *testing.T, ctx context.Context) error {
				var siblingErr, startErr error
				var siblingDone bool
				var tgScope *anyio.CancelScope
				err := anyio.WithTaskGroup(ctx, func(ctx context.Context, tg *anyio.TaskGroup) error {
					tgScope = tg.CancelScope()
					tg.StartSoon(func(ctx context.Context) error {
						siblingErr = anyio.Sleep(ctx, 3*confTick)
						siblingDone = siblingErr == nil
						return siblingErr
					})
					_, startErr = tg.Start(ctx, tt.fn)
					return nil
				})
				switch {
				case tt.want != nil && !errors.Is(startErr, tt.want):
					t.Errorf("Start: got %v, want %v", startErr, tt.want)
				case tt.want == nil && (startErr == nil || confIsCancellation(startErr)):
					t.Errorf("Start: got %v, want an error saying the task never called Started", startErr)
				}
				if err != nil {
					t.Errorf("WithTaskGroup after Start failed: got %v, want nil (Start's failure is not the group's)", err)
				}
				if !siblingDone {
					t.Errorf("sibling task after Start failed: Sleep got %v, want nil (the group is not cancelled)", siblingErr)
				}
				if tgScope != nil && tgScope.CancelCalled() {
					t.Errorf("tg.CancelScope().CancelCalled() after Start failed: got true, want false")
				}
				return nil
			})
		})
	}
}

// An error after Started is the group's like any task's (AnyIO
// test_start_crash_after_started_call).
func TestTaskGroupStartErrorAfterStarted(t *testing.T) {
	confEachBackend(t, func(t *testing.T, ctx context.Context) error {
		var got any
		var startErr, siblingErr error
		err := anyio.WithTaskGroup(ctx, func(ctx context.Context, tg *anyio.TaskGroup) error {
			tg.StartSoon(func(ctx context.Context) error {
				siblingErr = anyio.Sleep(ctx, confForever)
				return siblingErr
			})
			got, startErr = tg.Start(ctx, func(ctx context.Context, st *anyio.TaskStatus) error {
				st.Started(2)
				_ = anyio.Sleep(ctx, confTick)
				return errConfBoom
			})
			return nil
		})
		if got != 2 || startErr != nil {
			t.Errorf("Start: got %v, %v, want 2, nil", got, startErr)
		}
		if err != errConfBoom {
			t.Errorf("WithTaskGroup whose started task failed: got %v, want %v itself", err, errConfBoom)
		}
		if !errors.Is(siblingErr, context.Canceled) {
			t.Errorf("sibling after the started task failed: got %v, want context.Canceled", siblingErr)
		}
		return nil
	})
}

// Start honours its ctx: until Started, the task runs under the caller's
// cancellation, so a cancelled ctx ends both the task and Start without
// cancelling the group (Trio test_nursery_start, AnyIO
// test_start_cancels_parent_scope, test_start_cancelled).
func TestTaskGroupStartWithCancelledCtx(t *testing.T) {
	t.Run("caller's scope cancelled", func(t *testing.T) {
		confEachBackend(t, func(t *testing.T, ctx context.Context) error {
			var started atomic.Bool
			var startErr, fnErr error
			var tgScope *anyio.CancelScope
			inner := anyio.NewCancelScope()
			err := anyio.WithTaskGroup(ctx, func(ctx context.Context, tg *anyio.TaskGroup) error {
				tgScope = tg.CancelScope()
				return inner.Run(ctx, func(ctx context.Context) error {
					inner.Cancel()
					_, startErr = tg.Start(ctx, func(ctx context.Context, st *anyio.TaskStatus) error {
						started.Store(true)
						fnErr = anyio.Sleep(ctx, confForever)
						return fnErr
					})
					return startErr
				})
			})
			if !started.Load() {
				t.Errorf("fn of a Start called with a cancelled ctx never ran; want it to run up to its first checkpoint")
			}
			if !confIsCancellation(startErr) {
				t.Errorf("Start with a cancelled ctx: got %v, want a cancellation", startErr)
			}
			if !errors.Is(fnErr, context.Canceled) {
				t.Errorf("fn's Sleep before Started, caller's ctx cancelled: got %v, want context.Canceled", fnErr)
			}
			if err != nil {
				t.Errorf("WithTaskGroup: got %v, want nil", err)
			}
			if !inner.CancelledCaught() {
				t.Errorf("caller's scope CancelledCaught: got false, want true")
			}
			if tgScope != nil && tgScope.CancelCalled() {
				t.Errorf("tg.CancelScope().CancelCalled(): got true, want false (the caller's cancellation is not the group's)")
			}
			return nil
		})
	})
	t.Run("group cancelled", func(t *testing.T) {
		confEachBackend(t, func(t *testing.T, ctx context.Context) error {
			var started, finished atomic.Bool
			var startErr error
			err := anyio.WithTaskGroup(ctx, func(ctx context.Context, tg *anyio.TaskGroup) error {
				tg.CancelScope().Cancel()
				_, startErr = tg.Start(ctx, func(ctx context.Context, st *anyio.TaskStatus) error {
					started.Store(true)
					if err := anyio.Sleep(ctx, confForever); err != nil {
						return err
					}
					finished.Store(true)
					st.Started(nil)
					return nil
				})
				return startErr
			})
			if err != nil {
				t.Errorf("WithTaskGroup cancelled before Start: got %v, want nil", err)
			}
			if !confIsCancellation(startErr) {
				t.Errorf("Start in a cancelled group: got %v, want a cancellation", startErr)
			}
			if !started.Load() || finished.Load() {
				t.Errorf("fn in a cancelled group: started %v, got past its Sleep %v, want true, false", started.Load(), finished.Load())
			}
			return nil
		})
	})
}

// A task's own timeout is a failure, not the group's cancellation: it is
// reported even when the group was already cancelled by another error.
func TestTaskGroupReportsTimeoutsAfterCancellation(t *testing.T) {
	confEachBackend(t, func(t *testing.T, ctx context.Context) error {
		err := anyio.WithTaskGroup(ctx, func(ctx context.Context, tg *anyio.TaskGroup) error {
			tg.StartSoon(func(ctx context.Context) error { return errConfFirst })
			tg.StartSoon(func(context.Context) error {
				return anyio.FailAfter(context.Background(), confTick, func(ctx context.Context) error {
					return anyio.Sleep(ctx, confForever)
				})
			})
			return nil
		})
		errs := confErrorList(err)
		if len(errs) != 2 || !errors.Is(err, errConfFirst) || !errors.Is(err, anyio.ErrTimeout) {
			t.Errorf("a failure and a task's own timeout: got %v, want both reported", err)
		}
		return nil
	})
}

// A task started with Start that panics before Started makes Start return
// an error, and the group then panics with the *PanicError: nothing hangs.
func TestTaskGroupStartPanicsBeforeStarted(t *testing.T) {
	confEachBackend(t, func(t *testing.T, ctx context.Context) error {
		var startErr error
		panicked := func() (p any) {
			defer func() { p = recover() }()
			_ = anyio.WithTaskGroup(ctx, func(ctx context.Context, tg *anyio.TaskGroup) error {
				_, startErr = tg.Start(ctx, func(ctx context.Context, status *anyio.TaskStatus) error {
					panic("not ready")
				}, anyio.Name("starter"))
				return nil
			})
			return nil
		}()
		pe, ok := panicked.(*anyio.PanicError)
		if !ok || pe.Task != "starter" || pe.Value != "not ready" {
			t.Errorf("WithTaskGroup panicked with %#v, want a *PanicError of task starter", panicked)
		}
		if startErr == nil {
			t.Errorf("Start of a task that panicked before Started returned no error")
		}
		return nil
	})
}

// Start's caller cancelled before the task calls Started: Start reports the
// cancellation, even if the task calls Started anyway.
func TestTaskGroupStartCallerCancelledFirst(t *testing.T) {
	confEachBackend(t, func(t *testing.T, ctx context.Context) error {
		return anyio.WithTaskGroup(ctx, func(ctx context.Context, tg *anyio.TaskGroup) error {
			caller := anyio.NewCancelScope()
			return caller.Run(ctx, func(cctx context.Context) error {
				caller.Cancel()
				v, err := tg.Start(cctx, func(ctx context.Context, status *anyio.TaskStatus) error {
					status.Started("ready") // without looking at ctx
					return nil
				})
				if !errors.Is(err, context.Canceled) || v != nil {
					t.Errorf("Start with its caller cancelled: got %v, %v; want nil, context.Canceled", v, err)
				}
				return err
			})
		})
	})
}

// runtime.Goexit in the body (t.FailNow, say) still cancels and waits for
// the group's tasks.
func TestTaskGroupGoexitInBodyWaitsForTasks(t *testing.T) {
	confEachBackend(t, func(t *testing.T, ctx context.Context) error {
		if anyio.CurrentBackend(ctx) != anyio.BackendStd {
			return confSkip("Goexit ends a simulated task behind the scheduler's back")
		}
		var taskDone atomic.Bool
		exited := make(chan struct{})
		go func() {
			defer close(exited)
			_ = anyio.WithTaskGroup(ctx, func(ctx context.Context, tg *anyio.TaskGroup) error {
				tg.StartSoon(func(ctx context.Context) error {
					defer taskDone.Store(true)
					return anyio.Sleep(ctx, confForever)
				})
				runtime.Goexit()
				return nil
			})
		}()
		if err := confAwaitForeign(exited, "the goroutine that called Goexit"); err != nil {
			return err
		}
		if !taskDone.Load() {
			t.Errorf("after Goexit in the body, a task was still running")
		}
		return nil
	})
}
