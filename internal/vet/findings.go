package vet

import (
	"fmt"
	"go/ast"
	"go/token"
	"go/types"
	"slices"

	"golang.org/x/tools/go/analysis"
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
	netMethods      = []string{"Dial", "DialContext", "Listen", "ListenPacket"}
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
	w.block(r.body)
	ast.Inspect(r.body, w.visit)
	return w.found
}

func (w *walker) add(analyzer string, n ast.Node, msg string, fixes ...analysis.SuggestedFix) {
	w.found = append(w.found, Finding{Analyzer: analyzer, Pos: n.Pos(), End: n.End(), Message: msg, Fixes: fixes})
}

// gen is the name to give the generated package in a message.
func (w *walker) gen() string {
	if w.r.gen != "" {
		return w.r.gen
	}
	return "anyio"
}

// canFix reports whether a fix can name both the package and the context.
func (w *walker) canFix() bool { return w.r.gen != "" && w.r.ctx != nil }

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
			for _, st := range c.(*ast.CommClause).Body {
				ast.Inspect(st, w.visit)
			}
		}
		return false
	case *ast.RangeStmt:
		if _, ok := info.TypeOf(n.X).Underlying().(*types.Chan); ok {
			w.add("chanwait", n.X, fmt.Sprintf("ranging over a channel %s waits where no ctx can cut it short and the simulator cannot see it; range over a memory object stream's All(ctx)", regionInsideRun))
		}
	case *ast.BlockStmt:
		w.block(n)
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
	case w.s.isGeneratedPkg(fn.Pkg()):
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
		w.now(call, name)
	case path == "context" && recv == nil && slices.Contains(deadlineFuncs, name):
		w.add("deadline", call, fmt.Sprintf("context.%s %s sets a deadline on the wall clock, which a simulated run cannot keep; use %s.FailAfter, %s.MoveOnAfter or a CancelScope's Deadline, on the run's clock", name, regionInsideRun, w.gen(), w.gen()))
	case (path == "math/rand" || path == "math/rand/v2") && recv == nil && !slices.Contains(randNotDraws, name):
		w.globalRand(call, path, name)
	case path == "testing" && recv != nil && slices.Contains(fatalMethods, name):
		w.add("fatal", call, fmt.Sprintf("%s %s ends the calling goroutine, a task of the run, behind the simulator's back, and the failure is lost; return an error instead, and call it after the run", name, regionInsideRun))
	case path == "net" && (recv == nil && slices.Contains(netDials, name) || recv != nil && slices.Contains(netMethods, name)),
		path == "net/http" && (recv == nil && slices.Contains(httpFuncs, name) || recv != nil && slices.Contains(httpMethods, name)):
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
	if name == "Sleep" && w.canFix() && len(call.Args) == 1 {
		text := fmt.Sprintf("%s.Sleep(%s, %s)", w.r.gen, w.r.ctx.Name(), types.ExprString(call.Args[0]))
		w.add("sleep", call, msg, fix("Use "+w.r.gen+".Sleep", call, text))
		return
	}
	w.add("sleep", call, msg)
}

func (w *walker) now(call *ast.CallExpr, name string) {
	msg := fmt.Sprintf("time.%s %s reads the wall clock, not the run's; use %s.Now(ctx)", name, regionInsideRun, w.gen())
	if !w.canFix() {
		w.add("now", call, msg)
		return
	}
	now := fmt.Sprintf("%s.Now(%s)", w.r.gen, w.r.ctx.Name())
	var text string
	switch {
	case name == "Now" && len(call.Args) == 0:
		text = now
	case name == "Since" && len(call.Args) == 1:
		text = now + ".Sub(" + types.ExprString(call.Args[0]) + ")"
	case name == "Until" && len(call.Args) == 1:
		text = types.ExprString(call.Args[0]) + ".Sub(" + now + ")"
	}
	if text == "" {
		w.add("now", call, msg)
		return
	}
	w.add("now", call, msg, fix("Use "+w.r.gen+".Now", call, text))
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
	if !w.canFix() || !slices.Contains(randV2Methods, method) {
		w.add("globalrand", call, msg)
		return
	}
	text := fmt.Sprintf("%s.Rand(%s).%s", w.r.gen, w.r.ctx.Name(), method)
	w.add("globalrand", call, msg, analysis.SuggestedFix{
		Message:   "Draw from " + w.r.gen + ".Rand(ctx)",
		TextEdits: []analysis.TextEdit{{Pos: call.Fun.Pos(), End: call.Fun.End(), NewText: []byte(text)}},
	})
}

// block looks for a sync.Mutex or RWMutex held across a blocking call of
// a generated package in the statements of b.
func (w *walker) block(b *ast.BlockStmt) {
	for i, st := range b.List {
		mu, unlock, ok := w.lockStmt(st)
		if !ok {
			continue
		}
		for _, later := range b.List[i+1:] {
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
				if fn != nil && w.s.isGeneratedPkg(fn.Pkg()) && mayWait(fn) {
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
	sig := fn.Signature()
	res := sig.Results()
	if res.Len() == 0 || !types.Identical(res.At(res.Len()-1).Type(), types.Universe.Lookup("error").Type()) {
		return false
	}
	params := sig.Params()
	for i := range params.Len() {
		if isContext(params.At(i).Type()) {
			return true
		}
	}
	return false
}

// fix replaces node n with text.
func fix(msg string, n ast.Node, text string) analysis.SuggestedFix {
	return analysis.SuggestedFix{Message: msg, TextEdits: []analysis.TextEdit{{Pos: n.Pos(), End: n.End(), NewText: []byte(text)}}}
}
