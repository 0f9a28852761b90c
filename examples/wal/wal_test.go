package wal

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/netip"
	"testing"
	"time"

	"github.com/anyiogen/anyiogen/generated/anyio"
	"github.com/anyiogen/anyiogen/generated/anyio/anyiotest"
	"github.com/anyiogen/anyiogen/internal/leaktest"
)

func TestMain(m *testing.M) { leaktest.Main(m) }

// network has the host "db", whose disk tears the write a crash catches
// it in, in sectors of 512 bytes, and takes 50µs an operation.
func network(int64) *anyio.SimNetwork {
	nw := anyio.NewSimNetwork()
	nw.AddHost("db", netip.MustParseAddr("10.0.0.1"))
	nw.SetDiskFaults("db", anyio.DiskFaults{TornWrites: true, SectorSize: 512, Latency: 50 * time.Microsecond})
	return nw
}

// record is the i-th record a run appends: its length varies so that
// records straddle sectors.
func record(i int) []byte {
	return bytes.Repeat([]byte{byte(i)}, 100+(i*397)%1500)
}

// crashWhileAppending appends records on host db until the host crashes at
// a seeded moment, then restarts it and opens the log again. It returns how
// many appends returned nil before the crash and what recovery found.
func crashWhileAppending(ctx context.Context, opts Options) (acked int, recovered [][]byte, err error) {
	nw := anyio.CurrentNetwork(ctx)
	crashAt := time.Duration(anyio.Rand(ctx).IntN(20_000)) * time.Microsecond
	err = anyio.WithTaskGroup(ctx, func(ctx context.Context, tg *anyio.TaskGroup) error {
		tg.StartSoon(func(ctx context.Context) error {
			if err := anyio.Sleep(ctx, crashAt); err != nil {
				return err
			}
			nw.Crash("db")
			return nil
		})
		err := anyio.RunHost(ctx, "db", func(ctx context.Context) error {
			log, _, err := Open(ctx, "/data", opts)
			if err != nil {
				return err
			}
			defer log.Close()
			for i := 1; ; i++ {
				if err := log.Append(ctx, record(i)); err != nil {
					return err
				}
				acked = i
			}
		})
		if !errors.Is(err, anyio.ErrHostCrashed) {
			return fmt.Errorf("the writer ended with %v, want a crash", err)
		}
		return nil
	})
	if err != nil {
		return 0, nil, err
	}
	err = anyio.RunHost(ctx, "db", func(ctx context.Context) error {
		log, records, err := Open(ctx, "/data", opts)
		if err != nil {
			return err
		}
		recovered = records
		return log.Close()
	})
	return acked, recovered, err
}

// Every acknowledged record survives, in order, and nothing else but
// possibly the record in flight, whole: on every seed, whatever the crash
// tore.
func TestRecoveryStopsAtATornRecord(t *testing.T) {
	anyiotest.Seeds(t, 200, func(t *testing.T, ctx context.Context) error {
		acked, recovered, err := crashWhileAppending(ctx, Options{})
		if err != nil {
			return err
		}
		if len(recovered) < acked || len(recovered) > acked+1 {
			return fmt.Errorf("%d records were acknowledged, %d recovered", acked, len(recovered))
		}
		for i, rec := range recovered {
			if !bytes.Equal(rec, record(i+1)) {
				return fmt.Errorf("record %d came back as %d bytes that were never appended", i+1, len(rec))
			}
		}
		anyio.Sometimes(ctx, len(recovered) == acked+1, "the record in flight survived whole")
		anyio.Sometimes(ctx, len(recovered) == acked, "the record in flight was lost or torn")
		return nil
	}, anyio.NetworkFunc(network))
}

// After recovery the log goes on: records appended after a torn tail are
// read back after the good ones.
func TestAppendAfterRecoveryFollowsTheGoodRecords(t *testing.T) {
	anyiotest.Seeds(t, 50, func(t *testing.T, ctx context.Context) error {
		_, recovered, err := crashWhileAppending(ctx, Options{})
		if err != nil {
			return err
		}
		return anyio.RunHost(ctx, "db", func(ctx context.Context) error {
			log, _, err := Open(ctx, "/data", Options{})
			if err != nil {
				return err
			}
			if err := log.Append(ctx, []byte("after")); err != nil {
				return err
			}
			log.Close()
			_, again, err := Open(ctx, "/data", Options{})
			if err != nil {
				return err
			}
			if len(again) != len(recovered)+1 || string(again[len(again)-1]) != "after" {
				return fmt.Errorf("after recovering %d records and appending one, the log holds %d", len(recovered), len(again))
			}
			return nil
		})
	}, anyio.NetworkFunc(network))
}

// Without the checksum, a torn record whose header survived comes back as
// data that was never written: the sweep finds such seeds.
func TestTrustingLengthsReadsTornRecordsAsData(t *testing.T) {
	var garbage []int64
	for seed := range int64(200) {
		err := anyio.Run(func(ctx context.Context) error {
			_, recovered, err := crashWhileAppending(ctx, Options{TrustLengths: true})
			if err != nil {
				return err
			}
			for i, rec := range recovered {
				if !bytes.Equal(rec, record(i+1)) {
					garbage = append(garbage, seed)
					break
				}
			}
			return nil
		}, anyio.Backend(anyio.BackendSim), anyio.Seed(seed), anyio.NetworkFunc(network))
		if err != nil {
			t.Fatalf("seed %d: %v", seed, err)
		}
	}
	t.Logf("seeds whose recovery returned a torn record as data: %d of 200, e.g. %v", len(garbage), garbage[:min(5, len(garbage))])
	if len(garbage) == 0 {
		t.Fatal("no seed tore a record whose header survived: the sweep shows nothing")
	}
}

// Zeros, which a torn write leaves where its sectors were lost, are not
// records: a checksum of the data alone would take eight zero bytes for an
// empty record.
func TestZerosAreNotRecords(t *testing.T) {
	if records, valid := scan(make([]byte, 64), Options{}); len(records) != 0 || valid != 0 {
		t.Fatalf("64 zero bytes scanned as %d records over %d bytes, want none", len(records), valid)
	}
}
