package simdisk

import (
	"io/fs"
	"maps"
	"os"
	"slices"
	"strings"
	"syscall"
	"time"
)

// Mkdir makes the directory name, as os.Mkdir does.
func (d *Disk) Mkdir(name string, perm fs.FileMode, now time.Time) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	parent, base, errno := d.parentOf(Clean(name))
	switch {
	case errno == syscall.EBUSY:
		return pathErr("mkdir", name, syscall.EEXIST)
	case errno != 0:
		return pathErr("mkdir", name, errno)
	}
	if _, ok := parent.entries[base]; ok {
		return pathErr("mkdir", name, syscall.EEXIST)
	}
	parent.link(base, newDir(perm&fs.ModePerm&^umask, now))
	parent.mtime = now
	return nil
}

// umask is the permission bits a new file or directory never gets, as
// under the usual process umask.
const umask fs.FileMode = 0o022

// Remove removes the file or empty directory name, as os.Remove does.
func (d *Disk) Remove(name string, now time.Time) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	parent, base, errno := d.parentOf(Clean(name))
	if errno != 0 {
		return pathErr("remove", name, errno)
	}
	n, ok := parent.entries[base]
	switch {
	case !ok:
		return pathErr("remove", name, syscall.ENOENT)
	case n.isDir() && len(n.entries) > 0:
		return pathErr("remove", name, syscall.ENOTEMPTY)
	}
	delete(parent.entries, base)
	parent.mtime = now
	d.unlinkLocked(n)
	return nil
}

// unlinkLocked drops a name of n: once none is left, its data no longer
// counts against the capacity (an open handle may still use it).
func (d *Disk) unlinkLocked(n *inode) {
	if n.links--; n.links == 0 && !n.isDir() {
		d.used -= int64(len(n.data))
	}
}

// Rename renames oldpath to newpath atomically, replacing a file there, as
// os.Rename does on POSIX: a directory at newpath is EEXIST.
func (d *Disk) Rename(oldpath, newpath string, now time.Time) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	fail := func(errno syscall.Errno) error {
		return &os.LinkError{Op: "rename", Old: oldpath, New: newpath, Err: errno}
	}
	oldp, newp := Clean(oldpath), Clean(newpath)
	from, oldBase, errno := d.parentOf(oldp)
	if errno != 0 {
		return fail(errno)
	}
	n, ok := from.entries[oldBase]
	if !ok {
		return fail(syscall.ENOENT)
	}
	to, newBase, errno := d.parentOf(newp)
	if errno != 0 {
		return fail(errno)
	}
	if oldp == newp {
		return nil
	}
	if n.isDir() && strings.HasPrefix(newp, oldp+"/") {
		return fail(syscall.EINVAL) // into itself
	}
	if old, ok := to.entries[newBase]; ok {
		switch {
		case old == n:
			return nil
		case old.isDir():
			return fail(syscall.EEXIST)
		case n.isDir():
			return fail(syscall.ENOTDIR)
		}
		d.unlinkLocked(old)
	}
	delete(from.entries, oldBase)
	to.link(newBase, n)
	n.links-- // the old name, deleted above
	from.mtime, to.mtime = now, now
	return nil
}

// Stat describes the file or directory name, as os.Stat does.
func (d *Disk) Stat(name string) (fs.FileInfo, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	p := Clean(name)
	n, errno := d.walk(p)
	if errno != 0 {
		return nil, pathErr("stat", name, errno)
	}
	return infoOf(baseName(p), n), nil
}

// ReadDir lists the directory name sorted by name, as os.ReadDir does.
func (d *Disk) ReadDir(name string) ([]fs.DirEntry, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	n, errno := d.walk(Clean(name))
	switch {
	case errno != 0:
		return nil, pathErr("open", name, errno)
	case !n.isDir():
		return nil, pathErr("open", name, syscall.ENOTDIR) // as os.ReadDir, which opens it as a directory
	}
	return listOf(n), nil
}

// listOf is dir's entries, sorted by name.
func listOf(dir *inode) []fs.DirEntry {
	out := make([]fs.DirEntry, 0, len(dir.entries))
	for _, base := range slices.Sorted(maps.Keys(dir.entries)) {
		out = append(out, fs.FileInfoToDirEntry(infoOf(base, dir.entries[base])))
	}
	return out
}

// SyncDir makes the entries of the directory name durable: what was
// created, renamed into it, or removed from it since its last SyncDir.
func (d *Disk) SyncDir(name string) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	n, errno := d.walk(Clean(name))
	switch {
	case errno != 0:
		return pathErr("open", name, errno)
	case !n.isDir():
		d.syncLocked(n) // as fsync of the file opened read-only
		return nil
	}
	d.syncEntriesLocked(n)
	return nil
}

// syncEntriesLocked makes the directory n's entries durable.
func (d *Disk) syncEntriesLocked(n *inode) {
	clear(n.durEntries)
	for base, child := range n.entries {
		n.durEntries[base] = child
	}
}

func baseName(p string) string {
	if p == "/" {
		return "/"
	}
	return p[strings.LastIndexByte(p, '/')+1:]
}
