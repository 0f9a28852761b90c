package vet

import (
	"fmt"
	"go/ast"
	"go/token"
	"go/types"
)

// Chanwait reports channel waits that no ctx can cut short.
var Chanwait = named("chanwait", "a channel send, receive or select inside a run that no ctx can cut short; suggests a memory object stream or an Event")

func (w *walker) chanSend(n *ast.SendStmt) {
	w.add("chanwait", n, fmt.Sprintf("a channel send %s waits where no ctx can cut it short and the simulator cannot see it; use a memory object stream (%s.NewMemoryObjectStream) or an Event", regionInsideRun, w.gen()))
}

func (w *walker) chanReceive(n *ast.UnaryExpr) {
	if n.Op == token.ARROW && !w.cancellable(n.X) && !w.timerChannel(n.X) {
		w.add("chanwait", n, fmt.Sprintf("a channel receive %s waits where no ctx can cut it short and the simulator cannot see it; use a memory object stream (%s.NewMemoryObjectStream) or an Event", regionInsideRun, w.gen()))
	}
}

func (w *walker) chanRange(n *ast.RangeStmt) {
	if _, ok := w.s.pass.TypesInfo.TypeOf(n.X).Underlying().(*types.Chan); ok {
		w.add("chanwait", n.X, fmt.Sprintf("ranging over a channel %s waits where no ctx can cut it short and the simulator cannot see it; range over a memory object stream's All(ctx)", regionInsideRun))
	}
}

// cancellable reports whether a receive from x is a ctx's Done channel.
func (w *walker) cancellable(x ast.Expr) bool {
	call, ok := ast.Unparen(x).(*ast.CallExpr)
	if !ok {
		return false
	}
	sel, ok := call.Fun.(*ast.SelectorExpr)
	return ok && sel.Sel.Name == "Done" && isContext(w.s.pass.TypesInfo.TypeOf(sel.X))
}

// selectStmt reports a select that can wait with no ctx to cut it short.
func (w *walker) selectStmt(n *ast.SelectStmt) {
	for _, c := range n.Body.List {
		cc := c.(*ast.CommClause)
		if cc.Comm == nil {
			return // a default: it never waits
		}
		var recv ast.Expr
		switch comm := cc.Comm.(type) {
		case *ast.ExprStmt:
			recv = comm.X
		case *ast.AssignStmt:
			recv = comm.Rhs[0]
		}
		if u, ok := recv.(*ast.UnaryExpr); ok && w.cancellable(u.X) {
			return
		}
	}
	w.add("chanwait", n, fmt.Sprintf("a select with no case on ctx.Done() %s waits where no ctx can cut it short and the simulator cannot see it; wait with the package's functions, or add a case <-ctx.Done()", regionInsideRun))
}

// selectCases looks into a select's cases: the operands of each (a
// time.After, a call with ctx), not the case's own receive, which
// selectStmt judged, and their bodies.
func (w *walker) selectCases(n *ast.SelectStmt) {
	for _, c := range n.Body.List {
		cc := c.(*ast.CommClause)
		switch comm := cc.Comm.(type) {
		case *ast.SendStmt:
			ast.Inspect(comm.Chan, w.visit)
			ast.Inspect(comm.Value, w.visit)
		case *ast.ExprStmt:
			if u, ok := comm.X.(*ast.UnaryExpr); ok {
				ast.Inspect(u.X, w.visit)
			}
		case *ast.AssignStmt:
			if u, ok := comm.Rhs[0].(*ast.UnaryExpr); ok {
				ast.Inspect(u.X, w.visit)
			}
		}
		w.stmts(cc.Body)
		for _, st := range cc.Body {
			ast.Inspect(st, w.visit)
		}
	}
}
