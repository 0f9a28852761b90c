package cli

import (
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// A module whose go.sum lacks the helper's one outside dependency is told
// to run go mod tidy, naming the go.sum and the module; one that has it,
// in its go.sum or a workspace's go.work.sum, is told nothing.
func TestHelperSumNoteAsksForGoModTidyOnlyWhenTheSumIsMissing(t *testing.T) {
	entry := helperDependency + " v0.0.0-20240101000000-000000000000 h1:x=\n"
	for _, tc := range []struct {
		name     string
		files    map[string]string
		wantNote bool
	}{
		{"no go.sum", map[string]string{"m/go.mod": "module example.com/m\n"}, true},
		{"go.sum without it", map[string]string{"m/go.mod": "module example.com/m\n", "m/go.sum": "golang.org/x/net v0.1.0 h1:y=\n"}, true},
		{"go.sum with it", map[string]string{"m/go.mod": "module example.com/m\n", "m/go.sum": entry}, false},
		{"a workspace's go.work.sum with it", map[string]string{"go.work": "go 1.26\nuse ./m\n", "go.work.sum": entry, "m/go.mod": "module example.com/m\n"}, false},
		{"a parent module's go.sum does not count", map[string]string{"go.mod": "module example.com/top\n", "go.sum": entry, "m/go.mod": "module example.com/m\n"}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			top := t.TempDir()
			for name, body := range tc.files {
				path := filepath.Join(top, name)
				if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			dir := filepath.Join(top, "m", "conc")
			note := helperSumNote(dir, filepath.Join(dir, "conctest"))
			if !tc.wantNote {
				if note != "" {
					t.Errorf("note = %q, want none", note)
				}
				return
			}
			for _, want := range []string{helperDependency, filepath.Join(top, "m", "go.sum"), "go mod tidy", "conctest"} {
				if !strings.Contains(note, want) {
					t.Errorf("note = %q, want it to name %q", note, want)
				}
			}
		})
	}
	if note := helperSumNote(filepath.Join(t.TempDir(), "nomodule"), "x"); note != "" {
		t.Errorf("outside any module: note = %q, want none (importPathOf reports that)", note)
	}
}

// helperDependency is what the check package, which a non-standalone
// helper imports, imports from outside the standard library and anyiogen.
func TestHelperDependencyIsWhatTheCheckPackageImports(t *testing.T) {
	files, err := filepath.Glob("../../check/*.go")
	if err != nil || len(files) == 0 {
		t.Fatalf("check's files: %v, %v", files, err)
	}
	outside := map[string]bool{}
	for _, file := range files {
		if strings.HasSuffix(file, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(token.NewFileSet(), file, nil, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range f.Imports {
			path, _ := strconv.Unquote(imp.Path.Value)
			if strings.Contains(strings.Split(path, "/")[0], ".") && !strings.HasPrefix(path, "github.com/anyiogen/anyiogen/") {
				outside[path] = true
			}
		}
	}
	if len(outside) != 1 || !outside[helperDependency] {
		t.Errorf("check imports %v from outside the standard library and anyiogen, want only %s", outside, helperDependency)
	}
}
