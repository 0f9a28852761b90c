package gen_test

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/anyiogen/anyiogen/internal/gen"
	"github.com/anyiogen/anyiogen/internal/output"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// TestGolden pins the glue that jennifer writes and the file set of a few
// narrowed runs: testdata/golden/<case>.glue.golden holds anyio.go and
// <case>.files.golden the emitted names. The template files themselves are
// pinned by generated/, whose staleness test compares them.
func TestGolden(t *testing.T) {
	cases := map[string]gen.Options{
		"all":                  {},
		"std-failafter":        {Backends: []string{"std"}, Primitives: []string{"failafter"}, Package: "timeouts"},
		"standalone-std-tests": {Backends: []string{"std"}, Standalone: true, Tests: true, Package: "vend"},
	}
	g := defaultGenerator(t)
	for name, opts := range cases {
		t.Run(name, func(t *testing.T) {
			plan, err := g.Plan(opts)
			if err != nil {
				t.Fatal(err)
			}
			compareGolden(t, name+".glue.golden", plan.Glue)
			compareGolden(t, name+".files.golden", []byte(strings.Join(plan.Files, "\n")+"\n"))
		})
	}
}

func compareGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("..", "..", "testdata", "golden", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./internal/gen -run TestGolden -update)", err)
	}
	if string(got) != string(want) {
		t.Errorf("%s is stale (go test ./internal/gen -run TestGolden -update):\n%s", path, output.Unified(path, want, got))
	}
}
