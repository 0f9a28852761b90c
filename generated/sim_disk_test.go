package generated

// Disks on sim: every sentence of API.md's "Files and disks" that only a
// simulated disk can show (durability, crashes, torn writes, faults,
// latency, the trace), each over diskSeeds seeds.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/netip"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/anyiogen/anyiogen/generated/anyio"
)

// diskSeeds is how many seeds each disk scenario runs under.
const diskSeeds = 40

// diskNetwork has one host, "db", besides localhost.
func diskNetwork() *anyio.SimNetwork {
	nw := anyio.NewSimNetwork()
	nw.AddHost("db", netip.MustParseAddr("10.0.0.9"))
	return nw
}

// onHost runs body as host "db" and returns its error.
func onHost(ctx context.Context, body func(ctx context.Context) error) error {
	return anyio.RunHost(ctx, "db", body)
}

// crashed runs body as host "db", crashes the host once body returns,
// and reports whether RunHost said so.
func crashed(ctx context.Context, nw *anyio.SimNetwork, body func(ctx context.Context) error) error {
	err := onHost(ctx, func(ctx context.Context) error {
		if err := body(ctx); err != nil {
			return err
		}
		nw.Crash("db")
		return anyio.Sleep(ctx, time.Second) // never returns: the host is gone
	})
	if !errors.Is(err, anyio.ErrHostCrashed) {
		return fmt.Errorf("RunHost = %v, want ErrHostCrashed", err)
	}
	return nil
}

// readAfterRestart restarts "db" and reads name there: its data, or nil
// when it does not exist.
func readAfterRestart(ctx context.Context, name string) ([]byte, error) {
	var data []byte
	err := onHost(ctx, func(ctx context.Context) error {
		var err error
		data, err = anyio.ReadFile(ctx, name)
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		return err
	})
	return data, err
}

// appendSynced appends rec to name; sync and syncDir say what it makes
// durable.
func appendSynced(ctx context.Context, name, rec string, sync, syncDir bool) error {
	f, err := anyio.OpenFile(ctx, name, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	defer f.Close()
	if _, err := f.Write(ctx, []byte(rec)); err != nil {
		return err
	}
	if sync {
		if err := f.Sync(ctx); err != nil {
			return err
		}
	}
	if syncDir {
		return anyio.SyncDir(ctx, "/")
	}
	return nil
}

func TestDiskCrashKeepsExactlyWhatWasDurable(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name          string
		sync, syncDir bool
		want          string // "": the file is gone
	}{
		{"no sync", false, false, ""},
		{"Sync without SyncDir", true, false, ""},
		{"SyncDir without Sync", false, true, "first;"},
		{"Sync and SyncDir", true, true, "first;second;"},
	} {
		for seed := range int64(diskSeeds) {
			nw := diskNetwork()
			err := simRun(t, func(ctx context.Context) error {
				if err := crashed(ctx, nw, func(ctx context.Context) error {
					if err := appendSynced(ctx, "log", "first;", true, true); err != nil {
						return err
					}
					if c.want == "" {
						if err := anyio.Remove(ctx, "log"); err != nil { // a new file from here on
							return err
						}
						if err := anyio.SyncDir(ctx, "/"); err != nil {
							return err
						}
					}
					if err := appendSynced(ctx, "log", "second;", c.sync, c.syncDir); err != nil {
						return err
					}
					data, err := anyio.ReadFile(ctx, "log")
					if !bytes.HasSuffix(data, []byte("second;")) || err != nil {
						return fmt.Errorf("before the crash the host reads %q, %v: want its own writes", data, err)
					}
					return nil
				}); err != nil {
					return err
				}
				data, err := readAfterRestart(ctx, "/log")
				if string(data) != c.want || err != nil {
					return fmt.Errorf("%s: after a restart the file holds %q (%v), want %q", c.name, data, err, c.want)
				}
				return nil
			}, anyio.Seed(seed), anyio.Network(nw))
			if err != nil {
				t.Fatalf("seed %d: %v", seed, err)
			}
		}
	}
}

