package cli

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
)

// checkCollisions refuses to write a package whose generated declarations
// clash with the user's own files in dir: the result would not compile, and
// the compiler's message would not say why. Only syntax is read.
func checkCollisions(dir, pkg string, files map[string][]byte, users []userFile) error {
	generated := map[string]string{} // name → file declaring it
	for name, src := range files {
		if filepath.Ext(name) != ".go" {
			continue // assembly declares what a Go file of the copy declares
		}
		f, err := parser.ParseFile(token.NewFileSet(), name, src, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		for _, n := range topLevelNames(f) {
			generated[n] = name
		}
	}
	for _, u := range users {
		if u.ast == nil || u.pkg != pkg {
			continue // a broken or external-test file cannot be checked, and need not be
		}
		for _, d := range u.ast.Decls {
			for _, id := range declIdents(d) {
				if by, clash := generated[id.Name]; clash {
					return fmt.Errorf("%s: %s is also declared by the generated %s; rename it, or generate into a package of its own with -o",
						u.fset.Position(id.Pos()), id.Name, filepath.Join(dir, by))
				}
			}
		}
	}
	return nil
}

func topLevelNames(f *ast.File) []string {
	var out []string
	for _, d := range f.Decls {
		for _, id := range declIdents(d) {
			out = append(out, id.Name)
		}
	}
	return out
}

// declIdents lists the package-level names a declaration introduces;
// methods are scoped to their type and so never clash this way.
func declIdents(d ast.Decl) []*ast.Ident {
	var out []*ast.Ident
	switch d := d.(type) {
	case *ast.FuncDecl:
		if d.Recv == nil && d.Name.Name != "init" && d.Name.Name != "_" {
			out = append(out, d.Name)
		}
	case *ast.GenDecl:
		for _, s := range d.Specs {
			switch s := s.(type) {
			case *ast.TypeSpec:
				out = append(out, s.Name)
			case *ast.ValueSpec:
				for _, n := range s.Names {
					if n.Name != "_" {
						out = append(out, n)
					}
				}
			}
		}
	}
	return out
}
