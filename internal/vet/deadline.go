package vet

import (
	"fmt"
	"go/ast"
	"go/types"
)

// deadlineFuncs are the context package's deadlines on the wall clock.
var deadlineFuncs = []string{"WithTimeout", "WithDeadline", "WithTimeoutCause", "WithDeadlineCause"}

// Deadline reports deadlines on the wall clock.
var Deadline = named("deadline", "context.WithTimeout and WithDeadline inside a run set deadlines on the wall clock; suggests FailAfter, MoveOnAfter, a CancelScope's Deadline")

func (w *walker) checkDeadline(call *ast.CallExpr, fn *types.Func) bool {
	if !isFunc(fn, "context", deadlineFuncs...) {
		return false
	}
	if w.inBubble() {
		return true // the bubble's clock is the run's: the deadline is kept
	}
	w.add("deadline", call, fmt.Sprintf("context.%s %s sets a deadline on the wall clock, which a simulated run cannot keep; use %s.FailAfter, %s.MoveOnAfter or a CancelScope's Deadline, on the run's clock", fn.Name(), regionInsideRun, w.gen(), w.gen()))
	return true
}
