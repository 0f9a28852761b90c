package vet

import (
	"fmt"
	"go/ast"
	"go/token"
	"go/types"

	"golang.org/x/tools/go/types/typeutil"
)

// A NetConn view runs its calls under the ctx it was made with. Go gives a
// call no way to learn which scope its goroutine is in, so a view made
// outside a FailAfter, MoveOnAfter, scope or task and used inside it is not
// cut short by it: on std the read outlives the timeout, on sim the run
// deadlocks. The netconn analyzer reports such a use.

// Netconn reports a NetConn view used inside a body it was made outside of.
var Netconn = named("netconn", "a NetConn view made with an outer ctx and used inside a FailAfter, MoveOnAfter, scope or task, whose cancellation does not reach its calls; suggests making the view inside")

// view is a net.Conn made by a generated package's NetConn.
type view struct {
	ctx types.Object // the ctx it was made with
	at  token.Pos
}

// netConnViews lists the views a file makes: variables given the result
// of X.NetConn(ctx), by the variable.
func (s *state) netConnViews(f *ast.File) map[types.Object]view {
	info := s.pass.TypesInfo
	views := map[types.Object]view{}
	record := func(lhs *ast.Ident, rhs ast.Expr) {
		call, ok := ast.Unparen(rhs).(*ast.CallExpr)
		if !ok || len(call.Args) != 1 {
			return
		}
		fn, _ := typeutil.Callee(info, call).(*types.Func)
		arg, isIdent := ast.Unparen(call.Args[0]).(*ast.Ident)
		if fn == nil || fn.Name() != "NetConn" || !s.isGeneratedFunc(fn) || !isIdent {
			return
		}
		if v, c := info.ObjectOf(lhs), info.ObjectOf(arg); v != nil && c != nil {
			views[v] = view{ctx: c, at: call.Pos()}
		}
	}
	ast.Inspect(f, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.AssignStmt:
			if len(n.Lhs) == len(n.Rhs) {
				for i, lhs := range n.Lhs {
					if id, ok := lhs.(*ast.Ident); ok {
						record(id, n.Rhs[i])
					}
				}
			}
		case *ast.ValueSpec:
			if len(n.Names) == len(n.Values) {
				for i, id := range n.Names {
					record(id, n.Values[i])
				}
			}
		}
		return true
	})
	return views
}

// viewFindings reports, in body (a function literal with the ctx ctx,
// handed to a generated package), the first use of each view made outside
// it with another ctx.
func (s *state) viewFindings(body *ast.FuncLit, ctx *types.Var, views map[types.Object]view) []Finding {
	if ctx == nil || len(views) == 0 {
		return nil
	}
	info := s.pass.TypesInfo
	seen := map[types.Object]bool{}
	var out []Finding
	ast.Inspect(body.Body, func(n ast.Node) bool {
		if lit, ok := n.(*ast.FuncLit); ok && hasCtxParam(info, lit.Type) {
			return false // a body of its own, judged as such
		}
		id, ok := n.(*ast.Ident)
		if !ok {
			return true
		}
		obj := info.Uses[id]
		v, isView := views[obj]
		if !isView || seen[obj] || v.ctx == types.Object(ctx) || (body.Pos() <= obj.Pos() && obj.Pos() < body.End()) {
			return true
		}
		seen[obj] = true
		line := s.pass.Fset.Position(v.at).Line
		out = append(out, Finding{Analyzer: "netconn", Pos: id.Pos(), End: id.End(), Message: fmt.Sprintf(
			"%s, a net.Conn view made with %s (line %d), is used inside a body with a ctx of its own: that body's cancellation and deadline do not reach the view's calls; make the view here from %s, or set a deadline on it",
			id.Name, v.ctx.Name(), line, ctx.Name())})
		return true
	})
	return out
}
