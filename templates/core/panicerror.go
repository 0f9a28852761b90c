package core

import (
	"fmt"
	"runtime/debug"
)

// PanicError is a task's panic, raised again by WithTaskGroup.
type PanicError struct {
	Task  string // the task's name
	Value any    // what was passed to panic
	Stack []byte // the panicking goroutine's stack
}

// Error is documented in the spec.
func (e *PanicError) Error() string {
	return fmt.Sprintf("anyio: task %s panicked: %v\n\n%s", e.Task, e.Value, e.Stack)
}

// Unwrap returns the panic value when it is an error.
func (e *PanicError) Unwrap() error {
	err, _ := e.Value.(error)
	return err
}

// recoverTask turns a panic of the task into the group's PanicError and
// cancels the group. Deferred, so that the stack is the panicking one.
func (tg *TaskGroup) recoverTask(name string, fn any) {
	r := recover()
	if r == nil {
		return
	}
	pe, ok := r.(*PanicError)
	if !ok {
		if name == "" {
			name = funcName(fn)
		}
		pe = &PanicError{Task: name, Value: r, Stack: debug.Stack()}
	}
	// A *PanicError that reaches a task is another group's, raised again in
	// this task (a Serve or a nested WithTaskGroup inside it): it goes on
	// as it is, naming the task that panicked, not wrapped once per group.
	tg.mu.Lock()
	if tg.panic == nil {
		tg.panic = pe
	}
	tg.mu.Unlock()
	tg.scope.Cancel()
}
