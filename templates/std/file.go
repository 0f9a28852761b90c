package std

import (
	"context"
	"io/fs"
	"os"

	anyiort "github.com/anyiogen/anyiogen/runtime"
)

// The operating system's files. Their calls block the goroutine, not the
// program, so a call runs where it is made; portable code holds a thread
// limiter token around it (BlocksThread). A call that has begun is not cut
// short by its ctx: the disk answers soon.

// BlocksThread reports true: a file call waits for the disk.
func (b stdBackend) BlocksThread() bool { return true }

// OpenFile opens an OS file.
func (b stdBackend) OpenFile(_ context.Context, name string, flag int, perm fs.FileMode) (anyiort.File, error) {
	f, err := os.OpenFile(name, flag, perm)
	if err != nil {
		return nil, err
	}
	return stdFile{f}, nil
}

func (b stdBackend) Remove(_ context.Context, name string) error { return os.Remove(name) }

func (b stdBackend) Rename(_ context.Context, oldpath, newpath string) error {
	return os.Rename(oldpath, newpath)
}

func (b stdBackend) Mkdir(_ context.Context, name string, perm fs.FileMode) error {
	return os.Mkdir(name, perm)
}

func (b stdBackend) ReadDir(_ context.Context, name string) ([]fs.DirEntry, error) {
	return os.ReadDir(name)
}

func (b stdBackend) Stat(_ context.Context, name string) (fs.FileInfo, error) { return os.Stat(name) }

// SyncDir fsyncs the directory, which makes its entries durable.
func (b stdBackend) SyncDir(_ context.Context, name string) error {
	d, err := os.Open(name)
	if err != nil {
		return err
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	return err
}

// stdFile is an *os.File.
type stdFile struct{ f *os.File }

func (f stdFile) Read(_ context.Context, p []byte) (int, error) { return f.f.Read(p) }
func (f stdFile) ReadAt(_ context.Context, p []byte, off int64) (int, error) {
	return f.f.ReadAt(p, off)
}
func (f stdFile) Write(_ context.Context, p []byte) (int, error) { return f.f.Write(p) }
func (f stdFile) WriteAt(_ context.Context, p []byte, off int64) (int, error) {
	return f.f.WriteAt(p, off)
}
func (f stdFile) Seek(_ context.Context, off int64, whence int) (int64, error) {
	return f.f.Seek(off, whence)
}
func (f stdFile) Truncate(_ context.Context, size int64) error { return f.f.Truncate(size) }
func (f stdFile) Sync(_ context.Context) error                 { return f.f.Sync() }
func (f stdFile) Stat(_ context.Context) (fs.FileInfo, error)  { return f.f.Stat() }
func (f stdFile) Close() error                                 { return f.f.Close() }

var _ anyiort.FileSystem = stdBackend{}
