// Package wal is a small write-ahead log written against the portable
// API's files, and tested on a simulated disk that crashes and tears the
// write it was in the middle of.
//
// A record is framed as its length and a CRC-32C of the length and the
// bytes, then its bytes. The checksum covers the length because a torn
// write leaves zeros where sectors were lost, and eight zero bytes would
// otherwise read as an empty record whose checksum (of nothing) is zero:
// the sweep found that bug in an earlier version of this file. Append
// writes a record and syncs the file: once it returns, the record survives
// any crash. Open recovers the log: it reads records until the first one
// that is cut short or whose checksum does not match (the write a crash
// tore), cuts the file there, and appends after it. The checksum is what
// makes that safe: a crash may keep a record's header and lose its data, or
// keep some of its sectors and not others, and only the checksum tells such
// a record from a real one (see Options.TrustLengths, and wal_test.go's
// sweep).
package wal

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"os"
	"path"

	"github.com/anyiogen/anyiogen/generated/anyio"
)

// header is a record's frame: 4 bytes of length, 4 of checksum.
const header = 8

// maxRecord bounds a record, so that a torn length cannot ask for
// gigabytes.
const maxRecord = 1 << 20

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// Options change how a Log recovers.
type Options struct {
	// TrustLengths makes Open take every record whose length fits in the
	// file, without checking its checksum: the bug the sweep finds.
	TrustLengths bool
}

// Log is an open write-ahead log.
type Log struct {
	f    *anyio.File
	size int64 // where the next record goes
}

// Open opens the log in dir, creating it (durably) if need be, and
// returns the records it holds, in the order they were appended.
func Open(ctx context.Context, dir string, opts Options) (*Log, [][]byte, error) {
	name := path.Join(dir, "wal")
	if err := create(ctx, dir, name); err != nil {
		return nil, nil, err
	}
	f, err := anyio.OpenFile(ctx, name, os.O_RDWR, 0)
	if err != nil {
		return nil, nil, err
	}
	data, err := readAll(ctx, f)
	if err != nil {
		f.Close()
		return nil, nil, err
	}
	records, valid := scan(data, opts)
	if valid < int64(len(data)) {
		// Cut the torn tail, so that the next record follows the last
		// good one, and make the cut durable before appending after it.
		if err := f.Truncate(ctx, valid); err != nil {
			f.Close()
			return nil, nil, err
		}
		if err := f.Sync(ctx); err != nil {
			f.Close()
			return nil, nil, err
		}
	}
	return &Log{f: f, size: valid}, records, nil
}

// create makes dir and an empty log in it unless the log exists, and
// makes both durable: a file is durable only once its directory entry is.
func create(ctx context.Context, dir, name string) error {
	if _, err := anyio.Stat(ctx, name); err == nil {
		return nil
	}
	if err := anyio.MkdirAll(ctx, dir, 0o755); err != nil {
		return err
	}
	f, err := anyio.OpenFile(ctx, name, os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	if err := f.Sync(ctx); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := anyio.SyncDir(ctx, dir); err != nil {
		return err
	}
	return anyio.SyncDir(ctx, path.Dir(dir))
}

func readAll(ctx context.Context, f *anyio.File) ([]byte, error) {
	info, err := f.Stat(ctx)
	if err != nil {
		return nil, err
	}
	data := make([]byte, info.Size())
	if _, err := f.ReadAt(ctx, data, 0); err != nil && len(data) > 0 {
		return nil, err
	}
	return data, nil
}

// scan returns the records at the head of data that are whole (and, unless
// opts trust lengths, match their checksums), and how many bytes they take.
func scan(data []byte, opts Options) (records [][]byte, valid int64) {
	for off := 0; ; {
		if len(data)-off < header {
			return records, int64(off)
		}
		n := int(binary.LittleEndian.Uint32(data[off:]))
		sum := binary.LittleEndian.Uint32(data[off+4:])
		end := off + header + n
		if n > maxRecord || end > len(data) {
			return records, int64(off)
		}
		rec := data[off+header : end]
		if !opts.TrustLengths && checksum(data[off:off+4], rec) != sum {
			return records, int64(off)
		}
		records = append(records, rec)
		off = end
	}
}

// checksum is the CRC-32C of a record's length field and its bytes.
func checksum(length, rec []byte) uint32 {
	return crc32.Update(crc32.Checksum(length, castagnoli), castagnoli, rec)
}

// ErrTooLarge is returned by Append for a record over 1 MiB.
var ErrTooLarge = errors.New("wal: record too large")

// Append writes rec as the next record and syncs it: once it returns nil,
// the record survives a crash.
func (l *Log) Append(ctx context.Context, rec []byte) error {
	if len(rec) > maxRecord {
		return fmt.Errorf("%w: %d bytes", ErrTooLarge, len(rec))
	}
	buf := make([]byte, header+len(rec))
	binary.LittleEndian.PutUint32(buf, uint32(len(rec)))
	binary.LittleEndian.PutUint32(buf[4:], checksum(buf[:4], rec))
	copy(buf[header:], rec)
	if _, err := l.f.WriteAt(ctx, buf, l.size); err != nil {
		return err
	}
	if err := l.f.Sync(ctx); err != nil {
		return err
	}
	l.size += int64(len(buf))
	return nil
}

// Close closes the log's file.
func (l *Log) Close() error { return l.f.Close() }
