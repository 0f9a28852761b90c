package vet

import (
	"bytes"
	"fmt"
	"go/ast"
	"go/printer"
	"go/types"
	"slices"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/types/typeutil"
)

// regionInsideRun is how every message says where the finding is.
const regionInsideRun = "inside a run"

// walker collects one region's findings.
type walker struct {
	s     *state
	r     region
	found []Finding
}

// regionFindings is what the simulator cannot see in region r, including
// in the functions it calls with its context.
func (s *state) regionFindings(r region) []Finding {
	w := &walker{s: s, r: r}
	ast.Inspect(r.body, w.visit)
	return w.found
}

func (w *walker) add(analyzer string, n ast.Node, msg string, fixes ...analysis.SuggestedFix) {
	w.found = append(w.found, Finding{Analyzer: analyzer, Pos: n.Pos(), End: n.End(), Message: msg, Fixes: fixes})
}

// visit looks at one node of a region: each kind of statement goes to
// the analyzer it concerns, each call to call.
func (w *walker) visit(n ast.Node) bool {
	switch n := n.(type) {
	case *ast.GoStmt:
		w.goStmt(n)
		return false // what runs there is not the run's
	case *ast.SendStmt:
		w.chanSend(n)
	case *ast.UnaryExpr:
		w.chanReceive(n)
	case *ast.SelectStmt:
		w.selectStmt(n)
		w.selectCases(n)
		return false
	case *ast.RangeStmt:
		w.chanRange(n)
	case *ast.BlockStmt:
		w.stmts(n.List)
	case *ast.CaseClause:
		w.stmts(n.Body)
	case *ast.CallExpr:
		return w.call(n)
	}
	return true
}

// callChecks are the analyzers that look at calls, each reporting
// whether a call was of its kind (then no other looks at it).
var callChecks = []func(w *walker, call *ast.CallExpr, fn *types.Func) bool{
	(*walker).checkSleep,
	(*walker).checkNow,
	(*walker).checkDeadline,
	(*walker).checkGlobalRand,
	(*walker).checkFatal,
	(*walker).checkDial,
	(*walker).checkOSFile,
	(*walker).checkSignal,
	(*walker).checkExec,
}

// call checks one call; it reports whether to look inside it.
func (w *walker) call(call *ast.CallExpr) bool {
	fn, _ := typeutil.Callee(w.s.pass.TypesInfo, call).(*types.Func)
	if fn == nil || fn.Pkg() == nil {
		return true
	}
	if w.s.isGeneratedFunc(fn) {
		// The function literals handed to it are regions of their own when
		// they take a ctx, and run outside the simulator's schedule when
		// they do not (ToThread's function, where blocking is the point).
		ast.Inspect(call.Fun, w.visit)
		for _, a := range call.Args {
			if _, ok := ast.Unparen(a).(*ast.FuncLit); !ok {
				ast.Inspect(a, w.visit)
			}
		}
		return false
	}
	for _, check := range callChecks {
		if check(w, call, fn) {
			return true
		}
	}
	w.callWithCtx(call, fn)
	return true
}

// isFunc reports whether fn is one of names in the package at path (a
// function, not a method).
func isFunc(fn *types.Func, path string, names ...string) bool {
	return fn.Pkg().Path() == path && fn.Signature().Recv() == nil && slices.Contains(names, fn.Name())
}

// pkgFunc reports whether call calls one of names in the package at path
// (a function, not a method).
func (w *walker) pkgFunc(call *ast.CallExpr, path string, names ...string) bool {
	fn, ok := typeutil.Callee(w.s.pass.TypesInfo, call).(*types.Func)
	return ok && fn.Pkg() != nil && fn.Pkg().Path() == path && fn.Signature().Recv() == nil && slices.Contains(names, fn.Name())
}

// callWithCtx follows a call that passes a context into a function whose
// body the checker knows: this package's, or another's through its fact.
func (w *walker) callWithCtx(call *ast.CallExpr, fn *types.Func) {
	info := w.s.pass.TypesInfo
	if !slices.ContainsFunc(call.Args, func(a ast.Expr) bool { return isContext(info.TypeOf(a)) }) {
		return
	}
	if w.s.decls[fn] != nil {
		w.found = append(w.found, w.s.funcFindings(fn)...)
		return
	}
	var fact funcFact
	if !w.s.pass.ImportObjectFact(fn, &fact) {
		return
	}
	for _, x := range fact.Findings {
		w.add(x.Analyzer, call, fmt.Sprintf("%s.%s, called here with the run's ctx, reaches something the simulator cannot see, at %s: %s", fn.Pkg().Name(), fn.Name(), x.At, x.What))
	}
}

// text is the source of e, printed from its syntax.
func (w *walker) text(e ast.Expr) string {
	var b bytes.Buffer
	if err := printer.Fprint(&b, w.s.pass.Fset, e); err != nil {
		return types.ExprString(e)
	}
	return b.String()
}

// operand is text(e), in parentheses unless it is a plain operand.
func (w *walker) operand(e ast.Expr) string {
	switch ast.Unparen(e).(type) {
	case *ast.Ident, *ast.SelectorExpr, *ast.CallExpr, *ast.IndexExpr, *ast.BasicLit, *ast.CompositeLit:
		return w.text(e)
	}
	return "(" + w.text(e) + ")"
}

// recvIs reports whether a method's receiver is one of the named types
// (or a pointer to one).
func recvIs(recv *types.Var, names ...string) bool {
	if recv == nil {
		return false
	}
	t := recv.Type()
	if p, ok := t.(*types.Pointer); ok {
		t = p.Elem()
	}
	n, ok := t.(*types.Named)
	return ok && slices.Contains(names, n.Obj().Name())
}

// fix replaces node n with text.
func fix(msg string, n ast.Node, text string) analysis.SuggestedFix {
	return analysis.SuggestedFix{Message: msg, TextEdits: []analysis.TextEdit{{Pos: n.Pos(), End: n.End(), NewText: []byte(text)}}}
}
