package conformance

import (
	"context"
	"errors"
	"testing"

	anyio "github.com/anyiogen/anyiogen/generated/anyio"
)

// AnyIO TestCreateTask::test_return_value: Wait returns fn's result.
func TestCreateTaskReturnValue(t *testing.T) {
	confEachBackend(t, func(t *testing.T, ctx context.Context) error {
		var h *anyio.TaskHandle[int]
		err := anyio.WithTaskGroup(ctx, func(ctx context.Context, tg *anyio.TaskGroup) error {
			h = anyio.CreateTask(tg, func(ctx context.Context) (int, error) {
				if err := anyio.Sleep(ctx, confTick); err != nil {
					return 0, err
				}
				return 2 + 4, nil
			})
			if s := h.State(); s != anyio.TaskPending {
				t.Errorf("State before the task returned = %v, want pending", s)
			}
			got, err := h.Wait(ctx)
			if got != 6 || err != nil {
				t.Errorf("Wait = %v, %v; want 6, nil", got, err)
			}
			return nil
		})
		if err != nil {
			t.Errorf("WithTaskGroup = %v, want nil", err)
		}
		if got, err := h.Wait(ctx); got != 6 || err != nil {
			t.Errorf("Wait after the task returned = %v, %v; want 6, nil at once", got, err)
		}
		if s := h.State(); s != anyio.TaskFinished {
			t.Errorf("State = %v, want finished", s)
		}
		return nil
	})
}

// AnyIO TestCreateTask::test_exception: a task's error goes to the group as
// from StartSoon, and Wait returns it too.
func TestCreateTaskException(t *testing.T) {
	confEachBackend(t, func(t *testing.T, ctx context.Context) error {
		var h *anyio.TaskHandle[string]
		err := anyio.WithTaskGroup(ctx, func(ctx context.Context, tg *anyio.TaskGroup) error {
			h = anyio.CreateTask(tg, func(ctx context.Context) (string, error) { return "", errConfBoom })
			if _, err := h.Wait(ctx); err != errConfBoom {
				t.Errorf("Wait = %v, want the task's error", err)
			}
			return nil
		})
		if err != errConfBoom {
			t.Errorf("WithTaskGroup = %v, want the task's error", err)
		}
		if s := h.State(); s != anyio.TaskFailed {
			t.Errorf("State = %v, want failed", s)
		}
		return nil
	})
}

// AnyIO TestCreateTask::test_cancel, for a task cancelled before and after
// it started running: its own cancellation is caught in its own scope, so
// neither the group nor its siblings see it.
func TestCreateTaskCancel(t *testing.T) {
	for _, waitUntilRunning := range []bool{false, true} {
		name := "before it runs"
		if waitUntilRunning {
			name = "while it waits"
		}
		t.Run(name, func(t *testing.T) {
			confEachBackend(t, func(t *testing.T, ctx context.Context) error {
				var h *anyio.TaskHandle[int]
				started := false
				siblingDone := false
				err := anyio.WithTaskGroup(ctx, func(ctx context.Context, tg *anyio.TaskGroup) error {
					h = anyio.CreateTask(tg, func(ctx context.Context) (int, error) {
						started = true
						return 0, anyio.Sleep(ctx, confForever)
					})
					tg.StartSoon(func(ctx context.Context) error {
						if err := anyio.Sleep(ctx, 2*confTick); err != nil {
							return err
						}
						siblingDone = true
						return nil
					})
					if waitUntilRunning {
						if err := anyio.WaitAllTasksBlocked(ctx); err != nil {
							return err
						}
					}
					h.Cancel()
					// On std the task may already have returned on another
					// core; on a backend that runs one task at a time it
					// cannot have.
					if s := h.State(); s != anyio.TaskCancelling && (anyio.CurrentBackend(ctx) != "std" || s != anyio.TaskCancelled) {
						t.Errorf("State after Cancel = %v, want cancelling", s)
					}
					if _, err := h.Wait(ctx); !confIsCancellation(err) {
						t.Errorf("Wait = %v, want the task's cancellation", err)
					}
					return nil
				})
				if err != nil {
					t.Errorf("WithTaskGroup = %v, want nil: a handle's own cancellation is not the group's", err)
				}
				if s := h.State(); s != anyio.TaskCancelled {
					t.Errorf("State = %v, want cancelled", s)
				}
				if !started {
					t.Errorf("a task cancelled before it ran never ran: AnyIO runs it to its first checkpoint")
				}
				if !siblingDone {
					t.Errorf("the sibling was cancelled along with the handle's task")
				}
				return nil
			})
		})
	}
}

