package core

import (
	"context"

	anyiort "github.com/anyiogen/anyiogen/runtime"
)

// TaskInfo identifies a task.
type TaskInfo = anyiort.TaskInfo

// CurrentTask returns the identity of the task whose context ctx is.
func CurrentTask(ctx context.Context) TaskInfo { return anyiort.TaskOf(ctx).Info() }
