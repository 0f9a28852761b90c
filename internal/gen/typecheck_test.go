package gen_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/anyiogen/anyiogen/internal/scripttest"
)

// TestGeneratedVariantsTypeCheck writes narrowed, standalone and
// test-carrying variants into this module with the anyiogen command and
// type-checks them all, tests included: every combination the CLI offers
// must compile. Each primitive alone is checked with its conformance tests
// on both backends, and alone on std, standalone; the suite's pruning does
// not depend on the backends (it never names sim-only API), so the second
// needs no tests of its own beyond the full std copy's.
//
// Both steps run outside this test's process, built as users build them:
// the command, and go vet with one cheap analyzer (atomic), which
// type-checks each package and its tests in parallel. In this process,
// under the race detector, generation and go/packages' type checker ran
// ten times slower.
func TestGeneratedVariantsTypeCheck(t *testing.T) {
	if testing.Short() {
		t.Skip("type-checks several packages")
	}
	t.Parallel() // its work is in subprocesses, beside the in-process tests
	variants := map[string][]string{
		"stdonly":    {"-backends", "std"},
		"standalone": {"-standalone", "-tests", "-pkg", "vendored"},
		"withtests":  {"-tests"},
		"stdtests":   {"-backends", "std", "-tests", "-pkg", "stdtests"},
	}
	for _, p := range defaultGenerator(t).Spec.PrimitiveNames() {
		variants["only"+p] = []string{"-primitives", p, "-tests"}
		variants["stdonly"+p] = []string{"-primitives", p, "-backends", "std", "-standalone"}
	}
	repo, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	anyiogen := filepath.Join(scripttest.Build(t, repo, "anyiogen"), "anyiogen")
	if err := os.MkdirAll("testdata", 0o755); err != nil {
		t.Fatal(err)
	}
	// One directory, always the same, and -trimpath: the variants' import
	// paths and their build cache keys are the same from run to run and
	// from checkout to checkout, so go vet redoes only what changed.
	root := filepath.Join("testdata", "typecheck")
	if err := os.RemoveAll(root); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(root) })
	var dirs []string
	for name, flags := range variants {
		dir := filepath.Join(root, name)
		if !slices.Contains(flags, "-pkg") {
			flags = append(flags, "-pkg", name)
		}
		if out, err := exec.Command(anyiogen, append([]string{"-o", dir}, flags...)...).CombinedOutput(); err != nil {
			t.Fatalf("anyiogen %s: %v\n%s", strings.Join(flags, " "), err, out)
		}
		dirs = append(dirs, "./"+filepath.ToSlash(dir))
	}
	slices.Sort(dirs)
	out, err := exec.Command("go", append([]string{"vet", "-trimpath", "-atomic"}, dirs...)...).CombinedOutput()
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
