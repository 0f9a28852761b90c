package sim

import (
	"context"
	"io/fs"

	simdisk "github.com/anyiogen/anyiogen/templates/sim/disk"
)

// simFile is a file open on a host's disk.
type simFile struct {
	b    *simBackend
	d    *simDisk // the disk it was opened on
	h    *simdisk.Handle
	path string // clean, for the trace
}

func (f *simFile) op(verb string, bytes, cost int) simDiskOp {
	return simDiskOp{verb: verb, bytes: bytes, name: f.path, cost: cost}
}

func (f *simFile) Read(ctx context.Context, p []byte) (int, error) {
	faults, _, err := f.b.diskStep(ctx, f.d, f.op("read", len(p), 1))
	if err != nil {
		return 0, err
	}
	if f.b.diskDraw(faults.ReadErrorRate) {
		return 0, ioError("read", f.h.Name())
	}
	n, err := f.h.Read(p)
	f.corrupt(faults, p[:n])
	return n, err
}

func (f *simFile) ReadAt(ctx context.Context, p []byte, off int64) (int, error) {
	faults, _, err := f.b.diskStep(ctx, f.d, f.op("read", len(p), 1))
	if err != nil {
		return 0, err
	}
	if f.b.diskDraw(faults.ReadErrorRate) {
		return 0, ioError("read", f.h.Name())
	}
	n, err := f.h.ReadAt(p, off)
	f.corrupt(faults, p[:n])
	return n, err
}

// corrupt flips one bit of what a read returned, if the faults draw it;
// the file keeps its data.
func (f *simFile) corrupt(faults DiskFaults, p []byte) {
	if len(p) > 0 && f.b.diskDraw(faults.CorruptRate) {
		bit := f.b.diskIntn(8 * len(p))
		p[bit/8] ^= 1 << (bit % 8)
	}
}

func (f *simFile) Write(ctx context.Context, p []byte) (int, error) {
	faults, now, err := f.b.diskStep(ctx, f.d, f.op("write", len(p), 1))
	if err != nil {
		return 0, err
	}
	if f.b.diskDraw(faults.WriteErrorRate) {
		return 0, ioError("write", f.h.Name())
	}
	return f.h.Write(p, now)
}

func (f *simFile) WriteAt(ctx context.Context, p []byte, off int64) (int, error) {
	faults, now, err := f.b.diskStep(ctx, f.d, f.op("write", len(p), 1))
	if err != nil {
		return 0, err
	}
	if f.b.diskDraw(faults.WriteErrorRate) {
		return 0, ioError("write", f.h.Name())
	}
	return f.h.WriteAt(p, off, now)
}

func (f *simFile) Seek(ctx context.Context, off int64, whence int) (int64, error) {
	if _, _, err := f.b.diskStep(ctx, f.d, f.op("seek", -1, 1)); err != nil {
		return 0, err
	}
	return f.h.Seek(off, whence)
}

func (f *simFile) Truncate(ctx context.Context, size int64) error {
	faults, now, err := f.b.diskStep(ctx, f.d, f.op("truncate", -1, 1))
	if err != nil {
		return err
	}
	if f.b.diskDraw(faults.WriteErrorRate) {
		return ioError("truncate", f.h.Name())
	}
	return f.h.Truncate(size, now)
}

// Sync makes the file durable, unless the disk's faults fail it: then what
// was written stays unsynced, as after a failed fsync.
func (f *simFile) Sync(ctx context.Context) error {
	faults, _, err := f.b.diskStep(ctx, f.d, f.op("sync", -1, 10))
	if err != nil {
		return err
	}
	if f.b.diskDraw(faults.WriteErrorRate) {
		return ioError("sync", f.h.Name())
	}
	return f.h.Sync()
}

func (f *simFile) Stat(ctx context.Context) (fs.FileInfo, error) {
	if _, _, err := f.b.diskStep(ctx, f.d, f.op("stat", -1, 1)); err != nil {
		return nil, err
	}
	return f.h.Stat()
}

func (f *simFile) Close() error { return f.h.Close() }