func TestDiskRenameIsDurableOnceItsDirectoryIsSynced(t *testing.T) {
	t.Parallel()
	for _, syncDir := range []bool{false, true} {
		nw := diskNetwork()
		err := simRun(t, func(ctx context.Context) error {
			if err := crashed(ctx, nw, func(ctx context.Context) error {
				if err := anyio.MkdirAll(ctx, "/data", 0o755); err != nil {
					return err
				}
				if err := anyio.SyncDir(ctx, "/"); err != nil {
					return err
				}
				for _, v := range []string{"v1", "v2"} {
					if err := appendSynced(ctx, "/data/tmp", v, true, false); err != nil {
						return err
					}
					if err := anyio.Rename(ctx, "/data/tmp", "/data/current"); err != nil {
						return err
					}
					if v == "v1" || syncDir {
						if err := anyio.SyncDir(ctx, "/data"); err != nil {
							return err
						}
					}
				}
				return nil
			}); err != nil {
				return err
			}
			data, err := readAfterRestart(ctx, "/data/current")
			want := map[bool]string{false: "v1", true: "v2"}[syncDir]
			if string(data) != want || err != nil {
				return fmt.Errorf("SyncDir after the second rename %v: current holds %q (%v), want %q", syncDir, data, err, want)
			}
			return nil
		}, anyio.Network(nw))
		if err != nil {
			t.Fatal(err)
		}
	}
}

func TestDiskTornWritesSurviveWholeInSectorsOrNotAtAll(t *testing.T) {
	t.Parallel()
	const sector = 512
	record := bytes.Repeat([]byte("A"), sector)
	record = append(record, bytes.Repeat([]byte("B"), sector)...)
	record = append(record, bytes.Repeat([]byte("C"), sector)...)
	fates := map[string]int{}
	for seed := range int64(diskSeeds) {
		nw := diskNetwork()
		nw.SetDiskFaults("db", anyio.DiskFaults{TornWrites: true, SectorSize: sector})
		var got []byte
		err := simRun(t, func(ctx context.Context) error {
			if err := crashed(ctx, nw, func(ctx context.Context) error {
				if err := appendSynced(ctx, "/f", "", true, true); err != nil {
					return err
				}
				return appendSynced(ctx, "/f", string(record), false, false)
			}); err != nil {
				return err
			}
			var err error
			got, err = readAfterRestart(ctx, "/f")
			return err
		}, anyio.Seed(seed), anyio.Network(nw))
		if err != nil {
			t.Fatalf("seed %d: %v", seed, err)
		}
		if len(got)%sector != 0 {
			t.Fatalf("seed %d: %d bytes survived, not a whole number of sectors", seed, len(got))
		}
		for i := 0; i < len(got); i += sector {
			s := got[i : i+sector]
			if !bytes.Equal(s, record[i:i+sector]) && !bytes.Equal(s, make([]byte, sector)) {
				t.Fatalf("seed %d: sector %d is neither the write's nor lost: %q...", seed, i/sector, s[:8])
			}
		}
		switch {
		case len(got) == 0:
			fates["lost"]++
		case bytes.Equal(got, record):
			fates["whole"]++
		default:
			fates["torn"]++
		}
	}
	if len(fates) != 3 {
		t.Fatalf("over %d seeds the unsynced write was %v; want it lost, whole and torn", diskSeeds, fates)
	}
}

