package vet

import (
	"bytes"
	"fmt"
	"go/ast"
	"go/printer"
	"go/token"
	"go/types"
	"slices"
	"strings"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ast/astutil"
	"golang.org/x/tools/go/types/typeutil"
)

// The calls each analyzer looks for, by package path and name.
var (
	sleepFuncs      = []string{"Sleep", "After", "Tick", "NewTimer", "NewTicker", "AfterFunc"}
	nowFuncs        = []string{"Now", "Since", "Until"}
	deadlineFuncs   = []string{"WithTimeout", "WithDeadline", "WithTimeoutCause", "WithDeadlineCause"}
	fatalMethods    = []string{"Fatal", "Fatalf", "FailNow", "Skip", "Skipf", "SkipNow"}
	randNotDraws    = []string{"New", "NewSource", "NewPCG", "NewChaCha8", "NewZipf", "Seed"}
	netDials        = []string{"Dial", "DialTimeout", "DialTCP", "DialUDP", "DialIP", "DialUnix", "Listen", "ListenTCP", "ListenUDP", "ListenPacket", "ListenIP", "ListenUnix", "ListenUnixgram", "ListenMulticastUDP", "LookupHost", "LookupIP", "LookupAddr"}
	netMethods      = []string{"Dial", "DialContext", "Listen", "ListenPacket", "LookupHost", "LookupIP", "LookupAddr"}
	httpFuncs       = []string{"Get", "Post", "Head", "PostForm", "ListenAndServe", "ListenAndServeTLS", "Serve", "ServeTLS"}
	httpMethods     = []string{"Do", "Get", "Post", "Head", "PostForm", "ListenAndServe", "ListenAndServeTLS", "Serve", "ServeTLS"}
	randV2Methods   = []string{"Int", "Int32", "Int32N", "Int64", "Int64N", "IntN", "Uint", "Uint32", "Uint32N", "Uint64", "Uint64N", "UintN", "Float32", "Float64", "ExpFloat64", "NormFloat64", "Perm", "Shuffle"}
	randV1ToV2      = map[string]string{"Intn": "IntN", "Int31n": "Int32N", "Int63n": "Int64N", "Int31": "Int32", "Int63": "Int64"}
	regionInsideRun = "inside a run"
)

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

// gen is the name to give the generated package in a message: the API
// copy the region was handed to, or the one a test helper it was handed to
// wraps, or any the file imports; as the file names it where it imports it.
func (w *walker) gen() string {
	if pkg := w.apiPkg(); pkg != nil {
		if q, ok := w.importName(pkg); ok && q != "" {
			return q
		}
		return pkg.Name()
	}
	return "anyio"
}

// apiPkg is the generated package whose functions a message or fix should
// name: one that declares Sleep (every copy does; a test helper does not).
func (w *walker) apiPkg() *types.Package {
	var candidates []*types.Package
	if w.r.handedTo != nil {
		candidates = append(candidates, w.r.handedTo)
	}
	for _, imp := range w.r.file.Imports {
		if pkg := w.importedPkg(imp); pkg != nil && w.s.isGeneratedPkg(pkg) {
			candidates = append(candidates, pkg)
		}
	}
	if w.r.handedTo != nil { // what a helper wraps, though this file may not import it
		for _, pkg := range w.r.handedTo.Imports() {
			if w.s.isGeneratedPkg(pkg) {
				candidates = append(candidates, pkg)
			}
		}
	}
	for _, pkg := range candidates {
		if _, ok := pkg.Scope().Lookup("Sleep").(*types.Func); ok {
			return pkg
		}
	}
	return nil
}

// inBubble reports whether the region is a body handed to a test helper,
// which runs it on sim inside a testing/synctest bubble: there the time
// and context packages follow the run's virtual clock.
func (w *walker) inBubble() bool {
	return w.r.handedTo != nil && w.s.isHelperPkg(w.r.handedTo)
}

