package spec

import (
	"go/token"
	"slices"
	"strings"
)

// Contracts are the runtime interfaces a primitive may need a backend to
// implement.
var Contracts = []string{"Backend", "Network", "UDPNetwork", "FileSystem", "Signals", "UnixNetwork", "Processes"}

// check validates what the YAML reader cannot: names, references, and
// declarations that match their names.
func (s *Spec) check() error {
	if !token.IsIdentifier(s.Package) {
		return s.Errorf(s.pkgPos, "package %q is not a Go identifier", s.Package)
	}
	seen := map[string]bool{} // declared names, and "backend NAME"
	if err := s.checkBackends(seen); err != nil {
		return err
	}
	for _, e := range s.Sentinels {
		if !token.IsExported(e.Name) {
			return s.Errorf(e.Pos, "sentinel %q must be exported", e.Name)
		}
	}
	return s.checkPrimitives(seen)
}

// checkBackends checks the backends' names, consts and declarations, and
// that exactly one is the default.
func (s *Spec) checkBackends(seen map[string]bool) error {
	defaults := 0
	for _, b := range s.Backends {
		switch {
		case !isLowerWord(b.Name):
			return s.Errorf(b.Pos, "backend name %q must be a lower-case word", b.Name)
		case seen["backend "+b.Name]:
			return s.Errorf(b.Pos, "backend %q declared twice", b.Name)
		case !token.IsExported(b.Const) || !token.IsIdentifier(b.Constructor):
			return s.Errorf(b.Pos, "backend %q: const must be exported and constructor an identifier", b.Name)
		}
		seen["backend "+b.Name] = true
		if b.Default {
			defaults++
		}
		if err := s.checkDecls(b.Declares, seen); err != nil {
			return err
		}
	}
	if defaults != 1 {
		return s.Errorf(Pos{1, 1}, "exactly one backend must be the default, found %d", defaults)
	}
	return nil
}

// checkPrimitives checks the primitives' names, what they need, their
// files and their declarations.
func (s *Spec) checkPrimitives(seen map[string]bool) error {
	for i, p := range s.Primitives {
		if !isLowerWord(p.Name) {
			return s.Errorf(p.Pos, "primitive name %q must be a lower-case word", p.Name)
		}
		if slices.ContainsFunc(s.Primitives[:i], func(q Primitive) bool { return q.Name == p.Name }) {
			return s.Errorf(p.Pos, "primitive %q declared twice", p.Name)
		}
	}
	for _, p := range s.Primitives {
		for _, n := range p.Needs {
			if _, ok := s.Primitive(n.Value); !ok {
				return s.Errorf(n.Pos, "unknown primitive %q (valid: %s)", n.Value, strings.Join(s.PrimitiveNames(), ", "))
			}
		}
		for _, c := range p.Contracts {
			if !slices.Contains(Contracts, c.Value) {
				return s.Errorf(c.Pos, "unknown contract %q (valid: %s)", c.Value, strings.Join(Contracts, ", "))
			}
		}
		for _, f := range p.Files {
			if !strings.HasSuffix(f.Value, ".go") || strings.Contains(f.Value, "/") || strings.HasSuffix(f.Value, "_test.go") {
				return s.Errorf(f.Pos, "file %q must be a .go file name in templates/core, not a test", f.Value)
			}
		}
		if err := s.checkDecls(p.Declares, seen); err != nil {
			return err
		}
	}
	return nil
}

func (s *Spec) checkDecls(decls []Decl, seen map[string]bool) error {
	for _, d := range decls {
		shape, err := ParseDecl(d.Decl)
		if err != nil {
			return s.Errorf(d.Pos, "declaration of %s is not Go: %v", d.Name, err)
		}
		if shape.Name != d.Name {
			return s.Errorf(d.Pos, "declaration %q declares %s, not %s", d.Decl, shape.Name, d.Name)
		}
		if seen["decl "+d.Name] {
			return s.Errorf(d.Pos, "%s declared twice", d.Name)
		}
		seen["decl "+d.Name] = true
	}
	return nil
}

func isLowerWord(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if r < 'a' || r > 'z' {
			return false
		}
	}
	return true
}