func TestDiskFaultsAreDrawnFromTheSeed(t *testing.T) {
	t.Parallel()
	story := func(seed int64) (string, error) {
		nw := anyio.NewSimNetwork()
		var b strings.Builder
		err := simRun(t, func(ctx context.Context) error {
			if err := anyio.WriteFile(ctx, "/f", []byte("0123456789"), 0o644); err != nil {
				return err
			}
			nw.SetDiskFaults("localhost", anyio.DiskFaults{ReadErrorRate: 0.3, CorruptRate: 0.3})
			for range 20 {
				data, err := anyio.ReadFile(ctx, "/f")
				switch {
				case errors.Is(err, anyio.ErrIO):
					b.WriteString("E")
				case err != nil:
					return err
				case string(data) == "0123456789":
					b.WriteString(".")
				default:
					if flipped := diffBits(data, []byte("0123456789")); flipped != 1 {
						return fmt.Errorf("a corrupt read differs in %d bits, want 1", flipped)
					}
					b.WriteString("C")
				}
			}
			nw.SetDiskFaults("localhost", anyio.DiskFaults{})
			data, err := anyio.ReadFile(ctx, "/f")
			if string(data) != "0123456789" || err != nil {
				return fmt.Errorf("after corrupt reads the file holds %q, %v: corruption must not reach the file", data, err)
			}
			return nil
		}, anyio.Seed(seed), anyio.Network(nw))
		return b.String(), err
	}
	kinds := ""
	for seed := range int64(diskSeeds) {
		s, err := story(seed)
		if err != nil {
			t.Fatalf("seed %d: %v", seed, err)
		}
		if again, _ := story(seed); again != s {
			t.Fatalf("seed %d drew %s, then %s", seed, s, again)
		}
		kinds += s
	}
	for _, k := range []string{".", "E", "C"} {
		if !strings.Contains(kinds, k) {
			t.Fatalf("no read over %d seeds was %q: %s", diskSeeds, k, kinds)
		}
	}
}

// diffBits counts the bits in which a and b, of one length, differ.
func diffBits(a, b []byte) int {
	n := 0
	for i := range a {
		for x := a[i] ^ b[i]; x != 0; x &= x - 1 {
			n++
		}
	}
	return n
}

func TestDiskCapacityFailsWritesWithErrNoSpace(t *testing.T) {
	nw := anyio.NewSimNetwork()
	nw.SetDiskFaults("localhost", anyio.DiskFaults{Capacity: 4096})
	err := simRun(t, func(ctx context.Context) error {
		if err := anyio.WriteFile(ctx, "/a", make([]byte, 4000), 0o644); err != nil {
			return err
		}
		err := anyio.WriteFile(ctx, "/b", make([]byte, 200), 0o644)
		if !errors.Is(err, anyio.ErrNoSpace) {
			return fmt.Errorf("a write past the capacity: %v, want ErrNoSpace", err)
		}
		if err := anyio.Remove(ctx, "/a"); err != nil {
			return err
		}
		return anyio.WriteFile(ctx, "/b", make([]byte, 200), 0o644)
	}, anyio.Network(nw))
	if err != nil {
		t.Fatal(err)
	}
}

func TestDiskLatencyIsVirtualTimeAndSyncCostsTenfold(t *testing.T) {
	nw := anyio.NewSimNetwork()
	nw.SetDiskFaults("localhost", anyio.DiskFaults{Latency: time.Millisecond})
	err := simRun(t, func(ctx context.Context) error {
		f, err := anyio.OpenFile(ctx, "/f", os.O_CREATE|os.O_WRONLY, 0o644)
		if err != nil {
			return err
		}
		defer f.Close()
		start := anyio.Now(ctx)
		if _, err := f.Write(ctx, make([]byte, 4096)); err != nil {
			return err
		}
		if d := anyio.Now(ctx).Sub(start); d != time.Millisecond {
			return fmt.Errorf("a write took %v of virtual time, want 1ms", d)
		}
		start = anyio.Now(ctx)
		if err := f.Sync(ctx); err != nil {
			return err
		}
		if d := anyio.Now(ctx).Sub(start); d != 10*time.Millisecond {
			return fmt.Errorf("a sync took %v, want 10ms", d)
		}
		return nil
	}, anyio.Network(nw))
	if err != nil {
		t.Fatal(err)
	}
}

