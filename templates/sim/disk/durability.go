package simdisk

import (
	"maps"
	"slices"
	"syscall"
	"time"
)

// What is durable. A write changes a file's data at once and marks the
// sectors it touched dirty; Sync copies the dirty sectors into the durable
// data, so it costs what was written since, not the file's size. A
// truncation marks the sectors between the two sizes dirty, for the same
// reason, and is remembered until Sync for a crash to replay or not.

// writeLocked writes p at off into n, or fails with ENOSPC past the
// capacity.
func (d *Disk) writeLocked(n *inode, p []byte, off int64, now time.Time) error {
	end := off + int64(len(p))
	if grow := end - int64(len(n.data)); grow > 0 {
		if d.named(n) {
			if d.capacity > 0 && d.used+grow > d.capacity {
				return syscall.ENOSPC
			}
			d.used += grow
		}
		n.data = growTo(n.data, end)
	}
	copy(n.data[off:], p)
	d.seq++
	d.markLocked(n, off, end)
	n.mtime = now
	return nil
}

// truncateLocked sets n's size.
func (d *Disk) truncateLocked(n *inode, size int64, now time.Time) error {
	old := int64(len(n.data))
	if d.named(n) {
		if size > old && d.capacity > 0 && d.used+size-old > d.capacity {
			return syscall.ENOSPC
		}
		d.used += size - old
	}
	if size < old {
		clear(n.data[size:])
		n.data = n.data[:size]
	} else {
		n.data = growTo(n.data, size)
	}
	d.seq++
	d.markLocked(n, min(size, old), max(size, old))
	n.resized = append(n.resized, resize{seq: d.seq, size: size})
	n.mtime = now
	return nil
}

// named reports whether a name links to n now, so that its data counts
// against the capacity: an open file whose names are gone (removed, or
// lost in a crash, which leaves its link count as it was) does not.
func (d *Disk) named(n *inode) bool { return n.links > 0 && n.epoch == d.epoch }

// markLocked marks the sectors over [from, to) dirty by the latest write.
func (d *Disk) markLocked(n *inode, from, to int64) {
	if from >= to {
		return
	}
	if n.dirty == nil {
		n.dirty = map[int64]uint64{}
	}
	for s := from / d.sector; s*d.sector < to; s++ {
		n.dirty[s] = d.seq
	}
}

// growTo extends b with zeros to size, keeping spare capacity so that
// appending a little at a time stays linear. The spare room may hold old
// bytes (a shrink keeps them), so what it exposes is cleared.
func growTo(b []byte, size int64) []byte {
	old := len(b)
	if size <= int64(cap(b)) {
		b = b[:size]
	} else {
		b = append(b[:cap(b)], make([]byte, size-int64(cap(b)))...)[:size]
	}
	clear(b[old:])
	return b
}

// syncLocked makes n's data and size durable.
func (d *Disk) syncLocked(n *inode) {
	size := int64(len(n.data))
	if int64(len(n.durable)) > size {
		n.durable = n.durable[:size]
	} else {
		n.durable = growTo(n.durable, size)
	}
	for s := range n.dirty {
		if lo := s * d.sector; lo < size {
			copy(n.durable[lo:min(lo+d.sector, size)], n.data[lo:])
		}
	}
	clear(n.dirty)
	n.resized = n.resized[:0]
}

// Draws decide the fate of what was not durable at a crash: Intn returns a
// number in [0, n). The caller draws from its seed.
type Draws interface {
	Intn(n int) int
}

// Crash leaves the disk as a crash would: every directory holds what its
// last SyncDir left in it, and every file what its last Sync left. With
// draws (nil: none), each write or truncation since a file's last Sync
// instead survives whole, in part (each of its sectors survives or not) or
// not at all, as on a disk that had flushed some of its cache. Handles
// still open keep working on what is left. It costs a visit of each inode
// and a copy of what was not durable, nothing for a file that was.
func (d *Disk) Crash(draws Draws) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.used = 0
	d.epoch++
	d.restoreLocked(d.root, draws)
}

