package gen

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path"
	"slices"
	"strings"

	"github.com/anyiogen/anyiogen/internal/spec"
)

// Layers of the template tree, besides one directory per backend.
const (
	coreLayer        = "core"
	conformanceLayer = "conformance"
)

// templateFile is one parsed template.
type templateFile struct {
	layer string // "core", a backend name, "conformance" or "runtime"
	home  string // a backend's sub-home the file lives in ("trace"), or ""
	name  string // base name
	path  string // path in the sources, for messages
	src   []byte
	fset  *token.FileSet
	ast   *ast.File // nil for assembly
}

// isAssembly reports whether the file is Go assembly (the runtime's), which
// is copied rather than parsed.
func (tf *templateFile) isAssembly() bool { return strings.HasSuffix(tf.name, ".s") }

// loadAssembly reads the Go assembly files (.s) of one directory of the
// sources, sorted by name: the runtime's, which a standalone copy carries
// beside its Go files.
func loadAssembly(sources fs.FS, dir, layer string) ([]*templateFile, error) {
	return readLayer(sources, dir, layer, func(name string) bool { return strings.HasSuffix(name, ".s") })
}

// loadLayer parses every .go file of one directory of the sources, sorted
// by name. Tests are included only when tests is true.
func loadLayer(sources fs.FS, dir, layer string, tests bool) ([]*templateFile, error) {
	out, err := readLayer(sources, dir, layer, func(name string) bool {
		return strings.HasSuffix(name, ".go") && strings.HasSuffix(name, "_test.go") == tests
	})
	if err != nil {
		return nil, err
	}
	for _, tf := range out {
		tf.fset = token.NewFileSet()
		if tf.ast, err = parser.ParseFile(tf.fset, tf.path, tf.src, parser.ParseComments|parser.SkipObjectResolution); err != nil {
			return nil, fmt.Errorf("template %s: %w", tf.path, err)
		}
	}
	return out, nil
}

// readLayer reads the files of one directory of the sources whose names
// keep accepts, sorted by name.
func readLayer(sources fs.FS, dir, layer string, keep func(name string) bool) ([]*templateFile, error) {
	entries, err := fs.ReadDir(sources, dir)
	if err != nil {
		return nil, fmt.Errorf("templates for %s: %w", layer, err)
	}
	var out []*templateFile
	for _, e := range entries {
		if e.IsDir() || !keep(e.Name()) {
			continue
		}
		p := path.Join(dir, e.Name())
		src, err := fs.ReadFile(sources, p)
		if err != nil {
			return nil, err
		}
		out = append(out, &templateFile{layer: layer, name: e.Name(), path: p, src: src})
	}
	slices.SortFunc(out, func(a, b *templateFile) int { return strings.Compare(a.name, b.name) })
	return out, nil
}

// belongsTo reports whether a backend template file is the adapter of
// primitive p: it is named p.go or p_*.go.
func belongsTo(file, primitive string) bool {
	base := strings.TrimSuffix(file, ".go")
	return base == primitive || strings.HasPrefix(base, primitive+"_")
}

// topDecls indexes the top-level declarations of files by name ("F", "T",
// "T.M").
func topDecls(files []*templateFile) map[string]declAt {
	out := map[string]declAt{}
	for _, f := range files {
		for _, d := range f.ast.Decls {
			for _, name := range declNames(d) {
				out[name] = declAt{file: f, decl: d}
			}
		}
	}
	return out
}

type declAt struct {
	file *templateFile
	decl ast.Decl
}

// declNames lists the names a top-level declaration declares.
func declNames(d ast.Decl) []string {
	switch d := d.(type) {
	case *ast.FuncDecl:
		if d.Recv != nil && len(d.Recv.List) == 1 {
			return []string{spec.ReceiverBase(d.Recv.List[0].Type) + "." + d.Name.Name}
		}
		return []string{d.Name.Name}
	case *ast.GenDecl:
		var names []string
		for _, s := range d.Specs {
			switch s := s.(type) {
			case *ast.TypeSpec:
				names = append(names, s.Name.Name)
			case *ast.ValueSpec:
				for _, n := range s.Names {
					names = append(names, n.Name)
				}
			}
		}
		return names
	}
	return nil
}
