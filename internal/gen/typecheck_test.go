package gen_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/anyiogen/anyiogen/internal/gen"
)

// TestGeneratedVariantsTypeCheck writes narrowed, standalone and
// test-carrying variants into this module and type-checks them all, tests
// included: every combination the CLI offers must compile. Each primitive
// alone is checked with its conformance tests on both backends, and alone
// on std, standalone; the suite's pruning does not depend on the backends
// (it never names sim-only API), so the second needs no tests of its own
// beyond the full std copy's.
//
// The check is go vet with one cheap analyzer (atomic): vet type-checks each
// package and its tests in a binary of its own, in parallel, about eight
// times faster than go/packages in this test's process, and far more so
// under the race detector, which slows the in-process type checker tenfold.
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
		variants["stdonly"+p] = gen.Options{Primitives: []string{p}, Backends: []string{"std"}, Standalone: true}
	}
	if err := os.MkdirAll("testdata", 0o755); err != nil {
		t.Fatal(err)
	}
	root, err := os.MkdirTemp("testdata", "typecheck-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(root) })
	var dirs []string
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
		dirs = append(dirs, "./"+filepath.ToSlash(dir))
	}
	slices.Sort(dirs)
	out, err := exec.Command("go", append([]string{"vet", "-atomic"}, dirs...)...).CombinedOutput()
	if err != nil {
		t.Errorf("go vet of the variants: %v\n%s", err, out)
	}
	// The standalone copy imports only the standard library.
	out, err = exec.Command("go", "list", "-f", `{{join .Imports "\n"}}`, "./"+filepath.ToSlash(filepath.Join(root, "standalone"))).Output()
	if err != nil {
		t.Fatalf("go list of the standalone copy: %v", err)
	}
	for path := range strings.Lines(string(out)) {
		if path = strings.TrimSpace(path); path != "" && !isStd(path) {
			t.Errorf("the standalone package imports %s", path)
		}
	}
}

func isStd(path string) bool {
	first, _, _ := strings.Cut(path, "/")
	return !strings.Contains(first, ".")
}
