package gen_test

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/anyiogen/anyiogen"
	"github.com/anyiogen/anyiogen/internal/gen"
	"github.com/anyiogen/anyiogen/internal/spec"
)

func defaultGenerator(t *testing.T) *gen.Generator {
	t.Helper()
	data, err := anyiogen.Sources.ReadFile(anyiogen.DefaultSpec)
	if err != nil {
		t.Fatal(err)
	}
	s, err := spec.Parse(anyiogen.DefaultSpec, data)
	if err != nil {
		t.Fatal(err)
	}
	return &gen.Generator{Spec: s, Sources: anyiogen.Sources, APIPath: "github.com/anyiogen/anyiogen/generated/anyio"}
}

func TestGenerateIsDeterministic(t *testing.T) {
	g := defaultGenerator(t)
	opts := gen.Options{Tests: true, Standalone: true}
	first, err := g.Generate(opts)
	if err != nil {
		t.Fatal(err)
	}
	second, err := g.Generate(opts)
	if err != nil {
		t.Fatal(err)
	}
	if len(first) != len(second) {
		t.Fatalf("two runs gave %d and %d files", len(first), len(second))
	}
	wd, _ := os.Getwd()
	for name, src := range first {
		if !bytes.Equal(src, second[name]) {
			t.Errorf("%s differs between two runs with the same inputs", name)
		}
		if !gen.IsGenerated(src) {
			t.Errorf("%s does not start with %q", name, gen.Header)
		}
		if bytes.Contains(src, []byte(wd)) || bytes.Contains(src, []byte(os.Args[0])) {
			t.Errorf("%s holds a path of this machine", name)
		}
	}
}

// TestGenerateSelectsWhatIsNeeded checks the file sets: a primitive brings
// what it needs, and the adapters of left-out primitives stay out.
func TestGenerateSelectsWhatIsNeeded(t *testing.T) {
	g := defaultGenerator(t)
	tests := []struct {
		opts       gen.Options
		want, none []string
	}{
		{gen.Options{Primitives: []string{"failafter"}}, []string{"anyio.go", "anyio_scope.go", "anyio_failafter.go", "anyio_std_backend.go"}, []string{"anyio_taskgroup.go", "anyio_std_connecttcp.go", "anyio_memorystream.go"}},
		{gen.Options{Primitives: []string{"connecttcp"}}, []string{"anyio_connecttcp.go", "anyio_taskgroup.go", "anyio_memorystream.go", "anyio_moveonafter.go", "anyio_std_connecttcp.go"}, []string{"anyio_failafter.go"}},
		{gen.Options{Backends: []string{"std"}}, []string{"anyio_std_backend.go"}, []string{"anyio_sim_backend.go"}},
		{gen.Options{Standalone: true}, []string{"anyio_runtime_backend.go"}, nil},
		{gen.Options{Tests: true}, []string{"anyio_conformance_taskgroup_test.go"}, []string{"anyio_conformance_repo_main_test.go"}},
	}
	for _, tt := range tests {
		files, err := g.Generate(tt.opts)
		if err != nil {
			t.Fatalf("Generate(%+v): %v", tt.opts, err)
		}
		for _, name := range tt.want {
			if files[name] == nil {
				t.Errorf("Generate(%+v) lacks %s", tt.opts, name)
			}
		}
		for _, name := range tt.none {
			if files[name] != nil {
				t.Errorf("Generate(%+v) emits %s, which it does not need", tt.opts, name)
			}
		}
	}
}

func TestStandaloneImportsOnlyTheStandardLibrary(t *testing.T) {
	files, err := defaultGenerator(t).Generate(gen.Options{Standalone: true})
	if err != nil {
		t.Fatal(err)
	}
	quoted := regexp.MustCompile(`"([a-z0-9./_-]+)"`)
	for name, src := range files {
		_, imports, _ := bytes.Cut(src, []byte("\nimport"))
		block, _, _ := bytes.Cut(imports, []byte("\n)\n"))
		for _, m := range quoted.FindAllSubmatch(block, -1) {
			if path := string(m[1]); strings.Contains(strings.SplitN(path, "/", 2)[0], ".") {
				t.Errorf("%s imports %s; a standalone package imports only the standard library", name, path)
			}
		}
	}
}

