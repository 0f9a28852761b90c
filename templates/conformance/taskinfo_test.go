package conformance

import (
	"context"
	"testing"

	anyio "github.com/anyiogen/anyiogen/generated/anyio"
)

// The run's main task is 1, with no parent; a context that no task carries
// is task 0.
func TestMainTaskInfo(t *testing.T) {
	confEachBackend(t, func(t *testing.T, ctx context.Context) error {
		if info := anyio.CurrentTask(ctx); info.ID != 1 || info.ParentID != 0 {
			t.Errorf("CurrentTask of main = %+v, want ID 1, ParentID 0", info)
		}
		if info := anyio.CurrentTask(context.Background()); info != (anyio.TaskInfo{}) {
			t.Errorf("CurrentTask(context.Background()) = %+v, want the zero TaskInfo (task 0)", info)
		}
		return nil
	})
}

// "Each task's ctx identifies its task, and a ctx derived from it (by a
// scope, context.WithValue, ...) still does; the tasks of a group still
// share the group's cancellation."
func TestTaskIdentityOwnPerTask(t *testing.T) {
	type key struct{}
	confEachBackend(t, func(t *testing.T, ctx context.Context) error {
		main := anyio.CurrentTask(ctx)
		var infos [3]anyio.TaskInfo
		var derived [3]anyio.TaskInfo
		err := anyio.WithTaskGroup(ctx, func(ctx context.Context, tg *anyio.TaskGroup) error {
			if got := anyio.CurrentTask(ctx); got != main {
				t.Errorf("CurrentTask in a group's body = %+v, want the host's %+v", got, main)
			}
			for i := range infos {
				tg.StartSoon(func(ctx context.Context) error {
					infos[i] = anyio.CurrentTask(ctx)
					vctx := context.WithValue(ctx, key{}, i)
					return anyio.NewCancelScope().Run(vctx, func(ctx context.Context) error {
						derived[i] = anyio.CurrentTask(ctx)
						return anyio.Sleep(ctx, confForever)
					})
				})
			}
			if err := anyio.WaitAllTasksBlocked(ctx); err != nil {
				return err
			}
			tg.CancelScope().Cancel() // one cancel reaches every task
			return nil
		})
		if err != nil {
			t.Errorf("WithTaskGroup = %v, want nil", err)
		}
		seen := map[int64]bool{main.ID: true}
		for i, info := range infos {
			if seen[info.ID] || info.ID == 0 {
				t.Errorf("task %d has ID %d, which is zero or not unique", i, info.ID)
			}
			seen[info.ID] = true
			if info.ParentID != main.ID {
				t.Errorf("task %d: ParentID = %d, want the group's owner %d", i, info.ParentID, main.ID)
			}
			if derived[i] != info {
				t.Errorf("task %d: CurrentTask under a scope and WithValue = %+v, want %+v", i, derived[i], info)
			}
		}
		return nil
	})
}

// AnyIO test_start_soon_parent_id: a task started by a sibling still has
// the group's owner as its parent.
func TestStartSoonParentID(t *testing.T) {
	confEachBackend(t, func(t *testing.T, ctx context.Context) error {
		root := anyio.CurrentTask(ctx)
		var starter, sub anyio.TaskInfo
		err := anyio.WithTaskGroup(ctx, func(ctx context.Context, tg *anyio.TaskGroup) error {
			tg.StartSoon(func(ctx context.Context) error {
				starter = anyio.CurrentTask(ctx)
				tg.StartSoon(func(ctx context.Context) error {
					sub = anyio.CurrentTask(ctx)
					return nil
				})
				return nil
			})
			return nil
		})
		if err != nil {
			return err
		}
		if sub.ParentID != root.ID || sub.ParentID == starter.ID {
			t.Errorf("ParentID of a task a sibling started = %d, want the owner %d (not the starter %d)", sub.ParentID, root.ID, starter.ID)
		}
		return nil
	})
}

// AnyIO test_start_parent_id: a task started with Start has the caller as
// its parent until it calls Started, and the group's owner after.
func TestStartParentID(t *testing.T) {
	confEachBackend(t, func(t *testing.T, ctx context.Context) error {
		root := anyio.CurrentTask(ctx)
		var starter, before, after anyio.TaskInfo
		err := anyio.WithTaskGroup(ctx, func(ctx context.Context, tg *anyio.TaskGroup) error {
			tg.StartSoon(func(ctx context.Context) error {
				starter = anyio.CurrentTask(ctx)
				_, err := tg.Start(ctx, func(ctx context.Context, st *anyio.TaskStatus) error {
					before = anyio.CurrentTask(ctx)
					st.Started(nil)
					after = anyio.CurrentTask(ctx)
					return nil
				})
				return err
			})
			return nil
		})
		if err != nil {
			return err
		}
		if before.ParentID != starter.ID {
			t.Errorf("ParentID before Started = %d, want the caller of Start %d", before.ParentID, starter.ID)
		}
		if after.ParentID != root.ID || after.ID != before.ID {
			t.Errorf("after Started: %+v, want the same task under the owner %d", after, root.ID)
		}
		return nil
	})
}

// "Every task that a task group starts has an ID of its own, with or
// without Run."
func TestTaskIDsWithoutRun(t *testing.T) {
	ctx := context.Background()
	var a, b anyio.TaskInfo
	err := anyio.WithTaskGroup(ctx, func(ctx context.Context, tg *anyio.TaskGroup) error {
		tg.StartSoon(func(ctx context.Context) error { a = anyio.CurrentTask(ctx); return nil })
		tg.StartSoon(func(ctx context.Context) error { b = anyio.CurrentTask(ctx); return nil })
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if a.ID == 0 || b.ID == 0 || a.ID == b.ID || a.ParentID != 0 {
		t.Errorf("tasks started from context.Background(): %+v and %+v, want distinct non-zero IDs under task 0", a, b)
	}
}

// Name names a task; an unnamed one is named after its function on sim and
// "" on std.
func TestTaskNames(t *testing.T) {
	confEachBackend(t, func(t *testing.T, ctx context.Context) error {
		var named, unnamed anyio.TaskInfo
		err := anyio.WithTaskGroup(ctx, func(ctx context.Context, tg *anyio.TaskGroup) error {
			tg.StartSoon(func(ctx context.Context) error { named = anyio.CurrentTask(ctx); return nil }, anyio.Name("custom name"))
			tg.StartSoon(func(ctx context.Context) error { unnamed = anyio.CurrentTask(ctx); return nil })
			return nil
		})
		if err != nil {
			return err
		}
		if named.Name != "custom name" {
			t.Errorf("named task: Name = %q, want %q", named.Name, "custom name")
		}
		if anyio.CurrentBackend(ctx) == "std" {
			if unnamed.Name != "" {
				t.Errorf("unnamed task on std: Name = %q, want empty", unnamed.Name)
			}
		} else if unnamed.Name == "" {
			t.Errorf("unnamed task on %s: Name is empty, want the function's name", anyio.CurrentBackend(ctx))
		}
		return nil
	})
}
