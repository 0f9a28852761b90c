package gen_test

import (
	"bytes"
	"errors"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/anyiogen/anyiogen"
	"github.com/anyiogen/anyiogen/internal/gen"
	"github.com/anyiogen/anyiogen/internal/output"
	"github.com/anyiogen/anyiogen/internal/scripttest"
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

// Two runs with the same inputs write the same bytes, as gofmt writes
// them, with the generated-code header and no path of this machine; and
// Plan says what Generate writes. The runs go through the built anyiogen,
// outside the race-built test binary, where generating and formatting a
// whole copy twice costs five times as much.
func TestGenerateIsDeterministic(t *testing.T) {
	t.Parallel() // its runs are subprocesses, beside the in-process tests
	repo, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	anyiogenBin := filepath.Join(scripttest.Build(t, repo, "anyiogen"), "anyiogen")
	generate := func() (dir string, files map[string][]byte) {
		dir = t.TempDir()
		if out, err := exec.Command(anyiogenBin, "-tests", "-standalone", "-o", dir, "-pkg", "anyio").CombinedOutput(); err != nil {
			t.Fatalf("anyiogen: %v\n%s", err, out)
		}
		files = map[string][]byte{}
		names, err := filepath.Glob(filepath.Join(dir, "*.go"))
		if err != nil {
			t.Fatal(err)
		}
		asm, err := filepath.Glob(filepath.Join(dir, "*.s")) // the runtime's, in a standalone copy
		names = append(names, asm...)
		if err != nil {
			t.Fatal(err)
		}
		for _, name := range names {
			src, err := os.ReadFile(name)
			if err != nil {
				t.Fatal(err)
			}
			files[filepath.Base(name)] = src
		}
		return dir, files
	}
	dir, first := generate()
	_, second := generate()
	if len(first) != len(second) {
		t.Fatalf("two runs gave %d and %d files", len(first), len(second))
	}
	// Rendering prints each file once, from its rewritten syntax: what it
	// prints must already be gofmt's.
	if out, err := exec.Command("gofmt", "-l", dir).CombinedOutput(); err != nil || len(out) > 0 {
		t.Errorf("files not as gofmt writes them (%v):\n%s", err, out)
	}
	wd, _ := os.Getwd()
	for name, src := range first {
		if !bytes.Equal(src, second[name]) {
			t.Errorf("%s differs between two runs with the same inputs", name)
		}
		if !output.IsGenerated(src) {
			t.Errorf("%s does not start with %q", name, output.Header)
		}
		if bytes.Contains(src, []byte(wd)) || bytes.Contains(src, []byte(dir)) || bytes.Contains(src, []byte(os.Args[0])) {
			t.Errorf("%s holds a path of this machine", name)
		}
	}
	// Plan says what Generate writes, without writing it.
	plan, err := defaultGenerator(t).Plan(gen.Options{Tests: true, Standalone: true, Package: "anyio"})
	if err != nil {
		t.Fatal(err)
	}
	if names := slices.Sorted(maps.Keys(first)); !slices.Equal(plan.Files, names) || !bytes.Equal(plan.Glue, first["anyio.go"]) {
		t.Errorf("Plan lists %v, Generate writes %v (or their glue differs)", plan.Files, names)
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
		plan, err := g.Plan(tt.opts)
		if err != nil {
			t.Fatalf("Plan(%+v): %v", tt.opts, err)
		}
		files := map[string]bool{}
		for _, name := range plan.Files {
			files[name] = true
		}
		for _, name := range tt.want {
			if !files[name] {
				t.Errorf("Generate(%+v) lacks %s", tt.opts, name)
			}
		}
		for _, name := range tt.none {
			if files[name] {
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
		{gen.Options{Primitives: []string{"taskgrp"}}, `-primitives: unknown primitive "taskgrp" (valid: taskgroup, failafter, moveonafter, memorystream, connecttcp, event, lock, semaphore, capacitylimiter, condition, tothread, bufferedstream, udp, file, signal, unix, process)`},
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
		"anyio.go":     "Only waits through this package are simulated",
	} {
		if !strings.Contains(commentText(files[file]), phrase) {
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

// A narrowed copy's docs name only what the copy declares: every primitive
// alone, on each set of backends, renders its docs without naming API it
// lacks. Generate (and Plan, which checks what Generate does without
// rendering the templates) refuses a doc that would.
func TestNarrowedCopyDocumentsOnlyWhatItDeclares(t *testing.T) {
	t.Parallel() // heavy under -race: it overlaps the type-checks run in subprocesses
	g := defaultGenerator(t)
	for _, backends := range [][]string{{"std"}, {"std", "sim"}} {
		for _, p := range append(g.Spec.PrimitiveNames(), "") {
			opts := gen.Options{Backends: backends}
			if p != "" {
				opts.Primitives = []string{p}
			}
			if _, err := g.Plan(opts); err != nil {
				t.Errorf("-backends %s -primitives %s: %v", strings.Join(backends, ","), p, err)
			}
		}
	}
}

// A spec doc that names what a narrowed copy lacks is refused, naming the
// doc's place in the spec and the name.
func TestDocNamingWhatTheCopyLacksIsRefused(t *testing.T) {
	data, err := anyiogen.Sources.ReadFile(anyiogen.DefaultSpec)
	if err != nil {
		t.Fatal(err)
	}
	bad := bytes.Replace(data, []byte("ErrWouldBlock is returned by a nowait operation"), []byte("ErrWouldBlock is returned by ConnectTCP and a nowait operation"), 1)
	s, err := spec.Parse("bad.yaml", bad)
	if err != nil {
		t.Fatal(err)
	}
	g := &gen.Generator{Spec: s, Sources: anyiogen.Sources}
	_, err = g.Generate(gen.Options{Primitives: []string{"taskgroup"}})
	if err == nil || !regexp.MustCompile(`^bad\.yaml:\d+:\d+: the doc of ErrWouldBlock names ConnectTCP`).MatchString(err.Error()) {
		t.Errorf("Generate with a sentinel doc naming ConnectTCP, narrowed to taskgroup: %v, want an error at the doc naming ConnectTCP", err)
	}
	if _, err := g.Generate(gen.Options{}); err != nil {
		t.Errorf("the same spec, whole: %v", err)
	}
}

// The suite emitted into a narrowed copy keeps what can run there and
// nothing else: no file whose tests all went, no comment left over a
// declaration that went, no citation of a document the user's package does
// not have.
func TestNarrowedSuiteCarriesNothingStale(t *testing.T) {
	files, err := defaultGenerator(t).Generate(gen.Options{Backends: []string{"std"}, Primitives: []string{"taskgroup"}, Tests: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, gone := range []string{"anyio_conformance_connecttcp_test.go", "anyio_conformance_udp_test.go", "anyio_conformance_protocols_test.go"} {
		if files[gone] != nil {
			t.Errorf("%s is emitted into a copy without its primitive", gone)
		}
	}
	for name, src := range files {
		if bytes.Contains(src, []byte("API.md")) {
			t.Errorf("%s cites API.md", name)
		}
		if source, ok := strings.CutPrefix(name, "anyio_conformance_"); ok {
			tmpl, err := anyiogen.Sources.ReadFile("templates/conformance/" + source)
			if err != nil {
				t.Fatal(err)
			}
			want := floatingComments(t, tmpl)
			for _, c := range floatingComments(t, src) {
				if !slices.Contains(want, c) {
					t.Errorf("%s: a comment stands over nothing: %q", name, c)
				}
			}
		}
	}
}

// floatingComments lists the comments of a Go file that neither document a
// declaration nor sit inside one.
func floatingComments(t *testing.T, src []byte) []string {
	t.Helper()
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "", src, parser.ParseComments)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, c := range f.Comments {
		if c.End() < f.Package {
			continue // the header and the file's own doc
		}
		inside := slices.ContainsFunc(f.Decls, func(d ast.Decl) bool {
			start := d.Pos()
			switch d := d.(type) {
			case *ast.FuncDecl:
				if d.Doc != nil {
					start = d.Doc.Pos()
				}
			case *ast.GenDecl:
				if d.Doc != nil {
					start = d.Doc.Pos()
				}
			}
			return start <= c.Pos() && c.End() <= d.End()
		})
		if !inside {
			out = append(out, c.Text())
		}
	}
	return out
}

// commentText is src with its comment lines run together, as go doc
// refills them.
func commentText(src []byte) string {
	return regexp.MustCompile(`\n\s*// ?`).ReplaceAllString(string(src), " ")
}

// A copy's own errors and messages speak of the copy: generated as conc,
// they begin "conc:", not "anyio:". The shared
// runtime's sentinels are the same values in every copy and keep their
// text; import paths are left alone.
func TestCopyMessagesNameTheCopy(t *testing.T) {
	files, err := defaultGenerator(t).Generate(gen.Options{Package: "conc"})
	if err != nil {
		t.Fatal(err)
	}
	word := regexp.MustCompile(`"[^"\n]*\banyio\b[^"\n]*"`)
	for name, src := range files {
		for _, m := range word.FindAll(src, -1) {
			if !bytes.Contains(m, []byte("github.com/anyiogen")) {
				t.Errorf("%s: a string of the copy conc says anyio: %s", name, m)
			}
		}
	}
	if !bytes.Contains(files["anyio_panicerror.go"], []byte(`"conc: task %s panicked`)) {
		t.Errorf("PanicError's text does not begin with the copy's name")
	}
}

// A backend's sub-home (templates/sim/trace, package simtrace) is inlined:
// its names take the home's prefix, the backend's selectors into it become
// those names, and its import goes; a std-only copy has none of it.
func TestSubHomesAreInlined(t *testing.T) {
	g := defaultGenerator(t)
	files, err := g.Generate(gen.Options{})
	if err != nil {
		t.Fatal(err)
	}
	record := string(files["anyio_sim_trace_record.go"])
	for _, want := range []string{"// Source: templates/sim/trace/record.go", "type simtraceRecorder struct", "func simtraceNew(", "// simtraceRecorder keeps"} {
		if !strings.Contains(record, want) {
			t.Errorf("anyio_sim_trace_record.go lacks %q", want)
		}
	}
	for name, src := range files {
		if bytes.Contains(src, []byte("templates/sim/trace\"")) || bytes.Contains(src, []byte("simtrace.")) {
			t.Errorf("%s still imports or selects into the sub-home", name)
		}
	}
	plan, err := g.Plan(gen.Options{Backends: []string{"std"}})
	if err != nil {
		t.Fatal(err)
	}
	if slices.ContainsFunc(plan.Files, func(f string) bool { return strings.HasPrefix(f, "anyio_sim_") }) {
		t.Errorf("a std-only copy has sim files: %v", plan.Files)
	}
	// A sub-home must be named after its backend and folder.
	broken := copySources(t)
	src := broken["templates/sim/trace/record.go"]
	src.Data = bytes.Replace(src.Data, []byte("package simtrace"), []byte("package trace"), 1)
	g.Sources = broken
	if _, err := g.Plan(gen.Options{}); err == nil || !strings.Contains(err.Error(), "templates/sim/trace/record.go: a sub-home of backend sim must be package simtrace, not trace") {
		t.Errorf("a sub-home misnamed: %v", err)
	}
}

// A standalone copy carries the runtime's assembly, its symbols renamed with
// the runtime's declarations; the copy's Go names the same functions. An
// assembly symbol with no Go declaration in the runtime is an error that
// names the file and the symbol.
func TestStandaloneCopyCarriesTheRuntimesAssembly(t *testing.T) {
	narrow := []string{"taskgroup"} // the runtime comes whole with any selection
	files, err := defaultGenerator(t).Generate(gen.Options{Package: "vendored", Standalone: true, Primitives: narrow})
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"anyio_runtime_goid_amd64.s", "anyio_runtime_goid_arm64.s"} {
		src := string(files[name])
		if !output.IsGenerated(files[name]) || !strings.Contains(src, "TEXT ·rtcurrentG(SB)") {
			t.Errorf("%s: want the generated-code header and TEXT ·rtcurrentG(SB); got:\n%s", name, src)
		}
	}
	if !strings.Contains(string(files["anyio_runtime_goid_asm.go"]), "func rtcurrentG() unsafe.Pointer") {
		t.Errorf("anyio_runtime_goid_asm.go does not declare rtcurrentG")
	}
	if _, ok := files["anyio_runtime_goid_amd64.s"]; !ok {
		t.Fatal("no assembly in the standalone copy")
	}
	if files, err := defaultGenerator(t).Generate(gen.Options{Package: "imported", Primitives: narrow}); err != nil {
		t.Fatal(err)
	} else if _, ok := files["anyio_runtime_goid_amd64.s"]; ok {
		t.Errorf("a copy that imports the runtime got the runtime's assembly too")
	}

	broken := copySources(t)
	broken["runtime/goid_amd64.s"].Data = []byte(strings.ReplaceAll(string(broken["runtime/goid_amd64.s"].Data), "·currentG(SB)", "·currentGoroutine(SB)"))
	g := defaultGenerator(t)
	g.Sources = broken
	_, err = g.Generate(gen.Options{Package: "vendored", Standalone: true, Primitives: narrow})
	if err == nil || !strings.Contains(err.Error(), "runtime/goid_amd64.s") || !strings.Contains(err.Error(), "·currentGoroutine(SB)") {
		t.Errorf("err = %v, want one naming runtime/goid_amd64.s and ·currentGoroutine(SB)", err)
	}
}
