package simdisk

import (
	"errors"
	"io"
	"io/fs"
	"os"
	"syscall"
	"time"
)

// Handle is an open file or directory, as an *os.File: an offset, the
// access its flags allow, and the inode it keeps.
type Handle struct {
	d      *Disk
	n      *inode
	name   string // as the caller gave it, for errors
	read   bool
	write  bool
	append bool
	sync   bool // O_SYNC: every write is synced
	off    int64
	closed bool
}

// Open opens name as os.OpenFile does; now stamps what it creates or
// truncates.
func (d *Disk) Open(name string, flag int, perm fs.FileMode, now time.Time) (*Handle, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	h := &Handle{
		d: d, name: name,
		read:   flag&os.O_WRONLY == 0,
		write:  flag&(os.O_WRONLY|os.O_RDWR) != 0,
		append: flag&os.O_APPEND != 0,
		sync:   flag&os.O_SYNC != 0,
	}
	p := Clean(name)
	n, errno := d.walk(p)
	switch {
	case errno == syscall.ENOENT && flag&os.O_CREATE != 0:
		parent, base, errno := d.parentOf(p)
		if errno != 0 {
			return nil, pathErr("open", name, errno)
		}
		n = &inode{mode: perm & fs.ModePerm &^ umask, mtime: now}
		parent.link(base, n)
		parent.mtime = now
	case errno != 0:
		return nil, pathErr("open", name, errno)
	case flag&(os.O_CREATE|os.O_EXCL) == os.O_CREATE|os.O_EXCL:
		return nil, pathErr("open", name, syscall.EEXIST)
	case n.isDir() && h.write:
		return nil, pathErr("open", name, syscall.EISDIR)
	case n.mode&fs.ModeSocket != 0:
		return nil, pathErr("open", name, syscall.ENXIO)
	case flag&os.O_TRUNC != 0 && h.write:
		d.truncateLocked(n, 0, now)
	}
	h.n = n
	return h, nil
}

// Name is the name the file was opened with.
func (h *Handle) Name() string { return h.name }

// check is the error of an operation op that needs read or write access,
// or nil.
func (h *Handle) check(op string, needWrite bool) error {
	switch {
	case h.closed:
		return pathErr(op, h.name, fs.ErrClosed)
	case h.n.isDir() && op == "read":
		return pathErr(op, h.name, syscall.EISDIR)
	case needWrite && !h.write, !needWrite && !h.read:
		return pathErr(op, h.name, syscall.EBADF)
	}
	return nil
}

// Read reads from the offset, as (*os.File).Read.
func (h *Handle) Read(p []byte) (int, error) {
	h.d.mu.Lock()
	defer h.d.mu.Unlock()
	if err := h.check("read", false); err != nil {
		return 0, err
	}
	if len(p) == 0 {
		return 0, nil
	}
	n := h.readAtLocked(p, h.off)
	h.off += int64(n)
	if n == 0 {
		return 0, io.EOF
	}
	return n, nil
}

// ReadAt reads at off, as (*os.File).ReadAt: all of p, or io.EOF.
func (h *Handle) ReadAt(p []byte, off int64) (int, error) {
	h.d.mu.Lock()
	defer h.d.mu.Unlock()
	if err := h.check("read", false); err != nil {
		return 0, err
	}
	if off < 0 {
		return 0, pathErr("readat", h.name, errors.New("negative offset"))
	}
	n := h.readAtLocked(p, off)
	if n < len(p) {
		return n, io.EOF
	}
	return n, nil
}

func (h *Handle) readAtLocked(p []byte, off int64) int {
	if off >= int64(len(h.n.data)) {
		return 0
	}
	return copy(p, h.n.data[off:])
}

// Write writes at the offset (at the end under O_APPEND), as
// (*os.File).Write.
func (h *Handle) Write(p []byte, now time.Time) (int, error) {
	h.d.mu.Lock()
	defer h.d.mu.Unlock()
	if err := h.check("write", true); err != nil {
		return 0, err
	}
	off := h.off
	if h.append {
		off = int64(len(h.n.data))
	}
	if err := h.writeAtLocked("write", p, off, now); err != nil {
		return 0, err
	}
	h.off = off + int64(len(p))
	return len(p), nil
}