func TestDiskShowsTheDurableStateAfterTheRun(t *testing.T) {
	nw := diskNetwork()
	err := simRun(t, func(ctx context.Context) error {
		return onHost(ctx, func(ctx context.Context) error {
			if err := anyio.MkdirAll(ctx, "/wal", 0o755); err != nil {
				return err
			}
			if err := anyio.SyncDir(ctx, "/"); err != nil {
				return err
			}
			if err := appendSynced(ctx, "/wal/000001", "durable", true, false); err != nil {
				return err
			}
			if err := anyio.SyncDir(ctx, "/wal"); err != nil {
				return err
			}
			return appendSynced(ctx, "/wal/000001", "+volatile", false, false)
		})
	}, anyio.Network(nw))
	if err != nil {
		t.Fatal(err)
	}
	data, err := fs.ReadFile(nw.Disk("db"), "wal/000001")
	if string(data) != "durable" || err != nil {
		t.Fatalf("Disk(db) holds %q, %v; want only what was synced", data, err)
	}
	if _, err := fs.Stat(nw.Disk("localhost"), "wal"); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("localhost's disk has db's files: %v", err)
	}
}

func TestDiskOfARunWithoutANetworkIsLocalhosts(t *testing.T) {
	err := simRun(t, func(ctx context.Context) error {
		if err := anyio.WriteFile(ctx, "notes", []byte("x"), 0o644); err != nil {
			return err
		}
		data, err := anyio.ReadFile(ctx, "/notes")
		if string(data) != "x" || err != nil {
			return fmt.Errorf("a relative name is not relative to /: %q, %v", data, err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestDiskOperationsAppearOnTheirTasksTrack(t *testing.T) {
	var trace bytes.Buffer
	nw := diskNetwork()
	err := simRun(t, func(ctx context.Context) error {
		return onHost(ctx, func(ctx context.Context) error {
			if err := anyio.MkdirAll(ctx, "/wal", 0o755); err != nil {
				return err
			}
			return appendSynced(ctx, "/wal/000001", string(make([]byte, 4096)), true, false)
		})
	}, anyio.Network(nw), anyio.Trace(&trace))
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		TraceEvents []struct {
			Name string
			Cat  string
			PID  int
			TID  int64
		}
	}
	if err := json.Unmarshal(trace.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"mkdir /wal", "write 4096 B /wal/000001", "sync /wal/000001"} {
		found := false
		for _, e := range doc.TraceEvents {
			if e.Name == want {
				found = true
				// On db's task (host db is process 2), not the scheduler's track.
				if e.Cat != "disk" || e.PID != 2 || e.TID == 0 {
					t.Errorf("%q is on pid %d tid %d (category %q), want db's task", want, e.PID, e.TID, e.Cat)
				}
			}
		}
		if !found {
			t.Errorf("the trace lacks %q", want)
		}
	}
}

// A fuzzer's input decides the disks' faults too: bytes of 0 draw the
// lowest numbers (every read fails at a rate of one half), bytes of 0xff
// the highest (none does).
func TestDiskFaultsDrawFromAFuzzersInput(t *testing.T) {
	failures := func(input byte) int {
		n := 0
		nw := anyio.NewSimNetwork()
		err := simRun(t, func(ctx context.Context) error {
			if err := anyio.WriteFile(ctx, "/f", []byte("x"), 0o644); err != nil {
				return err
			}
			nw.SetDiskFaults("localhost", anyio.DiskFaults{ReadErrorRate: 0.5})
			for range 10 {
				if _, err := anyio.ReadFile(ctx, "/f"); errors.Is(err, anyio.ErrIO) {
					n++
				}
			}
			return nil
		}, anyio.Network(nw), anyio.SimChoices(bytes.Repeat([]byte{input}, 4096)))
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	if low, high := failures(0), failures(0xff); low != 10 || high != 0 {
		t.Fatalf("reads failed %d times of 10 under an input of zeros and %d under one of 0xff; want 10 and 0", low, high)
	}
}

// FaultDiskCrash crashes a host whose disk then tears its unsynced
// writes, where FaultCrash loses them all: over the seeds, some of the
// unsynced data survives a disk crash, none survives a plain one.
func TestNemesisDiskCrashTearsUnsyncedWrites(t *testing.T) {
	t.Parallel()
	survived := func(fault anyio.Fault, seed int64) (int, string) {
		var trace bytes.Buffer
		nw := diskNetwork()
		err := simRun(t, func(ctx context.Context) error {
			return anyio.WithTaskGroup(ctx, func(ctx context.Context, tg *anyio.TaskGroup) error {
				tg.StartSoon(func(ctx context.Context) error {
					err := onHost(ctx, func(ctx context.Context) error {
						if err := appendSynced(ctx, "/f", "", true, true); err != nil {
							return err
						}
						for {
							if err := appendSynced(ctx, "/f", string(make([]byte, 4096)), false, false); err != nil {
								return err
							}
							if err := anyio.Sleep(ctx, time.Millisecond); err != nil {
								return err
							}
						}
					})
					if errors.Is(err, anyio.ErrHostCrashed) {
						return nil
					}
					return err
				})
				return nw.RunNemesis(ctx, anyio.Nemesis{Hosts: []string{"db"}, Faults: []anyio.Fault{fault}, Period: 20 * time.Millisecond, Duration: 30 * time.Millisecond})
			})
		}, anyio.Seed(seed), anyio.Network(nw), anyio.Trace(&trace))
		if err != nil {
			t.Fatalf("seed %d: %v", seed, err)
		}
		data, err := fs.ReadFile(nw.Disk("db"), "f")
		if err != nil {
			t.Fatalf("seed %d: the synced, empty file is gone: %v", seed, err)
		}
		return len(data), trace.String()
	}
	tornSurvivals := 0
	for seed := range int64(diskSeeds) {
		if n, _ := survived(anyio.FaultCrash, seed); n != 0 {
			t.Fatalf("seed %d: %d unsynced bytes survived a plain crash", seed, n)
		}
		n, trace := survived(anyio.FaultDiskCrash, seed)
		if n%4096 != 0 {
			t.Fatalf("seed %d: %d bytes survived a disk crash, not whole sectors", seed, n)
		}
		if n > 0 {
			tornSurvivals++
			if !strings.Contains(trace, `"crash db (torn writes)"`) {
				t.Fatalf("seed %d: the trace does not name the disk crash", seed)
			}
		}
	}
	if tornSurvivals == 0 {
		t.Fatalf("no unsynced write survived a FaultDiskCrash over %d seeds", diskSeeds)
	}
}

// Every disk operation is a scheduling point: two tasks that only touch
// the disk interleave, in an order the seed draws.
func TestDiskOperationsAreSchedulingPoints(t *testing.T) {
	orders := map[string]bool{}
	for seed := range int64(diskSeeds) {
		var order strings.Builder
		err := simRun(t, func(ctx context.Context) error {
			return anyio.WithTaskGroup(ctx, func(ctx context.Context, tg *anyio.TaskGroup) error {
				for _, name := range []string{"a", "b"} {
					tg.StartSoon(func(ctx context.Context) error {
						for range 3 {
							if _, err := anyio.Stat(ctx, "/"); err != nil {
								return err
							}
							order.WriteString(name)
						}
						return nil
					})
				}
				return nil
			})
		}, anyio.Seed(seed))
		if err != nil {
			t.Fatal(err)
		}
		orders[order.String()] = true
	}
	if len(orders) < 3 {
		t.Fatalf("over %d seeds, two tasks calling Stat ran in only these orders: %v", diskSeeds, orders)
	}
}

// Names are slash-separated and cleaned on sim.
func TestDiskNamesAreCleaned(t *testing.T) {
	err := simRun(t, func(ctx context.Context) error {
		if err := anyio.MkdirAll(ctx, "a", 0o755); err != nil {
			return err
		}
		if err := anyio.WriteFile(ctx, "a//b/../c", []byte("x"), 0o644); err != nil {
			return err
		}
		data, err := anyio.ReadFile(ctx, "/a/c")
		if string(data) != "x" || err != nil {
			return fmt.Errorf("a//b/../c was not /a/c: %q, %v", data, err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
