package output

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func isOurs(src []byte) bool { return bytes.HasPrefix(src, []byte(Header+"\n")) }

func TestUnifiedDiff(t *testing.T) {
	old := []byte("a\nb\nc\nd\ne\nf\ng\nh\n")
	new := []byte("a\nb\nc\nD\ne\nf\ng\nh\ni\n")
	got := string(Unified("x.go", old, new))
	want := "--- a/x.go\n+++ b/x.go\n@@ -1,8 +1,9 @@\n a\n b\n c\n-d\n+D\n e\n f\n g\n h\n+i\n"
	if got != want {
		t.Errorf("Unified:\n%s\nwant:\n%s", got, want)
	}
	if got := string(Unified("x.go", nil, []byte("a\n"))); got != "--- /dev/null\n+++ b/x.go\n@@ -0,0 +1,1 @@\n+a\n" {
		t.Errorf("Unified of a new file:\n%s", got)
	}
	if got := string(Unified("x.go", []byte("a\n"), nil)); got != "--- a/x.go\n+++ /dev/null\n@@ -1,1 +0,0 @@\n-a\n" {
		t.Errorf("Unified of a removed file:\n%s", got)
	}
}

func TestUnifiedDiffSplitsDistantHunks(t *testing.T) {
	var a, b strings.Builder
	for i := range 30 {
		line := string(rune('a'+i%26)) + "\n"
		a.WriteString(line)
		if i == 2 || i == 25 {
			line = "changed\n"
		}
		b.WriteString(line)
	}
	got := string(Unified("x.go", []byte(a.String()), []byte(b.String())))
	if n := strings.Count(got, "@@ -"); n != 2 {
		t.Errorf("two changes 23 lines apart: got %d hunks, want 2:\n%s", n, got)
	}
}

func TestPlanWritesAllThenRemovesStale(t *testing.T) {
	dir := t.TempDir()
	write := func(name, src string) { os.WriteFile(filepath.Join(dir, name), []byte(src), 0o644) }
	write("same.go", Header+"\nsame\n")
	write("changed.go", Header+"\nold\n")
	write("anyio_stale.go", Header+"\nstale\n")
	write("helpers.go", Header+"\nnot named as ours\n")
	write("user.go", "package x\n")
	files := map[string][]byte{
		"same.go":    []byte(Header + "\nsame\n"),
		"changed.go": []byte(Header + "\nnew\n"),
		"new.go":     []byte(Header + "\nnew\n"),
	}
	p, err := NewPlan(dir, files, isOurs)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(p.Write, ","); got != "changed.go,new.go" {
		t.Errorf("Write = %s, want changed.go,new.go", got)
	}
	if got := strings.Join(p.Remove, ","); got != "anyio_stale.go" {
		t.Errorf("Remove = %s, want anyio_stale.go (helpers.go has the header but not our name)", got)
	}
	if err := p.Apply(); err != nil {
		t.Fatal(err)
	}
	entries, _ := os.ReadDir(dir)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if got := strings.Join(names, ","); got != "changed.go,helpers.go,new.go,same.go,user.go" {
		t.Errorf("after Apply the directory holds %s", got)
	}
}

func TestPlanRefusesForeignFiles(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "a.go"), []byte("package x\n"), 0o644)
	_, err := NewPlan(dir, map[string][]byte{"a.go": []byte(Header + "\n")}, isOurs)
	if _, ok := err.(*RefusedError); !ok {
		t.Fatalf("NewPlan over a hand-written file: got %v, want a *RefusedError", err)
	}
}

func TestPlanRefusesADirectoryOrLinkInATargetsPlace(t *testing.T) {
	dir := t.TempDir()
	os.Mkdir(filepath.Join(dir, "anyio_a.go"), 0o755)
	os.Symlink("elsewhere.txt", filepath.Join(dir, "anyio_b.go"))
	for _, name := range []string{"anyio_a.go", "anyio_b.go"} {
		_, err := NewPlan(dir, map[string][]byte{name: []byte(Header + "\n")}, isOurs)
		if re, ok := err.(*RefusedError); !ok || re.Why != "it is not a regular file" {
			t.Errorf("NewPlan over %s, which is not a regular file: got %v, want a refusal", name, err)
		}
	}
}

// Plans applied together are written all or none: when the second plan's
// directory cannot be made, the first's files are not written either (the
// package and its test helper, say).
func TestApplyAllWritesAllOrNone(t *testing.T) {
	root := t.TempDir()
	first, second := filepath.Join(root, "pkg"), filepath.Join(root, "pkg", "pkgtest")
	p1, err := NewPlan(first, map[string][]byte{"anyio.go": []byte(Header + "\npackage pkg\n")}, isOurs)
	if err != nil {
		t.Fatal(err)
	}
	p2, err := NewPlan(second, map[string][]byte{"anyio_testhelper_run.go": []byte(Header + "\npackage pkgtest\n")}, isOurs)
	if err != nil {
		t.Fatal(err)
	}
	// Something takes the helper's directory's name after the plans were
	// made: writing there must fail.
	if err := os.MkdirAll(first, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(second, []byte("in the way"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := ApplyAll(p1, p2); err == nil {
		t.Fatal("ApplyAll succeeded with the second directory's name taken by a file")
	}
	entries, _ := os.ReadDir(first)
	for _, e := range entries {
		if e.Name() != "pkgtest" {
			t.Errorf("after a failed ApplyAll, %s holds %s", first, e.Name())
		}
	}
}
