package vet

import (
	"fmt"
	"go/ast"
	"go/types"

	"golang.org/x/tools/go/types/typeutil"
)

// Lockwait reports a sync mutex held across a wait of the package.
var Lockwait = named("lockwait", "a sync.Mutex or RWMutex held across a blocking call of the package; suggests Lock")

// stmts looks for a sync.Mutex or RWMutex held across a blocking call of
// a generated package in a list of statements.
func (w *walker) stmts(list []ast.Stmt) {
	for i, st := range list {
		mu, unlock, ok := w.lockStmt(st)
		if !ok {
			continue
		}
		for _, later := range list[i+1:] {
			if w.unlocks(later, mu, unlock) {
				break
			}
			ast.Inspect(later, func(n ast.Node) bool {
				if _, ok := n.(*ast.FuncLit); ok {
					return false
				}
				call, ok := n.(*ast.CallExpr)
				if !ok {
					return true
				}
				fn, _ := typeutil.Callee(w.s.pass.TypesInfo, call).(*types.Func)
				if fn != nil && w.s.isGeneratedFunc(fn) && mayWait(fn) {
					w.add("lockwait", call, fmt.Sprintf("%s is held across %s.%s, which may wait: a task that then waits for %s blocks outside the simulator; use %s.Lock", mu, fn.Pkg().Name(), fn.Name(), mu, w.gen()))
				}
				return true
			})
		}
	}
}

// lockStmt reports whether st is m.Lock() or m.RLock() on a sync mutex,
// and the unlock that matches.
func (w *walker) lockStmt(st ast.Stmt) (mu, unlock string, ok bool) {
	es, ok := st.(*ast.ExprStmt)
	if !ok {
		return "", "", false
	}
	call, ok := es.X.(*ast.CallExpr)
	if !ok {
		return "", "", false
	}
	fn, _ := typeutil.Callee(w.s.pass.TypesInfo, call).(*types.Func)
	sel, isSel := call.Fun.(*ast.SelectorExpr)
	if fn == nil || !isSel || fn.Pkg() == nil || fn.Pkg().Path() != "sync" {
		return "", "", false
	}
	switch fn.Name() {
	case "Lock":
		return types.ExprString(sel.X), "Unlock", true
	case "RLock":
		return types.ExprString(sel.X), "RUnlock", true
	}
	return "", "", false
}

// unlocks reports whether st is mu.unlock() (a deferred one holds the lock
// to the end, so it does not count).
func (w *walker) unlocks(st ast.Stmt, mu, unlock string) bool {
	es, ok := st.(*ast.ExprStmt)
	if !ok {
		return false
	}
	call, ok := es.X.(*ast.CallExpr)
	if !ok {
		return false
	}
	sel, ok := call.Fun.(*ast.SelectorExpr)
	return ok && sel.Sel.Name == unlock && types.ExprString(sel.X) == mu
}

// mayWait reports whether fn, of a generated package, may wait: it takes
// a context.Context and returns an error (Now, Rand and the like take one
// and never wait).
func mayWait(fn *types.Func) bool {
	res := fn.Signature().Results()
	return res.Len() > 0 && types.Identical(res.At(res.Len()-1).Type(), types.Universe.Lookup("error").Type()) && takesContext(fn)
}
