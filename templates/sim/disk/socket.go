package simdisk

import (
	"io/fs"
	"syscall"
	"time"
)

// Unix sockets live in the disk's namespace, as on POSIX: bind makes a
// socket at a path, connect finds it there, and a socket that nothing
// listens on any more (after a crash, say) stays until removed.

// Socket is a socket's identity: the listener bound to it, for the
// network to find, is kept by the caller.
type Socket = *inode

// Bind makes a socket at name, as bind(2) of a Unix socket: EADDRINUSE
// when anything is there already, ENOENT or ENOTDIR for a bad parent.
func (d *Disk) Bind(name string, now time.Time) (Socket, syscall.Errno) {
	d.mu.Lock()
	defer d.mu.Unlock()
	parent, base, errno := d.parentOf(Clean(name))
	switch {
	case errno == syscall.EBUSY:
		return nil, syscall.EADDRINUSE
	case errno != 0:
		return nil, errno
	}
	if _, ok := parent.entries[base]; ok {
		return nil, syscall.EADDRINUSE
	}
	s := &inode{mode: fs.ModeSocket | 0o755&^umask, mtime: now}
	parent.link(base, s)
	parent.mtime = now
	return s, 0
}

// Lookup finds the socket at name, as connect(2) does: ENOENT when nothing
// is there, ECONNREFUSED when it is not a socket.
func (d *Disk) Lookup(name string) (Socket, syscall.Errno) {
	d.mu.Lock()
	defer d.mu.Unlock()
	n, errno := d.walk(Clean(name))
	switch {
	case errno != 0:
		return nil, errno
	case n.mode&fs.ModeSocket == 0:
		return nil, syscall.ECONNREFUSED
	}
	return n, 0
}

// Unbind removes name if it is still the socket s, as closing a Go
// UnixListener does.
func (d *Disk) Unbind(name string, s Socket, now time.Time) {
	d.mu.Lock()
	defer d.mu.Unlock()
	parent, base, errno := d.parentOf(Clean(name))
	if errno != 0 || parent.entries[base] != s {
		return
	}
	delete(parent.entries, base)
	parent.mtime = now
	d.unlinkLocked(s)
}
