package simdisk

import (
	"bytes"
	"io"
	"io/fs"
	"syscall"
)

// FS is a read-only view of the disk as it is when each call is made, for
// checks outside a run: fs.FS, fs.ReadFileFS, fs.ReadDirFS and fs.StatFS,
// with names as fs.ValidPath wants them ("." is the root).
func (d *Disk) FS() fs.FS { return view{d} }

type view struct{ d *Disk }

// pathOf is the disk's path of a valid fs name, or an fs.ErrInvalid error.
func (v view) pathOf(op, name string) (string, error) {
	if !fs.ValidPath(name) {
		return "", pathErr(op, name, fs.ErrInvalid)
	}
	return Clean(name), nil
}

func (v view) Open(name string) (fs.File, error) {
	p, err := v.pathOf("open", name)
	if err != nil {
		return nil, err
	}
	v.d.mu.Lock()
	defer v.d.mu.Unlock()
	n, errno := v.d.walk(p)
	if errno != 0 {
		return nil, pathErr("open", name, errno)
	}
	info := infoOf(baseName(p), n)
	if p == "/" {
		info.name = "."
	}
	if n.isDir() {
		return &viewDir{info: info, entries: listOf(n)}, nil
	}
	return &viewFile{info: info, Reader: bytes.NewReader(bytes.Clone(n.data))}, nil
}

func (v view) ReadFile(name string) ([]byte, error) {
	p, err := v.pathOf("open", name)
	if err != nil {
		return nil, err
	}
	v.d.mu.Lock()
	defer v.d.mu.Unlock()
	n, errno := v.d.walk(p)
	switch {
	case errno != 0:
		return nil, pathErr("open", name, errno)
	case n.isDir():
		return nil, pathErr("read", name, syscall.EISDIR)
	}
	return bytes.Clone(n.data), nil
}

func (v view) ReadDir(name string) ([]fs.DirEntry, error) {
	if _, err := v.pathOf("readdir", name); err != nil {
		return nil, err
	}
	return v.d.ReadDir(name)
}

func (v view) Stat(name string) (fs.FileInfo, error) {
	p, err := v.pathOf("stat", name)
	if err != nil {
		return nil, err
	}
	info, err := v.d.Stat(name)
	if err == nil && p == "/" {
		fi := info.(fileInfo)
		fi.name = "."
		info = fi
	}
	return info, err
}

// viewFile is a file opened through the view: a copy of its data.
type viewFile struct {
	info fileInfo
	*bytes.Reader
}

func (f *viewFile) Stat() (fs.FileInfo, error) { return f.info, nil }
func (f *viewFile) Close() error               { return nil }

// viewDir is a directory opened through the view: its entries then.
type viewDir struct {
	info    fileInfo
	entries []fs.DirEntry
	next    int
}

func (d *viewDir) Stat() (fs.FileInfo, error) { return d.info, nil }
func (d *viewDir) Close() error               { return nil }
func (d *viewDir) Read([]byte) (int, error) {
	return 0, pathErr("read", d.info.name, syscall.EISDIR)
}

// ReadDir returns the next n entries (all that are left when n <= 0), as
// fs.ReadDirFile says.
func (d *viewDir) ReadDir(n int) ([]fs.DirEntry, error) {
	left := d.entries[d.next:]
	if n <= 0 {
		d.next = len(d.entries)
		return left, nil
	}
	if len(left) == 0 {
		return nil, io.EOF
	}
	left = left[:min(n, len(left))]
	d.next += len(left)
	return left, nil
}
