package gen

import (
	"fmt"
	"go/ast"
	"go/token"
	"io/fs"
	"path"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/tools/go/ast/astutil"
)

// A backend may keep its code in sub-homes: folders of its template
// folder (templates/sim/trace), each a Go package of its own, named after
// the backend and the folder (simtrace), that compiles and is tested alone
// and that the backend's own files import. Generation inlines them into
// the one generated package, as -standalone inlines the runtime: a home's
// top-level name N becomes simtraceN (N's first letter upper-cased), in
// the home's files and at every simtrace.N of the files that import it.

// home is one sub-home of a backend.
type home struct {
	pkg   string          // its package name, and the prefix of its names
	decls map[string]bool // its top-level names
}

// loadBackend loads a backend's templates: its folder's files, then each
// sub-home's, marked with the home's name.
func loadBackend(sources fs.FS, backend string) ([]*templateFile, error) {
	dir := "templates/" + backend
	files, err := loadLayer(sources, dir, backend, false)
	if err != nil {
		return nil, err
	}
	entries, err := fs.ReadDir(sources, dir)
	if err != nil {
		return nil, err
	}
	for _, e := range entries {
		if !e.IsDir() || e.Name() == "testdata" {
			continue
		}
		sub, err := loadLayer(sources, path.Join(dir, e.Name()), backend, false)
		if err != nil {
			return nil, err
		}
		for _, tf := range sub {
			if want := backend + e.Name(); tf.ast.Name.Name != want {
				return nil, fmt.Errorf("%s: a sub-home of backend %s must be package %s, not %s", tf.path, backend, want, tf.ast.Name.Name)
			}
			tf.home = e.Name()
		}
		files = append(files, sub...)
	}
	return files, nil
}

// homesOf indexes the sub-homes among files by the end of their import
// path ("/templates/sim/trace"), with the top-level names of each.
func homesOf(files []*templateFile) map[string]*home {
	homes := map[string]*home{}
	for _, tf := range files {
		if tf.home == "" {
			continue
		}
		key := "/templates/" + tf.layer + "/" + tf.home
		h := homes[key]
		if h == nil {
			h = &home{pkg: tf.ast.Name.Name, decls: map[string]bool{}}
			homes[key] = h
		}
		for name := range topLevelNames([]*templateFile{tf}) {
			h.decls[name] = true
		}
	}
	return homes
}

// homeName is the name a home's top-level name takes in the merged package.
func (h *home) homeName(name string) string {
	r, size := utf8.DecodeRuneInString(name)
	return h.pkg + string(unicode.ToUpper(r)) + name[size:]
}

// inlineHomes rewrites a backend file for the merged package: a home's own
// names get the home's prefix, and the selectors into any home become the
// prefixed names, whose imports go.
func (rw *rewriter) inlineHomes(fset *token.FileSet, f *ast.File, tf *templateFile) {
	if tf.home != "" {
		h := rw.homes["/templates/"+tf.layer+"/"+tf.home]
		renameDocs(f, h)
		renameDecls(f, h.decls, h.homeName)
	}
	for _, imp := range append([]*ast.ImportSpec(nil), f.Imports...) {
		p, _ := strconv.Unquote(imp.Path.Value)
		var h *home
		for suffix, candidate := range rw.homes {
			if strings.HasSuffix(p, suffix) {
				h = candidate
			}
		}
		if h == nil {
			continue
		}
		local := h.pkg // a home's package name is not its folder's
		if imp.Name != nil {
			local = imp.Name.Name
		}
		astutil.Apply(f, func(c *astutil.Cursor) bool {
			if sel, ok := c.Node().(*ast.SelectorExpr); ok {
				if id, ok := sel.X.(*ast.Ident); ok && id.Name == local {
					c.Replace(identAt(sel.Pos(), h.homeName(sel.Sel.Name)))
				}
			}
			return true
		}, nil)
		astutil.DeleteNamedImport(fset, f, nameOf(imp), p)
	}
	dropEmptyImports(f)
}

// renameDocs makes a doc comment that starts with a home's name, as Go's
// do, start with the name the declaration takes in the merged package.
func renameDocs(f *ast.File, h *home) {
	for _, d := range f.Decls {
		names := declNames(d)
		doc := docOf(d)
		if len(names) != 1 || doc == nil || !h.decls[names[0]] {
			continue
		}
		c := doc.List[0]
		if rest, ok := strings.CutPrefix(c.Text, "// "+names[0]+" "); ok {
			c.Text = "// " + h.homeName(names[0]) + " " + rest
		}
	}
}
