package gen_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/tools/go/packages"

	"github.com/anyiogen/anyiogen/internal/gen"
)

// TestGeneratedVariantsTypeCheck writes narrowed, standalone and
// test-carrying variants into this module and type-checks them all with
// go/packages: every combination the CLI offers must compile.
func TestGeneratedVariantsTypeCheck(t *testing.T) {
	if testing.Short() {
		t.Skip("type-checks several packages")
	}
	g := defaultGenerator(t)
	variants := map[string]gen.Options{
		"stdonly":    {Backends: []string{"std"}},
		"standalone": {Standalone: true, Tests: true, Package: "vendored"},
		"withtests":  {Tests: true},
		"stdtests":   {Backends: []string{"std"}, Tests: true, Package: "stdtests"},
	}
	for _, p := range g.Spec.PrimitiveNames() {
		variants["only"+p] = gen.Options{Primitives: []string{p}, Tests: true}
		variants["stdonly"+p] = gen.Options{Primitives: []string{p}, Backends: []string{"std"}, Tests: true, Standalone: true}
	}
	if err := os.MkdirAll("testdata", 0o755); err != nil {
		t.Fatal(err)
	}
	root, err := os.MkdirTemp("testdata", "typecheck-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(root) })
	var patterns []string
	for name, opts := range variants {
		files, err := g.Generate(opts)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		dir := filepath.Join(root, name)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		for file, src := range files {
			if err := os.WriteFile(filepath.Join(dir, file), src, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		patterns = append(patterns, "./"+filepath.ToSlash(dir))
	}
	cfg := &packages.Config{Mode: packages.NeedName | packages.NeedTypes | packages.NeedSyntax | packages.NeedTypesInfo | packages.NeedImports, Tests: true}
	pkgs, err := packages.Load(cfg, patterns...)
	if err != nil {
		t.Fatal(err)
	}
	if len(pkgs) < len(variants) {
		t.Fatalf("loaded %d packages for %d variants", len(pkgs), len(variants))
	}
	packages.Visit(pkgs, nil, func(p *packages.Package) {
		for _, e := range p.Errors {
			t.Errorf("%s: %s", p.PkgPath, e)
		}
		if p.Name == "vendored" {
			for path := range p.Imports {
				if filepath.Dir(path) != "." && !isStd(path) {
					t.Errorf("standalone package imports %s", path)
				}
			}
		}
	})
}

func isStd(path string) bool {
	first, _, _ := strings.Cut(path, "/")
	return !strings.Contains(first, ".")
}
