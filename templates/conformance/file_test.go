package conformance

import (
	"context"
	"errors"
	"io"
	"io/fs"
	"os"
	"path"
	"strings"
	"syscall"
	"testing"
	"testing/fstest"

	anyio "github.com/anyiogen/anyiogen/generated/anyio"
)

// The file primitive: package os's files through the package, the same
// results and errors on every backend. Each test works under a root that
// exists on every backend: a temporary directory of the OS, made again on
// a simulated disk.

// confDiskRoot is a fresh directory for the test's files, on ctx's
// backend's disk.
func confDiskRoot(t *testing.T, ctx context.Context) (string, error) {
	root := t.TempDir()
	return root, anyio.MkdirAll(ctx, root, 0o755)
}

// confWantErr checks that err reads want, with root cut to "ROOT", and
// matches target.
func confWantErr(t *testing.T, root string, err, target error, want string) {
	t.Helper()
	if err == nil {
		t.Errorf("no error, want %q", want)
		return
	}
	if got := strings.ReplaceAll(err.Error(), root, "ROOT"); got != want {
		t.Errorf("error %q, want %q", got, want)
	}
	if target != nil && !errors.Is(err, target) {
		t.Errorf("error %q does not match %v", err, target)
	}
}

func TestFileWriteSeekRead(t *testing.T) {
	confEachBackend(t, func(t *testing.T, ctx context.Context) error {
		root, err := confDiskRoot(t, ctx)
		if err != nil {
			return err
		}
		name := path.Join(root, "f")
		f, err := anyio.OpenFile(ctx, name, os.O_RDWR|os.O_CREATE, 0o644)
		if err != nil {
			return err
		}
		defer f.Close()
		if f.Name() != name {
			t.Errorf("Name() = %q, want %q", f.Name(), name)
		}
		if n, err := f.Write(ctx, []byte("hello, world")); n != 12 || err != nil {
			t.Errorf("Write = %d, %v", n, err)
		}
		if off, err := f.Seek(ctx, 7, io.SeekStart); off != 7 || err != nil {
			t.Errorf("Seek = %d, %v", off, err)
		}
		buf := make([]byte, 10)
		n, err := f.Read(ctx, buf)
		if string(buf[:n]) != "world" || err != nil {
			t.Errorf("Read = %q, %v; want world", buf[:n], err)
		}
		if n, err := f.Read(ctx, buf); n != 0 || err != io.EOF {
			t.Errorf("Read at the end = %d, %v; want 0, io.EOF", n, err)
		}
		n, err = f.ReadAt(ctx, buf[:8], 7)
		if string(buf[:n]) != "world" || err != io.EOF {
			t.Errorf("ReadAt past the end = %q, %v; want world, io.EOF", buf[:n], err)
		}
		if _, err := f.WriteAt(ctx, []byte("W"), 7); err != nil {
			return err
		}
		if err := f.Truncate(ctx, 8); err != nil {
			return err
		}
		info, err := f.Stat(ctx)
		if err != nil {
			return err
		}
		if info.Name() != "f" || info.Size() != 8 || info.IsDir() || info.Mode().Perm() != 0o644 {
			t.Errorf("Stat = %s %d %v, want f 8 -rw-r--r--", info.Name(), info.Size(), info.Mode())
		}
		if err := f.Sync(ctx); err != nil {
			return err
		}
		data, err := anyio.ReadFile(ctx, name)
		if string(data) != "hello, W" || err != nil {
			t.Errorf("ReadFile = %q, %v; want \"hello, W\"", data, err)
		}
		return nil
	})
}

func TestFileAppend(t *testing.T) {
	confEachBackend(t, func(t *testing.T, ctx context.Context) error {
		root, err := confDiskRoot(t, ctx)
		if err != nil {
			return err
		}
		name := path.Join(root, "log")
		if err := anyio.WriteFile(ctx, name, []byte("one;"), 0o644); err != nil {
			return err
		}
		f, err := anyio.OpenFile(ctx, name, os.O_WRONLY|os.O_APPEND, 0)
		if err != nil {
			return err
		}
		defer f.Close()
		if _, err := f.Seek(ctx, 0, io.SeekStart); err != nil {
			return err
		}
		if _, err := f.Write(ctx, []byte("two;")); err != nil {
			return err
		}
		_, err = f.WriteAt(ctx, []byte("x"), 0)
		confWantErr(t, root, err, nil, "os: invalid use of WriteAt on file opened with O_APPEND")
		data, err := anyio.ReadFile(ctx, name)
		if string(data) != "one;two;" || err != nil {
			t.Errorf("after an append: %q, %v; want one;two;", data, err)
		}
		return nil
	})
}

