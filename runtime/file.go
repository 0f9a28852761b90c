package anyiort

import (
	"context"
	"io/fs"
	"syscall"
)

// ErrIO: the disk failed to read or write. It is the operating system's
// own errno, so that errors.Is(err, ErrIO) holds for an error of package
// os as for one of a simulated disk.
var ErrIO error = syscall.EIO

// ErrNoSpace: the disk is full (the operating system's errno).
var ErrNoSpace error = syscall.ENOSPC

// FileSystem is implemented by backends with files (Version4). Names are
// as the caller gave them; errors are package os's (*fs.PathError,
// *os.LinkError) on every backend.
type FileSystem interface {
	// BlocksThread reports whether a call blocks its OS thread for as long
	// as the disk takes, so portable code runs it through the thread
	// limiter.
	BlocksThread() bool
	// OpenFile opens name as os.OpenFile does.
	OpenFile(ctx context.Context, name string, flag int, perm fs.FileMode) (File, error)
	Remove(ctx context.Context, name string) error
	Rename(ctx context.Context, oldpath, newpath string) error
	Mkdir(ctx context.Context, name string, perm fs.FileMode) error
	ReadDir(ctx context.Context, name string) ([]fs.DirEntry, error)
	Stat(ctx context.Context, name string) (fs.FileInfo, error)
	// SyncDir makes durable the entries created, renamed or removed in the
	// directory name.
	SyncDir(ctx context.Context, name string) error
}

// File is an open file, as an *os.File.
type File interface {
	Read(ctx context.Context, p []byte) (int, error)
	ReadAt(ctx context.Context, p []byte, off int64) (int, error)
	Write(ctx context.Context, p []byte) (int, error)
	WriteAt(ctx context.Context, p []byte, off int64) (int, error)
	Seek(ctx context.Context, off int64, whence int) (int64, error)
	Truncate(ctx context.Context, size int64) error
	// Sync makes the file's data and size durable.
	Sync(ctx context.Context) error
	Stat(ctx context.Context) (fs.FileInfo, error)
	Close() error
}
