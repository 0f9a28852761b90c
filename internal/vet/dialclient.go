package vet

import (
	"go/ast"
	"go/types"

	"golang.org/x/tools/go/types/typeutil"
)

// dialsThroughPackage reports whether call, a method of an *http.Client,
// is on a client whose transport dials through a generated package: its
// Transport is an *http.Transport whose DialContext (or DialTLSContext) is
// the package's function, or a function literal that calls the package.
// Only what the region's file spells out is followed: a composite literal,
// or a variable assigned one in that file.
func (w *walker) dialsThroughPackage(call *ast.CallExpr) bool {
	sel, ok := ast.Unparen(call.Fun).(*ast.SelectorExpr)
	if !ok {
		return false
	}
	client := w.literalOf(sel.X, 0)
	if client == nil {
		return false
	}
	transport := w.literalOf(w.field(client, "Transport"), 0)
	if transport == nil {
		return false
	}
	for _, name := range []string{"DialContext", "DialTLSContext"} {
		if dial := w.field(transport, name); dial != nil && w.callsPackage(dial) {
			return true
		}
	}
	return false
}

// literalOf is the composite literal e stands for: e itself (or &e), or
// the literal a variable was last given in the region's file, followed a
// few steps.
func (w *walker) literalOf(e ast.Expr, depth int) *ast.CompositeLit {
	if e == nil || depth > 4 {
		return nil
	}
	switch x := ast.Unparen(e).(type) {
	case *ast.CompositeLit:
		return x
	case *ast.UnaryExpr:
		return w.literalOf(x.X, depth+1)
	case *ast.Ident:
		obj := w.s.pass.TypesInfo.ObjectOf(x)
		if obj == nil {
			return nil
		}
		var found *ast.CompositeLit
		ast.Inspect(w.r.file, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.AssignStmt:
				for i, lhs := range n.Lhs {
					if id, ok := lhs.(*ast.Ident); ok && w.s.pass.TypesInfo.ObjectOf(id) == obj && i < len(n.Rhs) {
						if lit := w.literalOf(n.Rhs[i], depth+1); lit != nil {
							found = lit
						}
					}
				}
			case *ast.ValueSpec:
				for i, id := range n.Names {
					if w.s.pass.TypesInfo.ObjectOf(id) == obj && i < len(n.Values) {
						if lit := w.literalOf(n.Values[i], depth+1); lit != nil {
							found = lit
						}
					}
				}
			}
			return true
		})
		return found
	}
	return nil
}

// field is the value a keyed composite literal gives to name, or nil.
func (w *walker) field(lit *ast.CompositeLit, name string) ast.Expr {
	if lit == nil {
		return nil
	}
	for _, elt := range lit.Elts {
		if kv, ok := elt.(*ast.KeyValueExpr); ok {
			if key, ok := kv.Key.(*ast.Ident); ok && key.Name == name {
				return kv.Value
			}
		}
	}
	return nil
}

// callsPackage reports whether e, a dial function, is a generated
// package's (named, or made by a call of it) or a function literal that
// calls one.
func (w *walker) callsPackage(e ast.Expr) bool {
	found := false
	ast.Inspect(e, func(n ast.Node) bool {
		var fn *types.Func
		switch x := n.(type) {
		case *ast.CallExpr:
			fn, _ = typeutil.Callee(w.s.pass.TypesInfo, x).(*types.Func)
		case *ast.Ident:
			fn, _ = w.s.pass.TypesInfo.ObjectOf(x).(*types.Func)
		}
		if fn != nil && w.s.isGeneratedFunc(fn) {
			found = true
		}
		return !found
	})
	return found
}