// restoreLocked counts one more link to n and, at its first visit of the
// crash, brings it back to its durable state and visits what it holds.
func (d *Disk) restoreLocked(n *inode, draws Draws) {
	if n.epoch != d.epoch {
		n.epoch, n.links = d.epoch, 0
	}
	if n.links++; n.links > 1 {
		return
	}
	if !n.isDir() {
		d.recoverLocked(n, draws)
		d.used += int64(len(n.data))
		return
	}
	if len(n.entries) != len(n.durEntries) || !sameEntries(n.entries, n.durEntries) {
		n.entries = maps.Clone(n.durEntries)
	}
	if draws == nil {
		for _, child := range n.entries {
			d.restoreLocked(child, nil)
		}
		return
	}
	for _, base := range slices.Sorted(maps.Keys(n.entries)) {
		d.restoreLocked(n.entries[base], draws) // in a fixed order: each draws
	}
}

// sameEntries reports whether a directory's entries are its durable ones.
func sameEntries(a, b map[string]*inode) bool {
	for base, n := range a {
		if b[base] != n {
			return false
		}
	}
	return true
}

// recoverLocked sets a file's data to what survives a crash. A file with
// nothing unsynced is already there.
func (d *Disk) recoverLocked(n *inode, draws Draws) {
	if len(n.dirty) == 0 && len(n.resized) == 0 {
		return
	}
	if draws != nil {
		n.data = d.tearLocked(n, append([]byte(nil), n.durable...), draws)
		n.durable = append(n.durable[:0], n.data...)
	} else {
		n.data = append(n.data[:0], n.durable...)
	}
	n.dirty, n.resized = nil, nil
}

// The fates of a write not yet durable at a crash.
const (
	lost = iota
	whole
	torn
)

// tearLocked replays onto out, the durable data, each unsynced change of
// n that draws let survive: truncations first, then the dirty sectors with
// the data they hold now.
func (d *Disk) tearLocked(n *inode, out []byte, draws Draws) []byte {
	fates := map[uint64]int{}
	fate := func(seq uint64) int {
		f, ok := fates[seq]
		if !ok {
			f = draws.Intn(3)
			fates[seq] = f
		}
		return f
	}
	for _, r := range n.resized {
		if fate(r.seq) != lost {
			if r.size < int64(len(out)) {
				out = out[:r.size]
			} else {
				out = growTo(out, r.size)
			}
		}
	}
	for _, s := range slices.Sorted(maps.Keys(n.dirty)) {
		f := fate(n.dirty[s])
		if f == lost || f == torn && draws.Intn(2) == 0 {
			continue
		}
		lo := s * d.sector
		hi := min(lo+d.sector, int64(len(n.data)))
		if lo >= hi {
			continue
		}
		if int64(len(out)) < hi {
			out = growTo(out, hi)
		}
		copy(out[lo:hi], n.data[lo:hi])
	}
	return out
}

// Durable returns a new disk that holds what this one would after a crash
// without torn writes: what Sync and SyncDir made durable.
func (d *Disk) Durable() *Disk {
	d.mu.Lock()
	defer d.mu.Unlock()
	out := &Disk{sector: d.sector}
	copies := map[*inode]*inode{}
	var durableCopy func(n *inode) *inode
	durableCopy = func(n *inode) *inode {
		if c, ok := copies[n]; ok {
			c.links++
			return c
		}
		c := &inode{mode: n.mode, mtime: n.mtime, links: 1}
		copies[n] = c
		if !n.isDir() {
			c.data = append([]byte(nil), n.durable...)
			c.durable = append([]byte(nil), n.durable...)
			out.used += int64(len(c.data))
			return c
		}
		c.entries, c.durEntries = map[string]*inode{}, map[string]*inode{}
		for _, base := range slices.Sorted(maps.Keys(n.durEntries)) {
			child := durableCopy(n.durEntries[base])
			c.entries[base], c.durEntries[base] = child, child
		}
		return c
	}
	out.root = durableCopy(d.root)
	return out
}