// AnyIO TestCreateTask::test_wait: Wait after the task returned returns at
// once, also with a cancelled ctx.
func TestCreateTaskWait(t *testing.T) {
	confEachBackend(t, func(t *testing.T, ctx context.Context) error {
		var h *anyio.TaskHandle[int]
		err := anyio.WithTaskGroup(ctx, func(ctx context.Context, tg *anyio.TaskGroup) error {
			h = anyio.CreateTask(tg, func(ctx context.Context) (int, error) { return 7, nil })
			return nil
		})
		if err != nil {
			return err
		}
		cancelled, cancel := context.WithCancel(ctx)
		cancel()
		if got, err := h.Wait(cancelled); got != 7 || err != nil {
			t.Errorf("Wait with a cancelled ctx after the task returned = %v, %v; want 7, nil", got, err)
		}
		return nil
	})
}

// A Wait cut short by its ctx returns the cancellation and leaves the task
// running.
func TestCreateTaskWaitCancelled(t *testing.T) {
	confEachBackend(t, func(t *testing.T, ctx context.Context) error {
		return anyio.WithTaskGroup(ctx, func(ctx context.Context, tg *anyio.TaskGroup) error {
			h := anyio.CreateTask(tg, func(ctx context.Context) (int, error) {
				return 5, anyio.Sleep(ctx, 3*confTick)
			})
			scope, err := anyio.MoveOnAfter(ctx, confTick, func(ctx context.Context) error {
				_, err := h.Wait(ctx)
				return err
			})
			if err != nil || !scope.CancelledCaught() {
				t.Errorf("Wait under MoveOnAfter = %v (caught %v), want its timeout", err, scope.CancelledCaught())
			}
			if s := h.State(); s != anyio.TaskPending {
				t.Errorf("State after a cancelled Wait = %v, want pending", s)
			}
			if got, err := h.Wait(ctx); got != 5 || err != nil {
				t.Errorf("second Wait = %v, %v; want 5, nil", got, err)
			}
			return nil
		})
	})
}

// "for a panic, Wait returns the *PanicError while the group still panics
// in its owner".
func TestCreateTaskPanic(t *testing.T) {
	confEachBackend(t, func(t *testing.T, ctx context.Context) error {
		var waitErr error
		var recovered any
		func() {
			defer func() { recovered = recover() }()
			_ = anyio.WithTaskGroup(ctx, func(ctx context.Context, tg *anyio.TaskGroup) error {
				h := anyio.CreateTask(tg, func(ctx context.Context) (int, error) { panic("kaboom") }, anyio.Name("boomer"))
				_, waitErr = h.Wait(ctx)
				return nil
			})
		}()
		var pe *anyio.PanicError
		if !errors.As(waitErr, &pe) || pe.Value != "kaboom" || pe.Task != "boomer" {
			t.Errorf("Wait = %v, want a *PanicError of task boomer with value kaboom", waitErr)
		}
		if rp, ok := recovered.(*anyio.PanicError); !ok || rp.Value != "kaboom" {
			t.Errorf("WithTaskGroup panicked with %#v, want the *PanicError of kaboom", recovered)
		}
		return nil
	})
}

// Info reports the task's identity, as CurrentTask does inside it.
func TestCreateTaskInfo(t *testing.T) {
	confEachBackend(t, func(t *testing.T, ctx context.Context) error {
		return anyio.WithTaskGroup(ctx, func(ctx context.Context, tg *anyio.TaskGroup) error {
			h := anyio.CreateTask(tg, func(ctx context.Context) (anyio.TaskInfo, error) {
				return anyio.CurrentTask(ctx), nil
			}, anyio.Name("worker"))
			inside, err := h.Wait(ctx)
			if err != nil {
				return err
			}
			if info := h.Info(); info != inside || info.Name != "worker" || info.ID == 0 {
				t.Errorf("Info = %+v, CurrentTask inside = %+v; want equal, named worker, with an ID", info, inside)
			}
			return nil
		})
	})
}
