package sim

import (
	"io/fs"
	"time"

	simdisk "github.com/anyiogen/anyiogen/templates/sim/disk"
)

// Disks. Each host (and localhost) has a disk of its own, kept by the
// SimNetwork so that it outlives the host's incarnations and the run: a
// restarted host finds what was durable, and a test reads it after the
// run (Disk). The disk itself is the sub-home simdisk; here it meets the
// seed (faults, torn writes) and the hosts (crashes).

// DiskFaults are what a host's disk does wrong on sim, every draw from the
// run's seed (under a fuzzer, from its input).
type DiskFaults struct {
	TornWrites     bool          // at a crash, each unsynced write survives whole, in part (whole sectors) or not at all, drawn from the seed
	SectorSize     int           // the unit of a torn write (default 4096)
	ReadErrorRate  float64       // a read fails with an I/O error (errors.Is(err, ErrIO)) with this probability
	WriteErrorRate float64       // a write or Sync fails likewise
	CorruptRate    float64       // a read returns data with one flipped bit; the file itself is unchanged
	Capacity       int64         // bytes the disk holds; past it a write fails with ErrNoSpace (0: unlimited)
	Latency        time.Duration // virtual time each operation takes (default 0; Sync: 10× it)
}

// simDisk is a host's disk and the faults set for it.
type simDisk struct {
	disk   *simdisk.Disk
	faults DiskFaults
}

// SetDiskFaults sets the faults of host's disk, from the next operation
// on; a host no AddHost gave panics.
func (n *SimNetwork) SetDiskFaults(host string, f DiskFaults) {
	n.mustKnow("SetDiskFaults", host)
	n.mu.Lock()
	defer n.mu.Unlock()
	d := n.diskLocked(n.nameOfLocked(host))
	d.faults = f
	d.disk.SetSectorSize(f.SectorSize) // a disk already written to keeps its own
	d.disk.SetCapacity(f.Capacity)
}

// Disk is host's durable state, what a crash would leave of its disk now
// (without torn writes), as a read-only fs.FS for checks after a run ("."
// is the disk's root). A host no AddHost gave panics.
func (n *SimNetwork) Disk(host string) fs.FS {
	n.mustKnow("Disk", host)
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.diskLocked(n.nameOfLocked(host)).disk.Durable().FS()
}

// diskOf is the disk of the host called name (canonical), made at its
// first use.
func (n *SimNetwork) diskOf(name string) *simDisk {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.diskLocked(name)
}

func (n *SimNetwork) diskLocked(name string) *simDisk {
	name = simHostKey(name)
	if n.disks == nil {
		n.disks = map[string]*simDisk{}
	}
	d, ok := n.disks[name]
	if !ok {
		d = &simDisk{disk: simdisk.New()}
		n.disks[name] = d
	}
	return d
}

// crashDiskLocked crashes the disk of the host called name: what was not
// durable is gone, or, if the disk tears its writes (or tear says so, for
// FaultDiskCrash), survives whole, in part or not at all, drawn from the
// run's disk stream. b.mu is held.
func (b *simBackend) crashDiskLocked(name string, tear bool) {
	d := b.net.cfg.diskOf(name)
	var draws simdisk.Draws
	if tear || b.net.cfg.diskFaults(d).TornWrites {
		draws = simDiskDraws{b}
	}
	d.disk.Crash(draws)
}

// simDiskDraws draws a crash's fates from the run's disk stream; b.mu is
// held.
type simDiskDraws struct{ b *simBackend }

func (s simDiskDraws) Intn(n int) int { return s.b.diskRng.IntN(n) }

// diskFaults is the faults in force on d.
func (n *SimNetwork) diskFaults(d *simDisk) DiskFaults {
	n.mu.Lock()
	defer n.mu.Unlock()
	return d.faults
}