// qualifier is how code at pos names the generated function name, say
// "anyio." or "" inside the package that holds it, and the ctx parameter's
// name: for a suggested fix. ok is false when no generated package in
// reach declares name, or a local name shadows the package or the ctx.
func (w *walker) qualifier(name string, pos token.Pos) (qual, ctx string, ok bool) {
	if w.r.ctx == nil {
		return "", "", false
	}
	scope := w.s.pass.Pkg.Scope().Innermost(pos)
	if scope == nil {
		return "", "", false
	}
	if _, obj := scope.LookupParent(w.r.ctx.Name(), pos); obj != w.r.ctx {
		return "", "", false
	}
	// The package's own generated files, when the user's code shares it.
	if fn, ok := w.s.pass.Pkg.Scope().Lookup(name).(*types.Func); ok && w.s.isGeneratedFunc(fn) {
		if _, obj := scope.LookupParent(name, pos); obj == fn {
			return "", w.r.ctx.Name(), true
		}
	}
	candidates := []*types.Package{}
	if w.r.handedTo != nil && w.r.handedTo != w.s.pass.Pkg {
		candidates = append(candidates, w.r.handedTo)
	}
	for _, imp := range w.r.file.Imports {
		if pkg := w.importedPkg(imp); pkg != nil && w.s.isGeneratedPkg(pkg) {
			candidates = append(candidates, pkg)
		}
	}
	for _, pkg := range candidates {
		if _, declares := pkg.Scope().Lookup(name).(*types.Func); !declares {
			continue
		}
		q, ok := w.importName(pkg)
		if !ok || q == "" {
			continue
		}
		if _, obj := scope.LookupParent(q, pos); obj == nil {
			continue
		} else if pn, isPkg := obj.(*types.PkgName); !isPkg || pn.Imported() != pkg {
			continue // shadowed
		}
		return q + ".", w.r.ctx.Name(), true
	}
	return "", "", false
}

// importedPkg is the package an import of the region's file brings in.
func (w *walker) importedPkg(imp *ast.ImportSpec) *types.Package {
	info := w.s.pass.TypesInfo
	if pn, ok := info.Implicits[imp].(*types.PkgName); ok {
		return pn.Imported()
	}
	if imp.Name != nil {
		if pn, ok := info.Defs[imp.Name].(*types.PkgName); ok {
			return pn.Imported()
		}
	}
	return nil
}

