package gen

import (
	"go/ast"
	"go/token"
	"regexp"
	"slices"
	"strconv"

	"golang.org/x/tools/go/ast/astutil"
)

const runtimeLayer = "runtime"

// rewriter holds the named rewrites that merge templates into one package:
//
//   - tests: conformance declarations that use API a narrower run left out
//     are dropped (see testsToDrop);
//   - package: every file gets the target package name;
//   - aliases: backend templates, compiled on their own, write runtime types
//     that the facade re-exports (anyiort.RunOption) with the runtime's
//     qualifier; in the merged package they use the facade's name;
//   - api: conformance tests call the package under test as anyio.X; emitted
//     beside the package they call X;
//   - standalone: the runtime's declarations are inlined with an "rt"
//     prefix, so anyiort.X becomes rtX and the import goes;
//   - homes: a backend's sub-homes (templates/sim/trace, package simtrace)
//     are inlined likewise, each top-level name N of a home becoming
//     simtraceN (with N's first letter made upper case), so simtrace.New
//     becomes simtraceNew, and the homes' imports go (see homes.go);
//   - messages: the word anyio in a string of the core, a backend or the
//     suite (an error's "anyio: " prefix, "anyio.CancelScope", and what
//     the suite expects of them) becomes the package's name, so a copy's
//     errors speak of the copy. The runtime's sentinels are shared by every
//     copy and keep theirs.
type rewriter struct {
	pkg        string
	rtName     string // the runtime's package name, as templates import it
	rtPath     string
	apiPath    string // the reference package's import path, in tests
	aliases    []string
	standalone bool
	rtDecls    map[string]bool  // top-level names of the runtime, when standalone
	dropTests  map[string]bool  // conformance declarations that use API left out
	homes      map[string]*home // a backend's sub-homes, by the end of their import paths
}

func (rw *rewriter) apply(fset *token.FileSet, f *ast.File, tf *templateFile) {
	layer := tf.layer
	f.Name = identAt(f.Name.Pos(), rw.pkg)
	if layer != coreLayer && layer != runtimeLayer && layer != conformanceLayer {
		rw.inlineHomes(fset, f, tf)
	}
	if layer != runtimeLayer {
		rw.nameMessages(f) // the suite's expectations too, to match
	}
	if layer == conformanceLayer {
		dropDecls(fset, f, rw.dropTests)
		rw.unqualify(fset, f, "anyio", rw.apiPath, func(string) bool { return true })
	}
	if layer != coreLayer && layer != runtimeLayer {
		rw.unqualify(fset, f, rw.rtName, rw.rtPath, func(name string) bool { return slices.Contains(rw.aliases, name) })
	}
	if !rw.standalone {
		return
	}
	if layer == runtimeLayer {
		rw.prefixRuntimeDecls(f)
		return
	}
	astutil.Apply(f, func(c *astutil.Cursor) bool {
		if sel, ok := c.Node().(*ast.SelectorExpr); ok {
			if id, ok := sel.X.(*ast.Ident); ok && id.Name == rw.rtName {
				c.Replace(identAt(sel.Pos(), "rt"+sel.Sel.Name))
			}
		}
		return true
	}, nil)
	astutil.DeleteNamedImport(fset, f, rw.rtName, rw.rtPath)
	dropEmptyImports(f)
}

// apiWord is the API's name as a word of a message.
var apiWord = regexp.MustCompile(`\banyio\b`)

// nameMessages puts the package's name where a string literal says anyio,
// leaving import paths alone.
func (rw *rewriter) nameMessages(f *ast.File) {
	if rw.pkg == "anyio" {
		return
	}
	imports := map[*ast.BasicLit]bool{}
	for _, imp := range f.Imports {
		imports[imp.Path] = true
	}
	ast.Inspect(f, func(n ast.Node) bool {
		if lit, ok := n.(*ast.BasicLit); ok && lit.Kind == token.STRING && !imports[lit] {
			lit.Value = apiWord.ReplaceAllString(lit.Value, rw.pkg)
		}
		return true
	})
}

// unqualify turns pkg.X into X for the names keep accepts, and drops the
// import once nothing uses it.
func (rw *rewriter) unqualify(fset *token.FileSet, f *ast.File, pkg, importPath string, keep func(string) bool) {
	used := false
	astutil.Apply(f, func(c *astutil.Cursor) bool {
		sel, ok := c.Node().(*ast.SelectorExpr)
		if !ok {
			return true
		}
		id, ok := sel.X.(*ast.Ident)
		if !ok || id.Name != pkg {
			return true
		}
		if keep(sel.Sel.Name) {
			c.Replace(identAt(sel.Pos(), sel.Sel.Name))
		} else {
			used = true
		}
		return true
	}, nil)
	if !used {
		for _, imp := range f.Imports {
			path, _ := strconv.Unquote(imp.Path.Value)
			if path == importPath {
				astutil.DeleteNamedImport(fset, f, nameOf(imp), path)
			}
		}
		dropEmptyImports(f)
	}
}

func nameOf(imp *ast.ImportSpec) string {
	if imp.Name != nil {
		return imp.Name.Name
	}
	return ""
}

// prefixRuntimeDecls renames the runtime's top-level declarations X to rtX,
// and every use of them, leaving field, method and key names alone.
func (rw *rewriter) prefixRuntimeDecls(f *ast.File) {
	renameDecls(f, rw.rtDecls, func(name string) string { return "rt" + name })
}

// renameDecls renames the uses of the top-level names decls in f, and
// their declarations, leaving field, method and key names alone. It goes
// by name: the files it renames in never shadow one of their top-level
// names.
func renameDecls(f *ast.File, decls map[string]bool, rename func(string) string) {
	astutil.Apply(f, func(c *astutil.Cursor) bool {
		id, ok := c.Node().(*ast.Ident)
		if !ok || !decls[id.Name] {
			return true
		}
		switch p := c.Parent().(type) {
		case *ast.SelectorExpr:
			if c.Name() == "Sel" {
				return true
			}
		case *ast.Field:
			if c.Name() == "Names" {
				return true
			}
		case *ast.KeyValueExpr:
			if c.Name() == "Key" {
				return true
			}
		case *ast.FuncDecl:
			if p.Recv != nil && c.Name() == "Name" {
				return true
			}
		}
		c.Replace(identAt(id.Pos(), rename(id.Name)))
		return true
	}, nil)
}

// identAt is an identifier where the one it replaces was: the printer
// lays code out by positions, and an identifier without one can move a
// closing parenthesis onto a line of its own.
func identAt(pos token.Pos, name string) *ast.Ident {
	return &ast.Ident{NamePos: pos, Name: name}
}

// dropEmptyImports removes an import declaration left with no specs.
func dropEmptyImports(f *ast.File) {
	f.Decls = slices.DeleteFunc(f.Decls, func(d ast.Decl) bool {
		g, ok := d.(*ast.GenDecl)
		return ok && g.Tok.String() == "import" && len(g.Specs) == 0
	})
}
