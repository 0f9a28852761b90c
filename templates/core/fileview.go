package core

import (
	"context"
	"errors"
	"io"
	"io/fs"
	"os"
	"path"
	"syscall"
)

// FS is a read-only view of the directory root of the backend's disk for
// the standard library (fs.FS, fs.ReadFileFS, fs.ReadDirFS, fs.StatFS):
// every call goes through this package with ctx, so on sim it is a
// scheduling point of the calling task. Names are as fs.ValidPath wants
// them, and errors name them so.
func FS(ctx context.Context, root string) fs.FS { return fileView{ctx: ctx, root: root} }

type fileView struct {
	ctx  context.Context
	root string
}

// full is the disk's name of a valid fs name, or an fs.ErrInvalid error.
func (v fileView) full(op, name string) (string, error) {
	if !fs.ValidPath(name) {
		return "", &fs.PathError{Op: op, Path: name, Err: fs.ErrInvalid}
	}
	return path.Join(v.root, name), nil
}

// renamed is err with the fs name in place of the disk's, as os.DirFS
// reports it.
func renamed(err error, name string) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return &fs.PathError{Op: pe.Op, Path: name, Err: pe.Err}
	}
	return err
}

func (v fileView) Open(name string) (fs.File, error) {
	full, err := v.full("open", name)
	if err != nil {
		return nil, err
	}
	f, err := OpenFile(v.ctx, full, os.O_RDONLY, 0)
	if err != nil {
		return nil, renamed(err, name)
	}
	info, err := f.Stat(v.ctx)
	if err != nil {
		f.Close()
		return nil, renamed(err, name)
	}
	vf := &viewFile{ctx: v.ctx, f: f, name: name}
	if info.IsDir() {
		return &viewDir{viewFile: vf, full: full}, nil
	}
	return vf, nil
}

func (v fileView) ReadFile(name string) ([]byte, error) {
	full, err := v.full("open", name)
	if err != nil {
		return nil, err
	}
	data, err := ReadFile(v.ctx, full)
	return data, renamed(err, name)
}

func (v fileView) ReadDir(name string) ([]fs.DirEntry, error) {
	full, err := v.full("readdir", name)
	if err != nil {
		return nil, err
	}
	entries, err := ReadDir(v.ctx, full)
	return entries, renamed(err, name)
}

func (v fileView) Stat(name string) (fs.FileInfo, error) {
	full, err := v.full("stat", name)
	if err != nil {
		return nil, err
	}
	info, err := Stat(v.ctx, full)
	return info, renamed(err, name)
}

// viewFile is a file opened through FS: an fs.File, io.Seeker and
// io.ReaderAt.
type viewFile struct {
	ctx  context.Context
	f    *File
	name string
}

func (f *viewFile) Stat() (fs.FileInfo, error) {
	info, err := f.f.Stat(f.ctx)
	return info, renamed(err, f.name)
}

func (f *viewFile) Read(p []byte) (int, error) {
	n, err := f.f.Read(f.ctx, p)
	return n, renamed(err, f.name)
}

func (f *viewFile) ReadAt(p []byte, off int64) (int, error) {
	n, err := f.f.ReadAt(f.ctx, p, off)
	return n, renamed(err, f.name)
}

func (f *viewFile) Seek(off int64, whence int) (int64, error) {
	n, err := f.f.Seek(f.ctx, off, whence)
	return n, renamed(err, f.name)
}

func (f *viewFile) Close() error { return renamed(f.f.Close(), f.name) }

// viewDir is a directory opened through FS: an fs.ReadDirFile whose
// entries are read at the first ReadDir.
type viewDir struct {
	*viewFile
	full    string
	entries []fs.DirEntry
	read    bool
}

func (d *viewDir) Read([]byte) (int, error) {
	return 0, &fs.PathError{Op: "read", Path: d.name, Err: syscall.EISDIR}
}

// ReadDir returns the next n entries (all that are left when n <= 0), as
// fs.ReadDirFile says.
func (d *viewDir) ReadDir(n int) ([]fs.DirEntry, error) {
	if !d.read {
		entries, err := ReadDir(d.ctx, d.full)
		if err != nil {
			return nil, renamed(err, d.name)
		}
		d.entries, d.read = entries, true
	}
	if n <= 0 {
		left := d.entries
		d.entries = nil
		return left, nil
	}
	if len(d.entries) == 0 {
		return nil, io.EOF
	}
	left := d.entries[:min(n, len(d.entries))]
	d.entries = d.entries[len(left):]
	return left, nil
}