func TestFileErrorsArePackageOs(t *testing.T) {
	confEachBackend(t, func(t *testing.T, ctx context.Context) error {
		root, err := confDiskRoot(t, ctx)
		if err != nil {
			return err
		}
		file, dir := path.Join(root, "file"), path.Join(root, "dir")
		if err := anyio.WriteFile(ctx, file, nil, 0o644); err != nil {
			return err
		}
		if err := anyio.MkdirAll(ctx, path.Join(dir, "sub"), 0o755); err != nil {
			return err
		}
		_, err = anyio.OpenFile(ctx, path.Join(root, "missing"), os.O_RDONLY, 0)
		confWantErr(t, root, err, fs.ErrNotExist, "open ROOT/missing: no such file or directory")
		_, err = anyio.OpenFile(ctx, file, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644)
		confWantErr(t, root, err, fs.ErrExist, "open ROOT/file: file exists")
		_, err = anyio.OpenFile(ctx, path.Join(file, "x"), os.O_RDONLY, 0)
		confWantErr(t, root, err, syscall.ENOTDIR, "open ROOT/file/x: not a directory")
		_, err = anyio.OpenFile(ctx, dir, os.O_WRONLY, 0)
		confWantErr(t, root, err, syscall.EISDIR, "open ROOT/dir: is a directory")
		confWantErr(t, root, anyio.Mkdir(ctx, dir, 0o755), fs.ErrExist, "mkdir ROOT/dir: file exists")
		confWantErr(t, root, anyio.MkdirAll(ctx, path.Join(file, "x"), 0o755), syscall.ENOTDIR, "mkdir ROOT/file: not a directory")
		confWantErr(t, root, anyio.Remove(ctx, dir), syscall.ENOTEMPTY, "remove ROOT/dir: directory not empty")
		confWantErr(t, root, anyio.Remove(ctx, path.Join(root, "missing")), fs.ErrNotExist, "remove ROOT/missing: no such file or directory")
		confWantErr(t, root, anyio.Rename(ctx, file, dir), fs.ErrExist, "rename ROOT/file ROOT/dir: file exists")
		confWantErr(t, root, anyio.Rename(ctx, dir, path.Join(dir, "sub", "in")), syscall.EINVAL, "rename ROOT/dir ROOT/dir/sub/in: invalid argument")
		_, err = anyio.ReadDir(ctx, file)
		confWantErr(t, root, err, syscall.ENOTDIR, "open ROOT/file: not a directory")
		_, err = anyio.Stat(ctx, path.Join(root, "missing"))
		confWantErr(t, root, err, fs.ErrNotExist, "stat ROOT/missing: no such file or directory")

		f, err := anyio.OpenFile(ctx, file, os.O_RDONLY, 0)
		if err != nil {
			return err
		}
		_, err = f.Write(ctx, []byte("x"))
		confWantErr(t, root, err, syscall.EBADF, "write ROOT/file: bad file descriptor")
		confWantErr(t, root, f.Truncate(ctx, 0), syscall.EINVAL, "truncate ROOT/file: invalid argument")
		_, err = f.Seek(ctx, -1, io.SeekStart)
		confWantErr(t, root, err, syscall.EINVAL, "seek ROOT/file: invalid argument")
		_, err = f.ReadAt(ctx, make([]byte, 1), -1)
		confWantErr(t, root, err, nil, "readat ROOT/file: negative offset")
		if err := f.Close(); err != nil {
			return err
		}
		confWantErr(t, root, f.Close(), fs.ErrClosed, "close ROOT/file: file already closed")
		_, err = f.Read(ctx, make([]byte, 1))
		confWantErr(t, root, err, fs.ErrClosed, "read ROOT/file: file already closed")

		d, err := anyio.OpenFile(ctx, dir, os.O_RDONLY, 0)
		if err != nil {
			return err
		}
		defer d.Close()
		_, err = d.Read(ctx, make([]byte, 1))
		confWantErr(t, root, err, syscall.EISDIR, "read ROOT/dir: is a directory")
		return nil
	})
}

func TestFileRenameReplacesAtomically(t *testing.T) {
	confEachBackend(t, func(t *testing.T, ctx context.Context) error {
		root, err := confDiskRoot(t, ctx)
		if err != nil {
			return err
		}
		cur, tmp := path.Join(root, "current"), path.Join(root, "current.tmp")
		if err := anyio.WriteFile(ctx, cur, []byte("v1"), 0o644); err != nil {
			return err
		}
		if err := anyio.WriteFile(ctx, tmp, []byte("v2"), 0o644); err != nil {
			return err
		}
		if err := anyio.Rename(ctx, tmp, cur); err != nil {
			return err
		}
		if err := anyio.SyncDir(ctx, root); err != nil {
			return err
		}
		data, err := anyio.ReadFile(ctx, cur)
		if string(data) != "v2" || err != nil {
			t.Errorf("after the rename: %q, %v; want v2", data, err)
		}
		if _, err := anyio.Stat(ctx, tmp); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("the old name after the rename: %v, want fs.ErrNotExist", err)
		}
		return nil
	})
}

