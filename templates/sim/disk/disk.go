// Package simdisk is the simulator's disk: one host's files and
// directories in memory, with POSIX semantics, as the host's own calls see
// them (the page cache), and beside them the part that is durable: file
// data and sizes as the last Sync left them, directory entries as the last
// SyncDir left them. Crash throws the rest away, or, given draws, lets
// each unsynced write survive whole, in part (whole sectors) or not at all.
//
// It is a sub-home of the sim backend: it knows nothing of tasks, clocks
// or seeds (the caller passes the time and the draws), and generation
// inlines it into the generated package (Disk becomes simdiskDisk). Its
// errors are the operating system's: *fs.PathError and *os.LinkError
// wrapping syscall errnos, as package os returns them.
package simdisk

import (
	"io/fs"
	"path"
	"strings"
	"sync"
	"syscall"
	"time"
)

// DefaultSectorSize is the unit of a torn write unless SetSectorSize
// says otherwise.
const DefaultSectorSize = 4096

// Disk is one host's disk. Its methods are safe for concurrent use.
type Disk struct {
	mu       sync.Mutex
	root     *inode
	sector   int64 // the unit in which writes tear
	capacity int64 // bytes of file data it holds; 0: unlimited
	used     int64 // bytes of file data it holds now
	seq      uint64
	epoch    uint64 // crashes so far, to mark what a crash visited
}

// New returns an empty disk: a root directory, durable.
func New() *Disk {
	return &Disk{root: newDir(0o755, time.Time{}), sector: DefaultSectorSize}
}

// SetSectorSize sets the unit in which unsynced writes tear at a crash;
// less than 1 means DefaultSectorSize. Only a disk never written to takes
// it: the sectors already marked dirty are in the old unit.
func (d *Disk) SetSectorSize(n int) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if n < 1 {
		n = DefaultSectorSize
	}
	if d.seq == 0 {
		d.sector = int64(n)
	}
}

// SetCapacity sets how many bytes of file data the disk holds; past it a
// write fails with ENOSPC. 0 means unlimited.
func (d *Disk) SetCapacity(n int64) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.capacity = max(n, 0)
}

// inode is a file or a directory. A name links to an inode; an open
// handle keeps its inode after every name is gone, as on POSIX.
type inode struct {
	mode  fs.FileMode // fs.ModeDir for a directory, and the permission bits
	mtime time.Time
	links int    // names that link to it now
	epoch uint64 // the disk's crash that last counted links

	// A file's data as reads see it, and as the last Sync left it.
	data    []byte
	durable []byte
	dirty   map[int64]uint64 // sectors that may differ from durable, each with the last write that touched it
	resized []resize         // truncations since the last Sync, in order

	// A directory's entries as lookups see them, and as the last SyncDir
	// left them.
	entries    map[string]*inode
	durEntries map[string]*inode
}

// resize is a truncation not yet synced.
type resize struct {
	seq  uint64
	size int64
}

func newDir(perm fs.FileMode, now time.Time) *inode {
	return &inode{mode: fs.ModeDir | perm, mtime: now, entries: map[string]*inode{}, durEntries: map[string]*inode{}}
}

func (n *inode) isDir() bool { return n.mode.IsDir() }

// link gives child the name base in the directory n. A child made since
// the disk's last crash belongs to its epoch.
func (n *inode) link(base string, child *inode) {
	n.entries[base] = child
	if child.links == 0 {
		child.epoch = n.epoch
	}
	child.links++
}

// Clean makes name absolute and clean: slash-separated, relative to "/".
// The empty name stays empty: it names nothing, as for package os.
func Clean(name string) string {
	if name == "" {
		return ""
	}
	return path.Clean("/" + name)
}

// walk finds the inode at the clean path p, or the errno of why not:
// ENOENT for a missing name, ENOTDIR for a file used as a directory.
func (d *Disk) walk(p string) (*inode, syscall.Errno) {
	if p == "" {
		return nil, syscall.ENOENT
	}
	n := d.root
	if p == "/" {
		return n, 0
	}
	for _, part := range strings.Split(p[1:], "/") {
		if !n.isDir() {
			return nil, syscall.ENOTDIR
		}
		next, ok := n.entries[part]
		if !ok {
			return nil, syscall.ENOENT
		}
		n = next
	}
	return n, 0
}

// parentOf finds the directory that holds the clean path p, and p's last
// element. The root has no parent: EBUSY, as for a mount point.
func (d *Disk) parentOf(p string) (*inode, string, syscall.Errno) {
	if p == "" {
		return nil, "", syscall.ENOENT
	}
	if p == "/" {
		return nil, "", syscall.EBUSY
	}
	dir, base := path.Split(p)
	parent, errno := d.walk(path.Clean(dir))
	if errno != 0 {
		return nil, "", errno
	}
	if !parent.isDir() {
		return nil, "", syscall.ENOTDIR
	}
	return parent, base, 0
}

func pathErr(op, name string, err error) error {
	return &fs.PathError{Op: op, Path: name, Err: err}
}
