package sim

import (
	"context"
	"fmt"
	"io/fs"
	"syscall"
	"time"

	anyiort "github.com/anyiogen/anyiogen/runtime"
	simdisk "github.com/anyiogen/anyiogen/templates/sim/disk"
)

// The files of a sim run: each call is a scheduling point of the calling
// task that costs its disk's Latency of virtual time (a Sync ten times
// that), shows on the task's track in the trace, and may fail or corrupt
// as the disk's faults draw; then it acts on the host's disk (simdisk).

// BlocksThread reports false: a simulated disk only makes its caller wait
// on the virtual clock.
func (b *simBackend) BlocksThread() bool { return false }

// simDiskOp is a disk operation as the trace and a wait name it:
// "write 4096 B /wal/000001", "sync /wal/000001".
type simDiskOp struct {
	verb  string
	bytes int // -1: the operation moves no data
	name  string
	cost  int // in units of the disk's Latency
}

func (o simDiskOp) String() string {
	if o.bytes >= 0 {
		return fmt.Sprintf("%s %d B %s", o.verb, o.bytes, o.name)
	}
	return o.verb + " " + o.name
}

// hostDisk is the disk of the calling task's host.
func (b *simBackend) hostDisk() *simDisk { return b.net.cfg.diskOf(b.hostName()) }

// nameStep is the scheduling point of an operation on a name of the
// calling host's disk (see diskStep): its disk, the faults in force, and
// the virtual time at which it acts, or ctx's error.
func (b *simBackend) nameStep(ctx context.Context, verb, name string, cost int) (*simDisk, DiskFaults, time.Time, error) {
	d := b.hostDisk()
	faults, now, err := b.diskStep(ctx, d, simDiskOp{verb: verb, bytes: -1, name: name, cost: cost})
	return d, faults, now, err
}

// diskStep is the scheduling point of op on d: the calling task gives way
// for op's share of the disk's latency (or for a turn, without one), and
// the trace shows op on its track. It returns the faults in force and the
// virtual time at which op acts, or ctx's error.
func (b *simBackend) diskStep(ctx context.Context, d *simDisk, op simDiskOp) (DiskFaults, time.Time, error) {
	faults := b.net.cfg.diskFaults(d)
	if err := ctx.Err(); err != nil {
		return faults, time.Time{}, err
	}
	b.mu.Lock()
	if b.tracer != nil && b.current != nil {
		b.tracer.Instant(b.current.taskID, b.traceNowLocked(), "disk", op.String())
	}
	b.mu.Unlock()
	if wait := faults.Latency * time.Duration(op.cost); wait > 0 {
		w := b.NewWaiter()
		tm := b.AfterFunc(wait, w.Wake)
		if err := w.Wait(ctx, op.String()); err != nil {
			tm.Stop()
			return faults, time.Time{}, err
		}
	} else {
		b.Yield()
		if err := ctx.Err(); err != nil {
			return faults, time.Time{}, err
		}
	}
	return faults, b.Now(), nil
}

// diskDraw reports true with probability p, drawn from the run's disk
// stream; a p of 0 draws nothing, so a disk without faults never shifts
// another disk's draws.
func (b *simBackend) diskDraw(p float64) bool {
	if p <= 0 {
		return false
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.diskRng.Float64() < p
}

// diskIntn is a draw in [0, n) from the run's disk stream.
func (b *simBackend) diskIntn(n int) int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.diskRng.IntN(n)
}

// ioError is the error of an operation the disk's faults failed.
func ioError(op, name string) error {
	return &fs.PathError{Op: op, Path: name, Err: syscall.EIO}
}

// OpenFile opens name on the calling host's disk.
func (b *simBackend) OpenFile(ctx context.Context, name string, flag int, perm fs.FileMode) (anyiort.File, error) {
	d, _, now, err := b.nameStep(ctx, "open", simdisk.Clean(name), 1)
	if err != nil {
		return nil, err
	}
	h, err := d.disk.Open(name, flag, perm, now)
	if err != nil {
		return nil, err
	}
	return &simFile{b: b, d: d, h: h, path: simdisk.Clean(name)}, nil
}

// Remove removes name from the calling host's disk.
func (b *simBackend) Remove(ctx context.Context, name string) error {
	d, _, now, err := b.nameStep(ctx, "remove", simdisk.Clean(name), 1)
	if err != nil {
		return err
	}
	return d.disk.Remove(name, now)
}

// Rename renames oldpath to newpath on the calling host's disk.
func (b *simBackend) Rename(ctx context.Context, oldpath, newpath string) error {
	d, _, now, err := b.nameStep(ctx, "rename", simdisk.Clean(oldpath)+" "+simdisk.Clean(newpath), 1)
	if err != nil {
		return err
	}
	return d.disk.Rename(oldpath, newpath, now)
}

// Mkdir makes the directory name on the calling host's disk.
func (b *simBackend) Mkdir(ctx context.Context, name string, perm fs.FileMode) error {
	d, _, now, err := b.nameStep(ctx, "mkdir", simdisk.Clean(name), 1)
	if err != nil {
		return err
	}
	return d.disk.Mkdir(name, perm, now)
}

// ReadDir lists the directory name of the calling host's disk.
func (b *simBackend) ReadDir(ctx context.Context, name string) ([]fs.DirEntry, error) {
	d, _, _, err := b.nameStep(ctx, "readdir", simdisk.Clean(name), 1)
	if err != nil {
		return nil, err
	}
	return d.disk.ReadDir(name)
}

// Stat describes name on the calling host's disk.
func (b *simBackend) Stat(ctx context.Context, name string) (fs.FileInfo, error) {
	d, _, _, err := b.nameStep(ctx, "stat", simdisk.Clean(name), 1)
	if err != nil {
		return nil, err
	}
	return d.disk.Stat(name)
}

// SyncDir makes the entries of the directory name durable, unless the
// disk's faults fail it.
func (b *simBackend) SyncDir(ctx context.Context, name string) error {
	d, faults, _, err := b.nameStep(ctx, "syncdir", simdisk.Clean(name), 10)
	if err != nil {
		return err
	}
	if b.diskDraw(faults.WriteErrorRate) {
		return ioError("sync", name)
	}
	return d.disk.SyncDir(name)
}

var _ anyiort.FileSystem = (*simBackend)(nil)
