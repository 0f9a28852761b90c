package gen

import (
	"go/ast"
	"go/token"
	"strconv"
	"strings"

	"golang.org/x/tools/go/ast/astutil"
)

// testsToDrop names the conformance declarations (tests and helpers) that
// use API the selection left out: directly, as anyio.X with X not in api, or
// through another declaration that does. With -primitives, the suite keeps
// exactly the tests that can compile, rather than every test.
func testsToDrop(tests []*templateFile, api map[string]bool) map[string]bool {
	uses := map[string][]string{} // declaration → the suite's own names it uses
	drop := map[string]bool{}
	own := map[string]bool{}
	for _, tf := range tests {
		for _, d := range tf.ast.Decls {
			for _, n := range declNames(d) {
				own[n] = true
			}
		}
	}
	for _, tf := range tests {
		for _, d := range tf.ast.Decls {
			names := declNames(d)
			var refs []string
			missing := false
			ast.Inspect(d, func(n ast.Node) bool {
				switch x := n.(type) {
				case *ast.SelectorExpr:
					if id, ok := x.X.(*ast.Ident); ok && id.Name == "anyio" {
						missing = missing || !api[x.Sel.Name]
						return false
					}
				case *ast.Ident:
					if own[x.Name] {
						refs = append(refs, x.Name)
					}
				}
				return true
			})
			for _, n := range names {
				uses[n] = refs
				if missing {
					drop[n] = true
				}
			}
		}
	}
	for changed := true; changed; {
		changed = false
		for n, refs := range uses {
			if drop[n] {
				continue
			}
			for _, r := range refs {
				if drop[r] && r != n {
					drop[n], changed = true, true
					break
				}
			}
		}
	}
	return drop
}

// dropDecls removes the named declarations from f, then the imports that
// nothing uses any more.
func dropDecls(fset *token.FileSet, f *ast.File, drop map[string]bool) {
	kept := f.Decls[:0]
	for _, d := range f.Decls {
		names := declNames(d)
		if len(names) > 0 && drop[names[0]] {
			continue
		}
		kept = append(kept, d)
	}
	f.Decls = kept
	used := map[string]bool{}
	ast.Inspect(f, func(n ast.Node) bool {
		if sel, ok := n.(*ast.SelectorExpr); ok {
			if id, ok := sel.X.(*ast.Ident); ok {
				used[id.Name] = true
			}
		}
		return true
	})
	for _, imp := range append([]*ast.ImportSpec(nil), f.Imports...) {
		path, _ := strconv.Unquote(imp.Path.Value)
		if name := localName(imp, path); name != "_" && name != "." && !used[name] {
			astutil.DeleteNamedImport(fset, f, nameOf(imp), path)
		}
	}
	dropEmptyImports(f)
}

// localName is the name a file refers to an import by: its own name, or
// the path's last element that is not a major version ("math/rand/v2" is
// rand). Good for the standard library, which is all the suite imports.
func localName(imp *ast.ImportSpec, path string) string {
	if imp.Name != nil {
		return imp.Name.Name
	}
	parts := strings.Split(path, "/")
	last := parts[len(parts)-1]
	if len(parts) > 1 && len(last) > 1 && last[0] == 'v' && strings.Trim(last[1:], "0123456789") == "" {
		last = parts[len(parts)-2]
	}
	return last
}
