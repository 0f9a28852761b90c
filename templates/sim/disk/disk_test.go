package simdisk

import (
	"bytes"
	"errors"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"strings"
	"syscall"
	"testing"
	"testing/fstest"
	"time"
)

var t0 = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)

func mustOpen(t *testing.T, d *Disk, name string, flag int) *Handle {
	t.Helper()
	h, err := d.Open(name, flag, 0o644, t0)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func write(t *testing.T, h *Handle, s string) {
	t.Helper()
	if _, err := h.Write([]byte(s), t0); err != nil {
		t.Fatal(err)
	}
}

func content(t *testing.T, d *Disk, name string) (string, bool) {
	t.Helper()
	b, err := fs.ReadFile(d.FS(), name)
	if errors.Is(err, fs.ErrNotExist) {
		return "", false
	}
	if err != nil {
		t.Fatal(err)
	}
	return string(b), true
}

func TestCrashKeepsOnlyWhatWasSynced(t *testing.T) {
	d := New()
	h := mustOpen(t, d, "/log", os.O_CREATE|os.O_WRONLY)
	write(t, h, "synced;")
	if err := h.Sync(); err != nil {
		t.Fatal(err)
	}
	write(t, h, "lost")
	d.Crash(nil)
	if _, ok := content(t, d, "log"); ok {
		t.Fatal("a file whose directory entry was never synced survived the crash")
	}

	h = mustOpen(t, d, "/log", os.O_CREATE|os.O_WRONLY)
	write(t, h, "synced;")
	if err := h.Sync(); err != nil {
		t.Fatal(err)
	}
	if err := d.SyncDir("/"); err != nil {
		t.Fatal(err)
	}
	write(t, h, "lost")
	if got, _ := content(t, d, "log"); got != "synced;lost" {
		t.Fatalf("before the crash reads see %q, want every write", got)
	}
	d.Crash(nil)
	if got, ok := content(t, d, "log"); !ok || got != "synced;" {
		t.Fatalf("after the crash: %q (exists %v), want only the synced part", got, ok)
	}
}

func TestRenameIsDurableOnlyAfterSyncDir(t *testing.T) {
	d := New()
	h := mustOpen(t, d, "/tmp", os.O_CREATE|os.O_WRONLY)
	write(t, h, "v1")
	h.Sync()
	d.SyncDir("/")
	if err := d.Rename("/tmp", "/cur", t0); err != nil {
		t.Fatal(err)
	}
	d.Crash(nil)
	if _, ok := content(t, d, "cur"); ok {
		t.Fatal("an unsynced rename survived")
	}
	if got, _ := content(t, d, "tmp"); got != "v1" {
		t.Fatalf("the old name holds %q, want v1", got)
	}
	d.Rename("/tmp", "/cur", t0)
	d.SyncDir("/")
	d.Crash(nil)
	if got, _ := content(t, d, "cur"); got != "v1" {
		t.Fatalf("after a synced rename: %q, want v1", got)
	}
	if _, ok := content(t, d, "tmp"); ok {
		t.Fatal("the old name survived a synced rename")
	}
}

func TestTruncateThenSyncLeavesNoStaleBytes(t *testing.T) {
	d := New()
	d.SetSectorSize(4)
	h := mustOpen(t, d, "/f", os.O_CREATE|os.O_RDWR)
	d.SyncDir("/")
	write(t, h, "AAAAAAAA")
	h.Sync()
	h.Truncate(0, t0)
	h.WriteAt([]byte("BBBB"), 4, t0)
	h.Sync()
	d.Crash(nil)
	if got, _ := content(t, d, "f"); got != "\x00\x00\x00\x00BBBB" {
		t.Fatalf("got %q, want the zeros a truncation left, then BBBB", got)
	}
}

type seeded struct{ r *rand.Rand }

func (s seeded) Intn(n int) int { return s.r.IntN(n) }

func TestTornWritesKeepWholeSectorsOfEachWrite(t *testing.T) {
	kinds := map[string]bool{}
	for seed := range uint64(64) {
		d := New()
		d.SetSectorSize(4)
		h := mustOpen(t, d, "/f", os.O_CREATE|os.O_WRONLY)
		d.SyncDir("/")
		write(t, h, "ok..")
		h.Sync()
		write(t, h, "AAAABBBBCCCC")
		d.Crash(seeded{rand.New(rand.NewPCG(seed, 1))})
		got, _ := content(t, d, "f")
		if got[:4] != "ok.." {
			t.Fatalf("seed %d: the synced sector changed: %q", seed, got)
		}
		rest := got[4:]
		for i := 0; i+4 <= len(rest); i += 4 {
			s := rest[i : i+4]
			if s != "\x00\x00\x00\x00" && s != "AAAABBBBCCCC"[i:i+4] {
				t.Fatalf("seed %d: sector %q is neither lost nor written whole", seed, s)
			}
		}
		if len(rest)%4 != 0 {
			t.Fatalf("seed %d: %q ends inside a sector", seed, got)
		}
		switch rest {
		case "":
			kinds["lost"] = true
		case "AAAABBBBCCCC":
			kinds["whole"] = true
		default:
			kinds["torn"] = true
		}
	}
	if len(kinds) != 3 {
		t.Fatalf("over 64 seeds the write was only %v; want lost, whole and torn", kinds)
	}
}

func TestErrorsAreTheOperatingSystems(t *testing.T) {
	d := New()
	mustOpen(t, d, "/file", os.O_CREATE|os.O_WRONLY)
	d.Mkdir("/dir", 0o755, t0)
	mustOpen(t, d, "/dir/x", os.O_CREATE|os.O_WRONLY)
	for _, c := range []struct {
		err  error
		want string
	}{
		{func() error { _, err := d.Open("/missing", os.O_RDONLY, 0, t0); return err }(), "open /missing: no such file or directory"},
		{func() error { _, err := d.Open("/file/x", os.O_RDONLY, 0, t0); return err }(), "open /file/x: not a directory"},
		{func() error { _, err := d.Open("/file", os.O_CREATE|os.O_EXCL, 0, t0); return err }(), "open /file: file exists"},
		{func() error { _, err := d.Open("/dir", os.O_WRONLY, 0, t0); return err }(), "open /dir: is a directory"},
		{d.Mkdir("/dir", 0o755, t0), "mkdir /dir: file exists"},
		{d.Remove("/dir", t0), "remove /dir: directory not empty"},
		{d.Rename("/file", "/dir", t0), "rename /file /dir: file exists"},
		{func() error { _, err := d.ReadDir("/file"); return err }(), "open /file: not a directory"},
		{func() error {
			h := mustOpen(t, d, "/file", os.O_RDONLY)
			_, err := h.Write([]byte("x"), t0)
			return err
		}(), "write /file: bad file descriptor"},
		{func() error { h := mustOpen(t, d, "/file", os.O_RDONLY); h.Close(); return h.Close() }(), "close /file: file already closed"},
	} {
		if c.err == nil || c.err.Error() != c.want {
			t.Errorf("got %v, want %q", c.err, c.want)
		}
	}
}

func TestCapacity(t *testing.T) {
	d := New()
	d.SetCapacity(10)
	h := mustOpen(t, d, "/f", os.O_CREATE|os.O_WRONLY)
	write(t, h, "0123456789")
	if _, err := h.Write([]byte("x"), t0); !errors.Is(err, syscall.ENOSPC) {
		t.Fatalf("a write past the capacity: %v, want ENOSPC", err)
	}
	if err := d.Remove("/f", t0); err != nil {
		t.Fatal(err)
	}
	g := mustOpen(t, d, "/g", os.O_CREATE|os.O_WRONLY)
	write(t, g, "0123456789") // the removed file's bytes were freed
}

func TestViewPassesTestFS(t *testing.T) {
	d := New()
	d.Mkdir("/a", 0o755, t0)
	d.Mkdir("/a/b", 0o755, t0)
	for _, name := range []string{"/top", "/a/one", "/a/b/two"} {
		h := mustOpen(t, d, name, os.O_CREATE|os.O_WRONLY)
		write(t, h, "data of "+name)
	}
	if err := fstest.TestFS(d.FS(), "top", "a/one", "a/b/two"); err != nil {
		t.Fatal(err)
	}
}

func TestOpenHandleOutlivesRemove(t *testing.T) {
	d := New()
	h := mustOpen(t, d, "/f", os.O_CREATE|os.O_RDWR)
	write(t, h, "still here")
	d.Remove("/f", t0)
	b := make([]byte, 32)
	n, err := h.ReadAt(b, 0)
	if err != io.EOF || !bytes.Equal(b[:n], []byte("still here")) {
		t.Fatalf("ReadAt after Remove: %q, %v", b[:n], err)
	}
}

func TestDurableIsASnapshot(t *testing.T) {
	d := New()
	h := mustOpen(t, d, "/f", os.O_CREATE|os.O_WRONLY)
	write(t, h, "synced")
	h.Sync()
	d.SyncDir("/")
	write(t, h, "+more")
	snap := d.Durable()
	write(t, h, "+even more")
	if got, _ := content(t, snap, "f"); got != "synced" {
		t.Fatalf("the durable snapshot holds %q, want only what was synced", got)
	}
}

// A file extended past bytes that were lost or truncated reads zeros
// there, never the old bytes a slice's spare room may still hold.
func TestExtendingAFileReadsZerosNotOldBytes(t *testing.T) {
	d := New()
	h := mustOpen(t, d, "/f", os.O_CREATE|os.O_RDWR)
	d.SyncDir("/")
	write(t, h, "0123456789")
	h.Sync()
	write(t, h, "lost, unsynced")
	d.Crash(nil) // data shrinks back to the synced 10 bytes
	if err := h.Truncate(24, t0); err != nil {
		t.Fatal(err)
	}
	got, _ := content(t, d, "f")
	if got != "0123456789"+strings.Repeat("\x00", 14) {
		t.Fatalf("after a crash and an extension: %q, want the synced bytes, then zeros", got)
	}
	h.Truncate(0, t0)
	h.Sync()
	h.WriteAt([]byte("x"), 20, t0)
	h.Sync()
	d.Crash(nil)
	if got, _ := content(t, d, "f"); got != strings.Repeat("\x00", 20)+"x" {
		t.Fatalf("a write past a truncation, synced, after a crash: %q", got)
	}
}

// fsync of an open directory makes its entries durable, as on Linux.
func TestSyncOfAnOpenDirectoryMakesItsEntriesDurable(t *testing.T) {
	d := New()
	mustOpen(t, d, "/f", os.O_CREATE|os.O_WRONLY)
	dir := mustOpen(t, d, "/", os.O_RDONLY)
	if err := dir.Sync(); err != nil {
		t.Fatal(err)
	}
	d.Crash(nil)
	if _, ok := content(t, d, "f"); !ok {
		t.Fatal("the entry a directory's Sync made durable is gone")
	}
}

// Bytes of a file no name links to do not count against the capacity.
func TestCapacityCountsOnlyNamedFiles(t *testing.T) {
	d := New()
	d.SetCapacity(10)
	h := mustOpen(t, d, "/f", os.O_CREATE|os.O_WRONLY)
	d.Remove("/f", t0)
	write(t, h, "0123456789abcdef") // an open file without a name
	g := mustOpen(t, d, "/g", os.O_CREATE|os.O_WRONLY)
	write(t, g, "0123456789")
}

// The empty name names nothing, as for package os.
func TestTheEmptyNameIsNotTheRoot(t *testing.T) {
	d := New()
	if _, err := d.Stat(""); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Stat(\"\") = %v, want ENOENT", err)
	}
	if err := d.Remove("", t0); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Remove(\"\") = %v, want ENOENT", err)
	}
}

// The sector size is the disk's from its first write on.
func TestSectorSizeIsFixedOnceWritten(t *testing.T) {
	d := New()
	d.SetSectorSize(4)
	h := mustOpen(t, d, "/f", os.O_CREATE|os.O_WRONLY)
	d.SyncDir("/")
	write(t, h, "AAAABBBB")
	d.SetSectorSize(0) // would be 4096: refused, the dirty sectors are in 4s
	h.Sync()
	d.Crash(nil)
	if got, _ := content(t, d, "f"); got != "AAAABBBB" {
		t.Fatalf("after a sector size change and a Sync: %q", got)
	}
}
