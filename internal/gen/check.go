package gen

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"slices"
	"strings"

	"github.com/anyiogen/anyiogen/internal/spec"
)

// checkDecls checks that the templates declare every declaration the spec
// lists, with the spec's shape.
func checkDecls(s *spec.Spec, where string, decls []spec.Decl, index map[string]declAt, aliases []string) error {
	for _, d := range decls {
		want, _ := spec.ParseDecl(d.Decl) // parsed when the spec was loaded
		at, ok := index[d.Name]
		if !ok {
			return s.Errorf(d.Pos, "%s: %s is in the spec but no template declares it", where, d.Name)
		}
		got, err := spec.ShapeOf(at.decl)
		if err != nil {
			return fmt.Errorf("%s: %s: %s: %w", at.file.path, where, d.Name, err)
		}
		// Backend templates name the facade's aliases of runtime types
		// through the runtime; the merge rewrites them (see rewrite.go).
		for _, a := range aliases {
			got.Text = strings.ReplaceAll(got.Text, s.Runtime.Name+"."+a, a)
		}
		if got.Text != want.Text {
			return s.Errorf(d.Pos, "%s: %s: %s declares\n\t%s\nbut the spec says\n\t%s", where, d.Name, at.file.path, got.Text, want.Text)
		}
	}
	return nil
}

// contractMethods reads the runtime's interfaces: for each, its methods
// (embedded interfaces expanded) as name → signature, with the runtime's own
// types qualified as the templates write them.
func contractMethods(sources fs.FS, rt spec.Runtime) (map[string]map[string]string, error) {
	src, err := fs.ReadFile(sources, "runtime/backend.go")
	if err != nil {
		return nil, err
	}
	f, err := parser.ParseFile(token.NewFileSet(), "runtime/backend.go", src, parser.SkipObjectResolution)
	if err != nil {
		return nil, err
	}
	ifaces := map[string]*ast.InterfaceType{}
	local := map[string]bool{}
	ast.Inspect(f, func(n ast.Node) bool {
		if ts, ok := n.(*ast.TypeSpec); ok {
			local[ts.Name.Name] = true
			if it, ok := ts.Type.(*ast.InterfaceType); ok {
				ifaces[ts.Name.Name] = it
			}
		}
		return true
	})
	var methods func(name string, into map[string]string)
	methods = func(name string, into map[string]string) {
		for _, m := range ifaces[name].Methods.List {
			switch t := m.Type.(type) {
			case *ast.FuncType:
				into[m.Names[0].Name] = spec.FuncTypeText(qualify(t, rt.Name, local).(*ast.FuncType))
			case *ast.Ident:
				methods(t.Name, into)
			}
		}
	}
	out := map[string]map[string]string{}
	for name := range ifaces {
		out[name] = map[string]string{}
		methods(name, out[name])
	}
	return out, nil
}

// qualify rewrites the runtime's own type names in e as pkg.Name.
func qualify(e ast.Node, pkg string, local map[string]bool) ast.Node {
	var rewrite func(ast.Expr) ast.Expr
	rewrite = func(x ast.Expr) ast.Expr {
		switch t := x.(type) {
		case *ast.Ident:
			if local[t.Name] {
				return &ast.SelectorExpr{X: ast.NewIdent(pkg), Sel: ast.NewIdent(t.Name)}
			}
		case *ast.StarExpr:
			return &ast.StarExpr{X: rewrite(t.X)}
		case *ast.ArrayType:
			return &ast.ArrayType{Len: t.Len, Elt: rewrite(t.Elt)}
		case *ast.FuncType:
			return &ast.FuncType{Params: rewriteFields(t.Params, rewrite), Results: rewriteFields(t.Results, rewrite)}
		}
		return x
	}
	return rewrite(e.(ast.Expr))
}

func rewriteFields(fl *ast.FieldList, rewrite func(ast.Expr) ast.Expr) *ast.FieldList {
	if fl == nil {
		return nil
	}
	out := &ast.FieldList{}
	for _, f := range fl.List {
		out.List = append(out.List, &ast.Field{Names: f.Names, Type: rewrite(f.Type)})
	}
	return out
}

