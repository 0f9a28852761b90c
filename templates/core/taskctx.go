package core

// newTask makes the context of a new task of tg whose parent is parent. An
// unnamed task is named after fn on a backend that reports tasks by name.
func (tg *TaskGroup) newTask(name string, fn any, parent int64) *taskCtx {
	tc := new(taskCtx)
	tg.initTask(tc, name, fn, parent)
	return tc
}

// initTask sets up tc in place, for a caller that embeds it in a record of
// its own to spare an allocation.
func (tg *TaskGroup) initTask(tc *taskCtx, name string, fn any, parent int64) {
	tc.scopeCtx = tg.sctx
	tc.task.Init(tg.run, parent, taskName(tg.backend, name, fn))
}

// goTask starts run as tc's task on the group's backend.
func (tg *TaskGroup) goTask(tc *taskCtx, run func()) {
	if tg.starter != nil {
		tg.starter.GoTask(&tc.task, run)
		return
	}
	tg.backend.Go(tc.task.Name, run)
}