// WriteAt writes at off, as (*os.File).WriteAt.
func (h *Handle) WriteAt(p []byte, off int64, now time.Time) (int, error) {
	h.d.mu.Lock()
	defer h.d.mu.Unlock()
	if err := h.check("write", true); err != nil {
		return 0, err
	}
	switch {
	case h.append:
		return 0, errors.New("os: invalid use of WriteAt on file opened with O_APPEND")
	case off < 0:
		return 0, pathErr("writeat", h.name, errors.New("negative offset"))
	}
	if err := h.writeAtLocked("write", p, off, now); err != nil {
		return 0, err
	}
	return len(p), nil
}

func (h *Handle) writeAtLocked(op string, p []byte, off int64, now time.Time) error {
	if len(p) == 0 {
		return nil
	}
	if err := h.d.writeLocked(h.n, p, off, now); err != nil {
		return pathErr(op, h.name, err)
	}
	if h.sync {
		h.d.syncLocked(h.n)
	}
	return nil
}

// Seek sets the offset, as (*os.File).Seek.
func (h *Handle) Seek(offset int64, whence int) (int64, error) {
	h.d.mu.Lock()
	defer h.d.mu.Unlock()
	if h.closed {
		return 0, pathErr("seek", h.name, fs.ErrClosed)
	}
	switch whence {
	case io.SeekStart:
	case io.SeekCurrent:
		offset += h.off
	case io.SeekEnd:
		offset += int64(len(h.n.data))
	default:
		return 0, pathErr("seek", h.name, syscall.EINVAL)
	}
	if offset < 0 {
		return 0, pathErr("seek", h.name, syscall.EINVAL)
	}
	h.off = offset
	return offset, nil
}

// Truncate changes the file's size, as (*os.File).Truncate.
func (h *Handle) Truncate(size int64, now time.Time) error {
	h.d.mu.Lock()
	defer h.d.mu.Unlock()
	switch {
	case h.closed:
		return pathErr("truncate", h.name, fs.ErrClosed)
	case size < 0 || !h.write:
		return pathErr("truncate", h.name, syscall.EINVAL)
	}
	if err := h.d.truncateLocked(h.n, size, now); err != nil {
		return pathErr("truncate", h.name, err)
	}
	return nil
}

// Sync makes the file's data and size durable, as (*os.File).Sync.
func (h *Handle) Sync() error {
	h.d.mu.Lock()
	defer h.d.mu.Unlock()
	if h.closed {
		return pathErr("sync", h.name, fs.ErrClosed)
	}
	if h.n.isDir() {
		h.d.syncEntriesLocked(h.n) // fsync of a directory, as SyncDir
		return nil
	}
	h.d.syncLocked(h.n)
	return nil
}

// Stat describes the open file, as (*os.File).Stat.
func (h *Handle) Stat() (fs.FileInfo, error) {
	h.d.mu.Lock()
	defer h.d.mu.Unlock()
	if h.closed {
		return nil, pathErr("stat", h.name, fs.ErrClosed)
	}
	return infoOf(baseName(Clean(h.name)), h.n), nil
}

// ReadDir lists an open directory, sorted by name.
func (h *Handle) ReadDir() ([]fs.DirEntry, error) {
	h.d.mu.Lock()
	defer h.d.mu.Unlock()
	switch {
	case h.closed:
		return nil, pathErr("readdirent", h.name, fs.ErrClosed)
	case !h.n.isDir():
		return nil, pathErr("readdirent", h.name, syscall.ENOTDIR)
	}
	return listOf(h.n), nil
}

// Close closes the handle; closing it again is an error, as for an
// *os.File.
func (h *Handle) Close() error {
	h.d.mu.Lock()
	defer h.d.mu.Unlock()
	if h.closed {
		return pathErr("close", h.name, fs.ErrClosed)
	}
	h.closed = true
	return nil
}