// checkContracts checks that backend b's type implements every runtime
// interface that a selected primitive needs, naming the primitive, the
// method and both signatures when it does not.
func checkContracts(s *spec.Spec, b *spec.Backend, sel *selection, files []*templateFile, contracts map[string]map[string]string) error {
	typeName := b.Name + "Backend"
	methods := map[string]string{}
	found := false
	for _, f := range files {
		for _, d := range f.ast.Decls {
			switch d := d.(type) {
			case *ast.GenDecl:
				for _, sp := range d.Specs {
					if ts, ok := sp.(*ast.TypeSpec); ok && ts.Name.Name == typeName {
						found = true
					}
				}
			case *ast.FuncDecl:
				if d.Recv != nil && spec.ReceiverBase(d.Recv.List[0].Type) == typeName {
					methods[d.Name.Name] = spec.FuncTypeText(d.Type)
				}
			}
		}
	}
	if !found {
		return s.Errorf(b.Pos, "backend %s: its templates (templates/%s) declare no type %s", b.Name, b.Name, typeName)
	}
	for _, p := range sel.primitives {
		for _, c := range p.Contracts {
			want := contracts[c.Value]
			names := make([]string, 0, len(want))
			for m := range want {
				names = append(names, m)
			}
			slices.Sort(names)
			for _, m := range names {
				got, ok := methods[m]
				switch {
				case !ok:
					return s.Errorf(c.Pos, "backend %s: primitive %s: %s has no method %s (needed for %s.%s: %s)", b.Name, p.Name, typeName, m, s.Runtime.Name, c.Value, want[m])
				case got != want[m]:
					return s.Errorf(c.Pos, "backend %s: primitive %s: method %s.%s is %s, but %s.%s needs %s", b.Name, p.Name, typeName, m, got, s.Runtime.Name, c.Value, want[m])
				}
			}
		}
	}
	return nil
}

// checkClaimed checks that every core template file is listed by a
// primitive of the spec, so that none is silently left out.
func checkClaimed(s *spec.Spec, core []*templateFile) error {
	var listed []string
	for _, p := range s.Primitives {
		for _, f := range p.Files {
			listed = append(listed, f.Value)
		}
	}
	for _, p := range s.Primitives {
		for _, f := range p.Files {
			if !slices.ContainsFunc(core, func(t *templateFile) bool { return t.name == f.Value }) {
				return s.Errorf(f.Pos, "primitive %s: no template file templates/core/%s", p.Name, f.Value)
			}
		}
	}
	for _, t := range core {
		if !slices.Contains(listed, t.name) && !strings.HasSuffix(t.name, "_stub.go") {
			return fmt.Errorf("%s: no primitive of the spec lists this template file", t.path)
		}
	}
	return nil
}

// stubFiles are the files that stand in for the glue in a template
// directory.
func stubFiles(files []*templateFile) []*templateFile {
	var out []*templateFile
	for _, f := range files {
		if strings.HasSuffix(f.name, "_stub.go") {
			out = append(out, f)
		}
	}
	return out
}

// checkGlue checks that the glue the spec describes is what the templates
// were written against: each backend's constructor exists, each sentinel is
// the runtime's, and every name a stub stands in for is one the glue will
// declare. A spec that passes its own checks could otherwise generate a
// package that does not compile.
func checkGlue(s *spec.Spec, sel *selection, stubs []*templateFile, backendFiles map[string][]*templateFile, runtimeNames map[string]bool) error {
	glue := map[string]bool{"backendRegistry": true, "defaultBackend": true}
	for _, b := range sel.backends {
		glue[b.Const] = true
		if _, ok := topDecls(backendFiles[b.Name])[b.Constructor]; !ok {
			return s.Errorf(b.Pos, "backend %s: constructor %s is not declared in templates/%s", b.Name, b.Constructor, b.Name)
		}
	}
	for _, e := range s.Sentinels {
		glue[e.Name] = true
		if !runtimeNames[e.Name] {
			return s.Errorf(e.Pos, "sentinel %s is not declared by the shared runtime (%s)", e.Name, s.Runtime.Import)
		}
	}
	for _, stub := range stubs {
		layer := stub.layer
		if layer != coreLayer && !slices.ContainsFunc(sel.backends, func(b *spec.Backend) bool { return b.Name == layer }) {
			continue
		}
		for _, d := range stub.ast.Decls {
			for _, name := range declNames(d) {
				if name != "_" && !glue[name] {
					return fmt.Errorf("%s: the templates use %s, which the spec's glue does not declare (its backends' const, or its sentinels)", stub.path, name)
				}
			}
		}
	}
	return nil
}
