package core

import (
	"context"
	"io"
	"io/fs"
	"os"
	"syscall"

	anyiort "github.com/anyiogen/anyiogen/runtime"
)

// The functions of package os on the backend's disk.

// nothing adapts a call that returns only an error to onDisk.
func nothing(err error) (struct{}, error) { return struct{}{}, err }

// onFiles runs call, a call of ctx's backend's files that returns only an
// error, as onDisk does.
func onFiles(ctx context.Context, call func(fsys anyiort.FileSystem) error) error {
	fsys, err := filesOf(ctx)
	if err != nil {
		return err
	}
	_, err = onDisk(ctx, fsys, func() (struct{}, error) { return nothing(call(fsys)) })
	return err
}

// Remove removes the file or empty directory name.
func Remove(ctx context.Context, name string) error {
	return onFiles(ctx, func(fsys anyiort.FileSystem) error { return fsys.Remove(ctx, name) })
}

// Rename renames oldpath to newpath atomically, replacing a file there.
func Rename(ctx context.Context, oldpath, newpath string) error {
	return onFiles(ctx, func(fsys anyiort.FileSystem) error { return fsys.Rename(ctx, oldpath, newpath) })
}

// Mkdir makes the directory name.
func Mkdir(ctx context.Context, name string, perm fs.FileMode) error {
	return onFiles(ctx, func(fsys anyiort.FileSystem) error { return fsys.Mkdir(ctx, name, perm) })
}

// MkdirAll makes the directory name and every parent it lacks, as
// os.MkdirAll does; a directory already there is no error.
func MkdirAll(ctx context.Context, name string, perm fs.FileMode) error {
	info, err := Stat(ctx, name)
	switch {
	case err == nil && info.IsDir():
		return nil
	case err == nil:
		return &fs.PathError{Op: "mkdir", Path: name, Err: syscall.ENOTDIR}
	}
	end := len(name)
	for end > 0 && os.IsPathSeparator(name[end-1]) {
		end--
	}
	parent := end
	for parent > 0 && !os.IsPathSeparator(name[parent-1]) {
		parent--
	}
	if parent > 1 {
		if err := MkdirAll(ctx, name[:parent-1], perm); err != nil {
			return err
		}
	}
	if err := Mkdir(ctx, name, perm); err != nil {
		if info, serr := Stat(ctx, name); serr == nil && info.IsDir() {
			return nil // made meanwhile by another task
		}
		return err
	}
	return nil
}

// ReadDir lists the directory name, sorted by name.
func ReadDir(ctx context.Context, name string) ([]fs.DirEntry, error) {
	fsys, err := filesOf(ctx)
	if err != nil {
		return nil, err
	}
	return onDisk(ctx, fsys, func() ([]fs.DirEntry, error) { return fsys.ReadDir(ctx, name) })
}

// Stat describes the file or directory name.
func Stat(ctx context.Context, name string) (fs.FileInfo, error) {
	fsys, err := filesOf(ctx)
	if err != nil {
		return nil, err
	}
	return onDisk(ctx, fsys, func() (fs.FileInfo, error) { return fsys.Stat(ctx, name) })
}

// SyncDir makes the entries created, renamed or removed in the directory
// name durable.
func SyncDir(ctx context.Context, name string) error {
	return onFiles(ctx, func(fsys anyiort.FileSystem) error { return fsys.SyncDir(ctx, name) })
}

// ReadFile reads the whole file name.
func ReadFile(ctx context.Context, name string) ([]byte, error) {
	f, err := OpenFile(ctx, name, os.O_RDONLY, 0)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	size := 512
	if info, err := f.Stat(ctx); err == nil && info.Size() > 0 && int64(int(info.Size())) == info.Size() {
		size = int(info.Size()) + 1 // one more, to see the end without growing
	}
	data := make([]byte, 0, size)
	for {
		n, err := f.Read(ctx, data[len(data):cap(data)])
		data = data[:len(data)+n]
		if err == io.EOF {
			return data, nil
		}
		if err != nil {
			return data, err
		}
		if len(data) == cap(data) {
			data = append(data, 0)[:len(data)]
		}
	}
}

// WriteFile writes data to the file name, creating it with perm if need
// be and truncating it otherwise. It does not sync, as os.WriteFile.
func WriteFile(ctx context.Context, name string, data []byte, perm fs.FileMode) error {
	f, err := OpenFile(ctx, name, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, perm)
	if err != nil {
		return err
	}
	_, err = f.Write(ctx, data)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}