// importName is the name the region's file gives pkg, if it imports it by
// a usable name.
func (w *walker) importName(pkg *types.Package) (string, bool) {
	for _, imp := range w.r.file.Imports {
		if w.importedPkg(imp) != pkg {
			continue
		}
		if imp.Name != nil {
			if imp.Name.Name == "_" || imp.Name.Name == "." {
				return "", false
			}
			return imp.Name.Name, true
		}
		return pkg.Name(), true
	}
	return "", false
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

func (w *walker) visit(n ast.Node) bool {
	info := w.s.pass.TypesInfo
	switch n := n.(type) {
	case *ast.GoStmt:
		w.add("goroutine", n, fmt.Sprintf("a go statement %s starts a goroutine the simulator does not schedule; start a task with a TaskGroup's StartSoon", regionInsideRun))
		return false // what runs there is not the run's
	case *ast.SendStmt:
		w.add("chanwait", n, fmt.Sprintf("a channel send %s waits where no ctx can cut it short and the simulator cannot see it; use a memory object stream (%s.NewMemoryObjectStream) or an Event", regionInsideRun, w.gen()))
	case *ast.UnaryExpr:
		if n.Op == token.ARROW && !w.cancellable(n.X) && !w.timerChannel(n.X) {
			w.add("chanwait", n, fmt.Sprintf("a channel receive %s waits where no ctx can cut it short and the simulator cannot see it; use a memory object stream (%s.NewMemoryObjectStream) or an Event", regionInsideRun, w.gen()))
		}
	case *ast.SelectStmt:
		w.selectStmt(n)
		for _, c := range n.Body.List {
			cc := c.(*ast.CommClause)
			// The operands of each case (a time.After, a call with ctx),
			// not the case's own receive, which selectStmt judged.
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
		return false
	case *ast.RangeStmt:
		if _, ok := info.TypeOf(n.X).Underlying().(*types.Chan); ok {
			w.add("chanwait", n.X, fmt.Sprintf("ranging over a channel %s waits where no ctx can cut it short and the simulator cannot see it; range over a memory object stream's All(ctx)", regionInsideRun))
		}
	case *ast.BlockStmt:
		w.stmts(n.List)
	case *ast.CaseClause:
		w.stmts(n.Body)
	case *ast.CallExpr:
		return w.call(n)
	}
	return true
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

// timerChannel reports whether x is a call of time.After or time.Tick,
// which the sleep analyzer reports.
func (w *walker) timerChannel(x ast.Expr) bool {
	call, ok := ast.Unparen(x).(*ast.CallExpr)
	return ok && w.pkgFunc(call, "time", "After", "Tick")
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

// pkgFunc reports whether call calls one of names in the package at path
// (a function, not a method).
func (w *walker) pkgFunc(call *ast.CallExpr, path string, names ...string) bool {
	fn, ok := typeutil.Callee(w.s.pass.TypesInfo, call).(*types.Func)
	return ok && fn.Pkg() != nil && fn.Pkg().Path() == path && fn.Signature().Recv() == nil && slices.Contains(names, fn.Name())
}

// call checks one call; it reports whether to look inside it.
func (w *walker) call(call *ast.CallExpr) bool {
	info := w.s.pass.TypesInfo
	fn, _ := typeutil.Callee(info, call).(*types.Func)
	if fn == nil || fn.Pkg() == nil {
		return true
	}
	path, name, recv := fn.Pkg().Path(), fn.Name(), fn.Signature().Recv()
	switch {
	case w.s.isGeneratedFunc(fn):
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
	case path == "time" && recv == nil && slices.Contains(sleepFuncs, name):
		w.sleep(call, name)
	case path == "time" && recv == nil && slices.Contains(nowFuncs, name):
		if !w.inBubble() {
			w.now(call, name)
		}
	case path == "context" && recv == nil && slices.Contains(deadlineFuncs, name):
		if w.inBubble() {
			break // the bubble's clock is the run's: the deadline is kept
		}
		w.add("deadline", call, fmt.Sprintf("context.%s %s sets a deadline on the wall clock, which a simulated run cannot keep; use %s.FailAfter, %s.MoveOnAfter or a CancelScope's Deadline, on the run's clock", name, regionInsideRun, w.gen(), w.gen()))
	case (path == "math/rand" || path == "math/rand/v2") && recv == nil && !slices.Contains(randNotDraws, name):
		w.globalRand(call, path, name)
	case path == "testing" && recv != nil && slices.Contains(fatalMethods, name):
		w.add("fatal", call, fmt.Sprintf("%s %s ends the calling goroutine, a task of the run, behind the simulator's back, and the failure is lost; return an error instead, and call it after the run", name, regionInsideRun))
	case recvIs(recv, "Client") && path == "net/http" && w.dialsThroughPackage(call):
		// A client whose transport dials with the package's ConnectTCP.
	case path == "net" && (recv == nil && slices.Contains(netDials, name) || recvIs(recv, "Dialer", "ListenConfig", "Resolver") && slices.Contains(netMethods, name)),
		path == "net/http" && (recv == nil && slices.Contains(httpFuncs, name) || recvIs(recv, "Client", "Server") && slices.Contains(httpMethods, name)):
		w.add("dial", call, fmt.Sprintf("%s.%s %s uses the OS network, which the simulator cannot see; use %s.ConnectTCP, %s.ListenTCP or %s.LookupHost (and a stream's NetConn where a net.Conn is wanted)", fn.Pkg().Name(), name, regionInsideRun, w.gen(), w.gen(), w.gen()))
	default:
		w.callWithCtx(call, fn)
	}
	return true
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

func (w *walker) globalRand(call *ast.CallExpr, path, name string) {
	msg := fmt.Sprintf("rand.%s %s draws from the global source, which the seed does not decide; draw from %s.Rand(ctx)", name, regionInsideRun, w.gen())
	method := name
	if path == "math/rand" {
		method = randV1ToV2[name]
		if method == "" && slices.Contains(randV2Methods, name) && name != "IntN" {
			method = name
		}
	}
	q, ctx, ok := w.qualifier("Rand", call.Pos())
	if !ok || !slices.Contains(randV2Methods, method) {
		w.add("globalrand", call, msg)
		return
	}
	text := fmt.Sprintf("%sRand(%s).%s", q, ctx, method)
	w.add("globalrand", call, msg, analysis.SuggestedFix{
		Message:   "Draw from " + q + "Rand(ctx)",
		TextEdits: []analysis.TextEdit{{Pos: call.Fun.Pos(), End: call.Fun.End(), NewText: []byte(text)}},
	})
}

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
