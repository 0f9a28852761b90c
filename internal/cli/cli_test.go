package cli

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// runCLI runs the command in process and returns its exit status and
// what it printed.
func runCLI(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = Run(args, &out, &errOut)
	return code, out.String(), errOut.String()
}

func TestGenerateThenCheckIsClean(t *testing.T) {
	dir := t.TempDir()
	if code, _, stderr := runCLI(t, "-o", dir, "-pkg", "conc"); code != 0 {
		t.Fatalf("anyiogen -o %s: exit %d: %s", dir, code, stderr)
	}
	if code, stdout, stderr := runCLI(t, "-o", dir, "-pkg", "conc", "-check"); code != 0 {
		t.Fatalf("-check right after generating: exit %d, want 0\n%s%s", code, stdout, stderr)
	}
	src, err := os.ReadFile(filepath.Join(dir, "anyio.go"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(src, []byte("\npackage conc\n")) {
		t.Errorf("anyio.go is not in package conc")
	}
}

func TestCheckReportsADiffAndExitsOne(t *testing.T) {
	dir := t.TempDir()
	runCLI(t, "-o", dir, "-pkg", "conc")
	path := filepath.Join(dir, "anyio_time.go")
	src, _ := os.ReadFile(path)
	os.WriteFile(path, append(src, "// edited by hand\n"...), 0o644)
	code, stdout, stderr := runCLI(t, "-o", dir, "-pkg", "conc", "-check")
	if code != 1 {
		t.Fatalf("-check after an edit: exit %d, want 1 (%s)", code, stderr)
	}
	for _, want := range []string{"--- a/" + path, "+++ b/" + path, "-// edited by hand"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("-check output lacks %q:\n%s", want, stdout)
		}
	}
	after, _ := os.ReadFile(path)
	if !bytes.HasSuffix(after, []byte("// edited by hand\n")) {
		t.Errorf("-check wrote to %s", path)
	}
}

func TestRefusesToOverwriteAFileItDidNotGenerate(t *testing.T) {
	dir := t.TempDir()
	mine := filepath.Join(dir, "anyio_time.go")
	os.WriteFile(mine, []byte("package conc\n\n// my own code\n"), 0o644)
	code, _, stderr := runCLI(t, "-o", dir, "-pkg", "conc")
	if code != 2 || !strings.Contains(stderr, "refusing to overwrite "+mine) {
		t.Fatalf("exit %d, stderr %q; want 2 and a refusal naming %s", code, stderr, mine)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("a refused run left %d files in the directory, want only the user's", len(entries))
	}
	if got, _ := os.ReadFile(mine); string(got) != "package conc\n\n// my own code\n" {
		t.Errorf("the user's file changed")
	}
}

func TestNarrowerRunRemovesOnlyItsOwnStaleFiles(t *testing.T) {
	dir := t.TempDir()
	runCLI(t, "-o", dir, "-pkg", "conc")
	user := filepath.Join(dir, "anyio_connecttcp_helpers.go")
	os.WriteFile(user, []byte("package conc\n"), 0o644)
	if code, _, stderr := runCLI(t, "-o", dir, "-pkg", "conc", "-primitives", "failafter"); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if _, err := os.Stat(filepath.Join(dir, "anyio_connecttcp.go")); !os.IsNotExist(err) {
		t.Errorf("anyio_connecttcp.go is still there after a run without connecttcp")
	}
	if _, err := os.Stat(user); err != nil {
		t.Errorf("the user's file was removed: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "anyio_failafter.go")); err != nil {
		t.Errorf("anyio_failafter.go missing: %v", err)
	}
}

func TestUnchangedFilesAreNotRewritten(t *testing.T) {
	dir := t.TempDir()
	runCLI(t, "-o", dir, "-pkg", "conc")
	path := filepath.Join(dir, "anyio.go")
	old := mustStat(t, path)
	if code, _, stderr := runCLI(t, "-o", dir, "-pkg", "conc"); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if now := mustStat(t, path); !os.SameFile(old, now) || !now.ModTime().Equal(old.ModTime()) {
		t.Errorf("an up-to-date file was rewritten")
	}
}

func mustStat(t *testing.T, path string) os.FileInfo {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return fi
}

func TestBadInputExitsTwoAndWritesNothing(t *testing.T) {
	broken := filepath.Join(t.TempDir(), "spec.yaml")
	os.WriteFile(broken, []byte("spec: 1\npackage: anyio\nruntime: {import: x, name: y}\nbackends: [{name: std, const: BackendStd, constructor: newStdBackend, default: true, doc: d}]\nprimitives:\n  - name: core\n    anyio: run\n    files: [run.go]\n    needs: {primitives: [taskgrp]}\n"), 0o644)
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"-primitives", "taskgrp"}, `-primitives: unknown primitive "taskgrp" (valid: taskgroup, failafter, moveonafter, memorystream, connecttcp, event, lock, semaphore, capacitylimiter, condition, tothread, bufferedstream, udp, file, signal, unix, process)`},
		{[]string{"-backends", "trio"}, `-backends: unknown backend "trio" (valid: std, sim)`},
		{[]string{"-spec", broken}, broken + `:9:26: unknown primitive "taskgrp" (valid: core)`},
		{[]string{"-spec", "/nonexistent/spec.yaml"}, "-spec: open /nonexistent/spec.yaml"},
		{[]string{"-nosuchflag"}, "flag provided but not defined: -nosuchflag"},
		{[]string{"stray"}, `unexpected argument "stray"`},
	}
	for _, tt := range tests {
		dir := t.TempDir()
		code, _, stderr := runCLI(t, append([]string{"-o", dir, "-pkg", "conc"}, tt.args...)...)
		if code != 2 || !strings.Contains(stderr, tt.want) {
			t.Errorf("anyiogen %v: exit %d, stderr %q\nwant exit 2 and %q", tt.args, code, stderr, tt.want)
		}
		if entries, _ := os.ReadDir(dir); len(entries) != 0 {
			t.Errorf("anyiogen %v wrote %d files despite the error", tt.args, len(entries))
		}
	}
}

