package gen

import (
	"go/ast"
	"go/token"
	"slices"
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
				uses[n] = append(uses[n], refs...)
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
	dropUnreached(tests, uses, drop)
	return drop
}

// dropUnreached adds to drop the helpers that no kept test, fuzz target,
// benchmark, example or init reaches: a helper of dropped tests only would
// be dead code in the user's package, which linters report.
func dropUnreached(tests []*templateFile, uses map[string][]string, drop map[string]bool) {
	reached := map[string]bool{}
	var visit func(n string)
	visit = func(n string) {
		if reached[n] || drop[n] {
			return
		}
		reached[n] = true
		for _, r := range uses[n] {
			visit(r)
		}
		for m := range uses { // the methods of a type in use
			if strings.HasPrefix(m, n+".") {
				visit(m)
			}
		}
	}
	for n := range uses {
		for _, root := range []string{"Test", "Fuzz", "Benchmark", "Example"} {
			if strings.HasPrefix(n, root) && !strings.Contains(n, ".") {
				visit(n)
			}
		}
		if n == "init" || n == "_" {
			visit(n)
		}
	}
	for _, tf := range tests {
		for _, d := range tf.ast.Decls {
			names := declNames(d)
			if len(names) > 0 && !slices.ContainsFunc(names, func(n string) bool { return reached[n] }) {
				drop[names[0]] = true
			}
		}
	}
}

// dropDecls removes the named declarations from f, then the imports that
// nothing uses any more.
func dropDecls(fset *token.FileSet, f *ast.File, drop map[string]bool) {
	kept := f.Decls[:0]
	var gone []ast.Node // what the dropped declarations span, their docs included
	for _, d := range f.Decls {
		if dropped(d, drop) {
			gone = append(gone, d)
			if doc := docOf(d); doc != nil {
				gone = append(gone, doc)
			}
			continue
		}
		kept = append(kept, d)
	}
	f.Decls = kept
	// Their comments go with them, rather than stand over nothing.
	f.Comments = slices.DeleteFunc(f.Comments, func(c *ast.CommentGroup) bool {
		return slices.ContainsFunc(gone, func(n ast.Node) bool { return n.Pos() <= c.Pos() && c.End() <= n.End() })
	})
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

func dropped(d ast.Decl, drop map[string]bool) bool {
	names := declNames(d)
	return len(names) > 0 && drop[names[0]]
}

// droppedWhole reports whether every declaration of a conformance file is
// dropped: then the file is not emitted at all.
func droppedWhole(tf *templateFile, drop map[string]bool) bool {
	for _, d := range tf.ast.Decls {
		if gd, ok := d.(*ast.GenDecl); ok && gd.Tok == token.IMPORT {
			continue
		}
		if !dropped(d, drop) {
			return false
		}
	}
	return true
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