func TestFileDirectories(t *testing.T) {
	confEachBackend(t, func(t *testing.T, ctx context.Context) error {
		root, err := confDiskRoot(t, ctx)
		if err != nil {
			return err
		}
		deep := path.Join(root, "a", "b", "c")
		if err := anyio.MkdirAll(ctx, deep, 0o755); err != nil {
			return err
		}
		if err := anyio.MkdirAll(ctx, deep, 0o755); err != nil {
			t.Errorf("MkdirAll of a directory already there: %v", err)
		}
		for _, name := range []string{"b", "c", "a/x"} {
			if err := anyio.WriteFile(ctx, path.Join(root, "a", name+".txt"), []byte(name), 0o644); err != nil && name != "a/x" {
				return err
			}
		}
		entries, err := anyio.ReadDir(ctx, path.Join(root, "a"))
		if err != nil {
			return err
		}
		var names []string
		for _, e := range entries {
			names = append(names, e.Name()+map[bool]string{true: "/"}[e.IsDir()])
		}
		if got := strings.Join(names, " "); got != "b/ b.txt c.txt" {
			t.Errorf("ReadDir = %s, want sorted by name: b/ b.txt c.txt", got)
		}
		info, err := anyio.Stat(ctx, deep)
		if err != nil || !info.IsDir() || info.Name() != "c" {
			t.Errorf("Stat of a directory = %v, %v", info, err)
		}
		if err := anyio.Remove(ctx, deep); err != nil {
			t.Errorf("Remove of an empty directory: %v", err)
		}
		return nil
	})
}

func TestFileCallsOfManyTasksAtOnce(t *testing.T) {
	confEachBackend(t, func(t *testing.T, ctx context.Context) error {
		root, err := confDiskRoot(t, ctx)
		if err != nil {
			return err
		}
		const tasks = 8
		err = anyio.WithTaskGroup(ctx, func(ctx context.Context, tg *anyio.TaskGroup) error {
			for i := range tasks {
				tg.StartSoon(func(ctx context.Context) error {
					name := path.Join(root, string(rune('a'+i)))
					for range 20 {
						if err := anyio.WriteFile(ctx, name, []byte(name), 0o644); err != nil {
							return err
						}
					}
					return nil
				})
			}
			return nil
		})
		if err != nil {
			return err
		}
		entries, err := anyio.ReadDir(ctx, root)
		if len(entries) != tasks || err != nil {
			t.Errorf("after %d tasks wrote a file each: %d entries, %v", tasks, len(entries), err)
		}
		return nil
	})
}

func TestFileCancelledContextDoesNothing(t *testing.T) {
	confEachBackend(t, func(t *testing.T, ctx context.Context) error {
		root, err := confDiskRoot(t, ctx)
		if err != nil {
			return err
		}
		cancelled, cancel := context.WithCancel(ctx)
		cancel()
		name := path.Join(root, "never")
		if err := anyio.WriteFile(cancelled, name, []byte("x"), 0o644); !errors.Is(err, context.Canceled) {
			t.Errorf("WriteFile with a cancelled ctx: %v, want context.Canceled", err)
		}
		if _, err := anyio.Stat(ctx, name); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("a call with a cancelled ctx made the file: %v", err)
		}
		return nil
	})
}

func TestFileFSPassesTestFS(t *testing.T) {
	confEachBackend(t, func(t *testing.T, ctx context.Context) error {
		root, err := confDiskRoot(t, ctx)
		if err != nil {
			return err
		}
		files := []string{"top.txt", "a/one.txt", "a/b/two.txt", "a/b/c/three.txt"}
		for _, name := range files {
			full := path.Join(root, name)
			if err := anyio.MkdirAll(ctx, path.Dir(full), 0o755); err != nil {
				return err
			}
			if err := anyio.WriteFile(ctx, full, []byte("data of "+name), 0o644); err != nil {
				return err
			}
		}
		return fstest.TestFS(anyio.FS(ctx, root), files...)
	})
}

func TestFileErrIOAndErrNoSpaceAreTheErrnos(t *testing.T) {
	for _, c := range []struct {
		sentinel error
		errno    syscall.Errno
	}{{anyio.ErrIO, syscall.EIO}, {anyio.ErrNoSpace, syscall.ENOSPC}} {
		err := &fs.PathError{Op: "write", Path: "f", Err: c.errno}
		if !errors.Is(err, c.sentinel) {
			t.Errorf("errors.Is(%v, %v) is false", err, c.sentinel)
		}
	}
}