func TestBadOptionsNameTheFlagAndTheChoices(t *testing.T) {
	g := defaultGenerator(t)
	tests := []struct {
		opts gen.Options
		want string
	}{
		{gen.Options{Primitives: []string{"taskgrp"}}, `-primitives: unknown primitive "taskgrp" (valid: taskgroup, failafter, moveonafter, memorystream, connecttcp, event, lock, semaphore, capacitylimiter, condition, tothread, bufferedstream, udp)`},
		{gen.Options{Backends: []string{"trio"}}, `-backends: unknown backend "trio" (valid: std, sim)`},
		{gen.Options{Backends: []string{"sim"}}, `-backends: must include std`},
		{gen.Options{Package: "func"}, `-pkg: not a Go package name: "func"`},
	}
	for _, tt := range tests {
		_, err := g.Generate(tt.opts)
		var oe *gen.OptionError
		if !errors.As(err, &oe) || !strings.HasPrefix(err.Error(), tt.want) {
			t.Errorf("Generate(%+v): got %v, want an OptionError starting %q", tt.opts, err, tt.want)
		}
	}
}

// TestBadSpecs runs the fixtures in testdata/specs: each starts with a
// "# want:" line giving the start of the error it must produce.
func TestBadSpecs(t *testing.T) {
	paths, _ := filepath.Glob("../../testdata/specs/*.yaml")
	if len(paths) == 0 {
		t.Fatal("no fixtures in testdata/specs")
	}
	for _, path := range paths {
		t.Run(filepath.Base(path), func(t *testing.T) {
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			first, _, _ := strings.Cut(string(data), "\n")
			want, ok := strings.CutPrefix(first, "# want: ")
			if !ok {
				t.Fatalf("%s: first line must be # want: <error>", path)
			}
			s, err := spec.Parse(filepath.Base(path), data)
			if err == nil {
				g := &gen.Generator{Spec: s, Sources: anyiogen.Sources}
				_, err = g.Generate(gen.Options{})
			}
			if err == nil || !strings.HasPrefix(err.Error(), want) {
				t.Errorf("got error %v\nwant one starting %q", err, want)
			}
		})
	}
}

// TestTemplateCheckNamesBackendPrimitiveAndSymbol breaks the std backend's
// network adapter and expects the generator to say exactly what is wrong.
func TestTemplateCheckNamesBackendPrimitiveAndSymbol(t *testing.T) {
	tests := []struct {
		name, edit, want string
	}{
		{"missing method", "func (b stdBackend) DialTCP(", "func (b stdBackend) dialTCP("},
		{"wrong signature", "func (b stdBackend) ListenTCP(ctx context.Context, host string, port int)", "func (b stdBackend) ListenTCP(ctx context.Context, host string, port uint16)"},
	}
	wants := []string{
		"backend std: primitive connecttcp: stdBackend has no method DialTCP",
		"backend std: primitive connecttcp: method stdBackend.ListenTCP is func(context.Context, string, uint16)",
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			broken := copySources(t)
			src := string(broken["templates/std/connecttcp.go"].Data)
			if !strings.Contains(src, tt.edit) {
				t.Fatalf("templates/std/connecttcp.go no longer contains %q", tt.edit)
			}
			broken["templates/std/connecttcp.go"].Data = []byte(strings.Replace(src, tt.edit, tt.want, 1))
			g := defaultGenerator(t)
			g.Sources = broken
			_, err := g.Generate(gen.Options{Backends: []string{"std"}})
			if err == nil || !strings.Contains(err.Error(), wants[i]) {
				t.Errorf("got %v\nwant an error containing %q", err, wants[i])
			}
			if _, err := g.Generate(gen.Options{Backends: []string{"std"}, Primitives: []string{"taskgroup"}}); err != nil {
				t.Errorf("without connecttcp the network adapter is not needed, yet: %v", err)
			}
		})
	}
}

func copySources(t *testing.T) fstest.MapFS {
	out := fstest.MapFS{}
	err := fs.WalkDir(anyiogen.Sources, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := fs.ReadFile(anyiogen.Sources, path)
		out[path] = &fstest.MapFile{Data: data}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// The simulator's limits reach go doc of every copy on Run and on
// BackendSim, also one whose package documents itself (no package doc is
// emitted there), and a -backends std copy gets no word of BackendSim.
func TestSimulatorLimitsAreDocumentedWithoutPackageDoc(t *testing.T) {
	g := defaultGenerator(t)
	files, err := g.Generate(gen.Options{Package: "conc", NoPackageDoc: true})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(files["anyio.go"]), "// Package conc") {
		t.Errorf("NoPackageDoc: anyio.go still documents the package")
	}
	for file, phrase := range map[string]string{
		"anyio_run.go": "Only what goes through this package is simulated",
		"anyio.go":     "Only waits through\n\t// this package are simulated",
	} {
		if !strings.Contains(string(files[file]), phrase) {
			t.Errorf("%s does not say %q", file, phrase)
		}
	}
	std, err := g.Generate(gen.Options{Package: "conc", NoPackageDoc: true, Backends: []string{"std"}})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(std["anyio.go"]), "BackendSim") {
		t.Errorf("a -backends std copy mentions BackendSim")
	}
}
