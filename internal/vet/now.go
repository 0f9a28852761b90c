package vet

import (
	"fmt"
	"go/ast"
	"go/types"
)

// nowFuncs are the time package's reads of the wall clock.
var nowFuncs = []string{"Now", "Since", "Until"}

// Now reports reads of the wall clock.
var Now = named("now", "time.Now and time.Since inside a run read the wall clock; suggests Now(ctx)")

func (w *walker) checkNow(call *ast.CallExpr, fn *types.Func) bool {
	if !isFunc(fn, "time", nowFuncs...) {
		return false
	}
	if !w.inBubble() { // in a test helper's bubble, time.Now is the run's clock
		w.now(call, fn.Name())
	}
	return true
}

func (w *walker) now(call *ast.CallExpr, name string) {
	msg := fmt.Sprintf("time.%s %s reads the wall clock, not the run's; use %s.Now(ctx)", name, regionInsideRun, w.gen())
	q, ctx, ok := w.qualifier("Now", call.Pos())
	if !ok {
		w.add("now", call, msg)
		return
	}
	now := fmt.Sprintf("%sNow(%s)", q, ctx)
	var text string
	switch {
	case name == "Now" && len(call.Args) == 0:
		text = now
	case name == "Since" && len(call.Args) == 1:
		text = now + ".Sub(" + w.text(call.Args[0]) + ")"
	case name == "Until" && len(call.Args) == 1:
		text = w.operand(call.Args[0]) + ".Sub(" + now + ")"
	}
	if text == "" {
		w.add("now", call, msg)
		return
	}
	w.add("now", call, msg, fix("Use "+q+"Now", call, text))
}
