package core

import (
	"context"
	"fmt"
	"io/fs"

	anyiort "github.com/anyiogen/anyiogen/runtime"
)

// ErrIO is the error of a disk that failed to read or write: syscall.EIO,
// so that errors.Is(err, ErrIO) holds for package os's errors too.
var ErrIO error = anyiort.ErrIO

// ErrNoSpace is the error of a full disk: syscall.ENOSPC.
var ErrNoSpace error = anyiort.ErrNoSpace

// File is an open file of the backend's disk: the operating system's on
// std, the host's simulated disk on sim.
type File struct {
	f    anyiort.File
	fsys anyiort.FileSystem
	name string
}

// filesOf is the files of ctx's backend, or an error that says the backend
// has none.
func filesOf(ctx context.Context) (anyiort.FileSystem, error) {
	if err := outsideTheRun(ctx, "a file call"); err != nil {
		return nil, err
	}
	b := backendOf(ctx)
	fsys, ok := b.(anyiort.FileSystem)
	if !ok {
		return nil, fmt.Errorf("anyio: backend %q has no files", b.Name())
	}
	return fsys, nil
}

// diskCall is one call to the disk, the borrower of its thread limiter
// token (the call, not the task: a task may hold a token of its own). It
// is not empty: pointers to distinct zero-size values may be equal, and
// two calls at once would then be one borrower.
type diskCall struct{ _ byte }

// onDisk runs call, a call of fsys, after checking ctx. On a backend whose
// calls block their thread it holds a token of the run's default thread
// limiter meanwhile, so that no more file calls are under way at once than
// ToThread calls may be; it runs on the calling goroutine, because Go's
// runtime already keeps a goroutine blocked in a system call from holding
// up the others.
func onDisk[T any](ctx context.Context, fsys anyiort.FileSystem, call func() (T, error)) (T, error) {
	var zero T
	if err := ctx.Err(); err != nil {
		return zero, err
	}
	if !fsys.BlocksThread() {
		return call()
	}
	limiter, borrower := DefaultThreadLimiter(ctx), new(diskCall)
	if err := limiter.AcquireOnBehalfOf(ctx, borrower); err != nil {
		return zero, err
	}
	defer limiter.ReleaseOnBehalfOf(borrower) //nolint:errcheck // the token is ours
	return call()
}

// OpenFile opens name as os.OpenFile does.
func OpenFile(ctx context.Context, name string, flag int, perm fs.FileMode) (*File, error) {
	fsys, err := filesOf(ctx)
	if err != nil {
		return nil, err
	}
	f, err := onDisk(ctx, fsys, func() (anyiort.File, error) { return fsys.OpenFile(ctx, name, flag, perm) })
	if err != nil {
		return nil, err
	}
	return &File{f: f, fsys: fsys, name: name}, nil
}

// Read reads up to len(p) bytes at the offset; io.EOF at the end.
func (f *File) Read(ctx context.Context, p []byte) (int, error) {
	return onDisk(ctx, f.fsys, func() (int, error) { return f.f.Read(ctx, p) })
}

// ReadAt reads len(p) bytes at off, or returns why not (io.EOF at the end).
func (f *File) ReadAt(ctx context.Context, p []byte, off int64) (int, error) {
	return onDisk(ctx, f.fsys, func() (int, error) { return f.f.ReadAt(ctx, p, off) })
}

// Write writes p at the offset (at the end under os.O_APPEND).
func (f *File) Write(ctx context.Context, p []byte) (int, error) {
	return onDisk(ctx, f.fsys, func() (int, error) { return f.f.Write(ctx, p) })
}

// WriteAt writes p at off.
func (f *File) WriteAt(ctx context.Context, p []byte, off int64) (int, error) {
	return onDisk(ctx, f.fsys, func() (int, error) { return f.f.WriteAt(ctx, p, off) })
}

// Seek sets the offset of the next Read or Write, as io.Seeker.
func (f *File) Seek(ctx context.Context, off int64, whence int) (int64, error) {
	return onDisk(ctx, f.fsys, func() (int64, error) { return f.f.Seek(ctx, off, whence) })
}

// Truncate changes the file's size.
func (f *File) Truncate(ctx context.Context, size int64) error {
	_, err := onDisk(ctx, f.fsys, func() (struct{}, error) { return nothing(f.f.Truncate(ctx, size)) })
	return err
}

// Sync makes the file's data and size durable.
func (f *File) Sync(ctx context.Context) error {
	_, err := onDisk(ctx, f.fsys, func() (struct{}, error) { return nothing(f.f.Sync(ctx)) })
	return err
}

// Stat describes the file.
func (f *File) Stat(ctx context.Context) (fs.FileInfo, error) {
	return onDisk(ctx, f.fsys, func() (fs.FileInfo, error) { return f.f.Stat(ctx) })
}

// Close closes the file; closing it again is an error, as for an *os.File.
func (f *File) Close() error { return f.f.Close() }

// Name is the name the file was opened with.
func (f *File) Name() string { return f.name }