func TestVersionAndHelp(t *testing.T) {
	if code, stdout, _ := runCLI(t, "-version"); code != 0 || !strings.HasPrefix(stdout, "anyiogen ") {
		t.Errorf("-version: exit %d, output %q", code, stdout)
	}
	code, _, stderr := runCLI(t, "-h")
	if code != 0 {
		t.Errorf("-h: exit %d, want 0", code)
	}
	for _, flag := range []string{"-o", "-pkg", "-backends", "-primitives", "-spec", "-standalone", "-tests", "-check", "-version"} {
		if !strings.Contains(stderr, "  "+flag) {
			t.Errorf("-h does not describe %s", flag)
		}
	}
}

func TestPackageNameDefaults(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "mylib")
	os.MkdirAll(dir, 0o755)
	t.Setenv("GOPACKAGE", "")
	if got, err := defaultPackage(dir, readUserFiles(dir)); err != nil || got != "mylib" {
		t.Errorf("empty directory: got %q, %v; want its name, mylib", got, err)
	}
	t.Setenv("GOPACKAGE", "fromgenerate")
	if got, _ := defaultPackage(dir, readUserFiles(dir)); got != "mylib" {
		t.Errorf("with $GOPACKAGE set for another directory: got %q, want the directory's name, mylib", got)
	}
	t.Chdir(dir)
	if got, _ := defaultPackage(".", readUserFiles(".")); got != "fromgenerate" {
		t.Errorf("in go generate's own directory: got %q, want $GOPACKAGE, fromgenerate", got)
	}
	// A broken package still has a package clause: no type check needed.
	os.WriteFile(filepath.Join(dir, "broken.go"), []byte("package existing\n\nfunc broken( {\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "a_test.go"), []byte("package existing_test\n"), 0o644)
	if got, _ := defaultPackage(dir, readUserFiles(dir)); got != "existing" {
		t.Errorf("with a package clause in the directory: got %q, want existing", got)
	}
}

func TestRefusesNamesThatClashWithTheUsersCode(t *testing.T) {
	dir := t.TempDir()
	mine := filepath.Join(dir, "mine.go")
	os.WriteFile(mine, []byte("package conc\n\nfunc backendOf() {}\n"), 0o644)
	code, _, stderr := runCLI(t, "-o", dir, "-pkg", "conc")
	want := mine + ":3:6: backendOf is also declared by the generated " + filepath.Join(dir, "anyio_run.go")
	if code != 2 || !strings.Contains(stderr, want) {
		t.Fatalf("exit %d, stderr %q\nwant exit 2 and %q", code, stderr, want)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("a refused run left %d files, want only the user's", len(entries))
	}
}

func TestPackageDefaultsIgnoreGeneratedAndExcludedFiles(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "anyio.go"), []byte("// Code generated by anyiogen. DO NOT EDIT.\n\npackage old\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "gen.go"), []byte("//go:build ignore\n\npackage main\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "lib.go"), []byte("package renamed\n"), 0o644)
	if got, err := defaultPackage(dir, readUserFiles(dir)); err != nil || got != "renamed" {
		t.Errorf("got %q, %v; want renamed: generated and build-ignored files do not decide", got, err)
	}
	testsOnly := t.TempDir()
	os.WriteFile(filepath.Join(testsOnly, "x_test.go"), []byte("package foo_test\n"), 0o644)
	if got, _ := defaultPackage(testsOnly, readUserFiles(testsOnly)); got != "foo" {
		t.Errorf("a directory with only an external test of foo: got %q, want foo", got)
	}
}

func TestRefusesAPackageNameThatDiffersFromTheDirectorys(t *testing.T) {
	dir := t.TempDir()
	mine := filepath.Join(dir, "foo.go")
	os.WriteFile(mine, []byte("package foo\n"), 0o644)
	code, _, stderr := runCLI(t, "-o", dir, "-pkg", "bar")
	want := `-pkg: "bar", but ` + mine + ` is package foo`
	if code != 2 || !strings.Contains(stderr, want) {
		t.Fatalf("exit %d, stderr %q; want 2 and %q", code, stderr, want)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("a refused run left %d files, want only the user's", len(entries))
	}
}

func TestKeepsTheUsersPackageDoc(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "doc.go"), []byte("// Package widgets parses widgets.\npackage widgets\n"), 0o644)
	if code, _, stderr := runCLI(t, "-o", dir, "-backends", "std", "-primitives", "failafter"); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	src, _ := os.ReadFile(filepath.Join(dir, "anyio.go"))
	if strings.Contains(string(src), "// Package widgets") {
		t.Errorf("anyio.go documents the package although doc.go already does:\n%s", src)
	}
}

func TestOutputDirectoryErrorsNameTheFlag(t *testing.T) {
	file := filepath.Join(t.TempDir(), "afile")
	os.WriteFile(file, nil, 0o644)
	for _, dir := range []string{file, ""} {
		code, _, stderr := runCLI(t, "-o", dir, "-pkg", "x")
		if code != 2 || !strings.Contains(stderr, "anyiogen: -o") {
			t.Errorf("-o %q: exit %d, stderr %q; want 2 and an error naming -o", dir, code, stderr)
		}
	}
}
