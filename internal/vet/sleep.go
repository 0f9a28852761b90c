package vet

import (
	"fmt"
	"go/ast"
	"go/types"
	"strings"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ast/astutil"
)

// sleepFuncs are the time package's waits on the wall clock.
var sleepFuncs = []string{"Sleep", "After", "Tick", "NewTimer", "NewTicker", "AfterFunc"}

// Sleep reports waits on the wall clock.
var Sleep = named("sleep", "time.Sleep, time.After, time.Tick and timers inside a run wait on the wall clock; suggests Sleep, FailAfter, MoveOnAfter")

func (w *walker) checkSleep(call *ast.CallExpr, fn *types.Func) bool {
	if !isFunc(fn, "time", sleepFuncs...) {
		return false
	}
	w.sleep(call, fn.Name())
	return true
}

func (w *walker) sleep(call *ast.CallExpr, name string) {
	msg := fmt.Sprintf("time.%s %s waits on the wall clock, which the simulator cannot see; use %s.Sleep, %s.FailAfter or %s.MoveOnAfter, on the run's clock", name, regionInsideRun, w.gen(), w.gen(), w.gen())
	q, ctx, ok := w.qualifier("Sleep", call.Pos())
	stmt, returnsErr := w.errorReturningStmt(call)
	if !ok || name != "Sleep" || len(call.Args) != 1 || !returnsErr {
		// Sleep returns an error (a cancellation) that the fix must not
		// drop: it is offered only where it can be returned.
		w.add("sleep", call, msg)
		return
	}
	indent := strings.Repeat("\t", w.s.pass.Fset.Position(stmt.Pos()).Column-1)
	text := fmt.Sprintf("if err := %sSleep(%s, %s); err != nil {\n%s\treturn err\n%s}", q, ctx, w.text(call.Args[0]), indent, indent)
	w.add("sleep", call, msg, analysis.SuggestedFix{
		Message:   "Use " + q + "Sleep, returning its error",
		TextEdits: []analysis.TextEdit{{Pos: stmt.Pos(), End: stmt.End(), NewText: []byte(text)}},
	})
}

// errorReturningStmt is the statement call is, when it is one, in a
// function whose only result is an error: where a call that can fail may
// return its error.
func (w *walker) errorReturningStmt(call *ast.CallExpr) (*ast.ExprStmt, bool) {
	path, _ := astutil.PathEnclosingInterval(w.r.file, call.Pos(), call.End())
	if len(path) < 2 {
		return nil, false
	}
	stmt, ok := path[1].(*ast.ExprStmt)
	if !ok {
		return nil, false
	}
	for _, n := range path {
		var ft *ast.FuncType
		switch f := n.(type) {
		case *ast.FuncLit:
			ft = f.Type
		case *ast.FuncDecl:
			ft = f.Type
		default:
			continue
		}
		res := ft.Results
		if res == nil || res.NumFields() != 1 {
			return nil, false
		}
		return stmt, types.Identical(w.s.pass.TypesInfo.TypeOf(res.List[0].Type), types.Universe.Lookup("error").Type())
	}
	return nil, false
}

// timerChannel reports whether x is a call of time.After or time.Tick,
// which the sleep analyzer reports.
func (w *walker) timerChannel(x ast.Expr) bool {
	call, ok := ast.Unparen(x).(*ast.CallExpr)
	return ok && w.pkgFunc(call, "time", "After", "Tick")
}
