package generated

// Benchmarks of the file primitive: on std beside package os in the same
// run, on sim against the figures its table in the README promises.

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"testing"

	"github.com/anyiogen/anyiogen/generated/anyio"
)

// BenchmarkFileCreateWriteClose is OpenFile (creating), a 4 KiB Write and
// Close, from a task, beside os.OpenFile, Write and Close.
func BenchmarkFileCreateWriteClose(b *testing.B) {
	data := make([]byte, 4096)
	dir := b.TempDir()
	b.Run("anyio", func(b *testing.B) {
		name := filepath.Join(dir, "anyio")
		inTask(b, func(ctx context.Context) {
			for range b.N {
				f, err := anyio.OpenFile(ctx, name, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
				if err != nil {
					b.Error(err)
					return
				}
				if _, err := f.Write(ctx, data); err != nil {
					b.Error(err)
				}
				if err := f.Close(); err != nil {
					b.Error(err)
				}
			}
		})
	})
	b.Run("os", func(b *testing.B) {
		name := filepath.Join(dir, "os")
		for range b.N {
			f, err := os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
			if err != nil {
				b.Fatal(err)
			}
			if _, err := f.Write(data); err != nil {
				b.Fatal(err)
			}
			if err := f.Close(); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkFileWriteSync is a 4 KiB WriteAt and a Sync on an open file,
// from a task, beside (*os.File).WriteAt and Sync: the disk dominates.
func BenchmarkFileWriteSync(b *testing.B) {
	data := make([]byte, 4096)
	dir := b.TempDir()
	b.Run("anyio", func(b *testing.B) {
		inTask(b, func(ctx context.Context) {
			f, err := anyio.OpenFile(ctx, filepath.Join(dir, "anyio"), os.O_WRONLY|os.O_CREATE, 0o644)
			if err != nil {
				b.Error(err)
				return
			}
			defer f.Close()
			for range b.N {
				if _, err := f.WriteAt(ctx, data, 0); err != nil {
					b.Error(err)
				}
				if err := f.Sync(ctx); err != nil {
					b.Error(err)
				}
			}
		})
	})
	b.Run("os", func(b *testing.B) {
		f, err := os.OpenFile(filepath.Join(dir, "os"), os.O_WRONLY|os.O_CREATE, 0o644)
		if err != nil {
			b.Fatal(err)
		}
		defer f.Close()
		for range b.N {
			if _, err := f.WriteAt(data, 0); err != nil {
				b.Fatal(err)
			}
			if err := f.Sync(); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkSimFileWriteAt is a 4 KiB WriteAt on a simulated disk, a
// scheduling point each; writes/s is the figure the README's table gives.
func BenchmarkSimFileWriteAt(b *testing.B) {
	data := make([]byte, 4096)
	err := anyio.Run(func(ctx context.Context) error {
		f, err := anyio.OpenFile(ctx, "/f", os.O_WRONLY|os.O_CREATE, 0o644)
		if err != nil {
			return err
		}
		defer f.Close()
		b.ResetTimer()
		for i := range b.N {
			if _, err := f.WriteAt(ctx, data, int64(i%256)*4096); err != nil {
				return err
			}
		}
		b.StopTimer()
		return nil
	}, anyio.Backend(anyio.BackendSim))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "writes/s")
}

// BenchmarkSimCrashOf10000Files is the crash of a host whose disk holds
// 10,000 files, half of them synced, of 1 KiB each: only the crash is
// timed.
func BenchmarkSimCrashOf10000Files(b *testing.B) {
	data := make([]byte, 1024)
	b.StopTimer()
	for range b.N {
		nw := anyio.NewSimNetwork()
		nw.AddHost("db", netip.MustParseAddr("10.0.0.1"))
		err := anyio.Run(func(ctx context.Context) error {
			err := anyio.RunHost(ctx, "db", func(ctx context.Context) error {
				for i := range 10_000 {
					f, err := anyio.OpenFile(ctx, fmt.Sprintf("/f%05d", i), os.O_WRONLY|os.O_CREATE, 0o644)
					if err != nil {
						return err
					}
					if _, err := f.Write(ctx, data); err != nil {
						return err
					}
					if i%2 == 0 {
						if err := f.Sync(ctx); err != nil {
							return err
						}
					}
					f.Close()
				}
				if err := anyio.SyncDir(ctx, "/"); err != nil {
					return err
				}
				b.StartTimer()
				nw.Crash("db")
				b.StopTimer()
				return nil
			})
			if !errors.Is(err, anyio.ErrHostCrashed) {
				return fmt.Errorf("RunHost = %v, want the crash", err)
			}
			return nil
		}, anyio.Backend(anyio.BackendSim), anyio.Network(nw))
		if err != nil {
			b.Fatal(err)
		}
	}
}
