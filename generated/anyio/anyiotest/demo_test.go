package anyiotest_test

import (
	"context"
	"errors"
	"fmt"
	mathrand "math/rand"
	"math/rand/v2"
	"os"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/anyiogen/anyiogen/check"
	"github.com/anyiogen/anyiogen/generated/anyio"
	"github.com/anyiogen/anyiogen/generated/anyio/anyiotest"
)

// The demos: tests that the examples and the tests of anyiotest run in a
// child test binary (see goTest), because they show failures on purpose.

func TestSum(t *testing.T) {
	demoOnly(t)
	sumTest(t)
}

func TestLostUpdate(t *testing.T) {
	demoOnly(t)
	lostUpdateTest(t)
}

// TestFailsOnSim fails on sim only.
func TestFailsOnSim(t *testing.T) {
	demoOnly(t)
	anyiotest.Run(t, func(t *testing.T, ctx context.Context) error {
		if anyio.CurrentBackend(ctx) == anyio.BackendSim {
			return errors.New("boom")
		}
		return nil
	})
}

// TestErrorfOnThirdSeed fails through t.Errorf, not an error, on the third
// seed it runs.
func TestErrorfOnThirdSeed(t *testing.T) {
	demoOnly(t)
	runs := 0
	anyiotest.Seeds(t, 10, func(t *testing.T, ctx context.Context) error {
		if runs++; runs == 3 {
			t.Errorf("run %d went wrong", runs)
		}
		return nil
	})
}

// TestSeedsBadN calls Seeds with n = 0.
func TestSeedsBadN(t *testing.T) {
	demoOnly(t)
	anyiotest.Seeds(t, 0, func(t *testing.T, ctx context.Context) error { return nil })
	fmt.Println("Seeds returned") // it must not: n = 0 is a t.Fatal
}

// TestSometimesNeverTrue sweeps a body whose retry path is never taken.
func TestSometimesNeverTrue(t *testing.T) {
	demoOnly(t)
	anyiotest.Seeds(t, 5, func(t *testing.T, ctx context.Context) error {
		anyio.Sometimes(ctx, false, "a retry happened")
		anyio.Sometimes(ctx, anyio.Rand(ctx).IntN(2) == 0, "half the runs")
		return nil
	})
}

// TestRawChannelBlock has a task wait on a channel that nothing sends on.
func TestRawChannelBlock(t *testing.T) {
	demoOnly(t)
	anyiotest.Seeds(t, 3, func(t *testing.T, ctx context.Context) error {
		never := make(chan int)
		return anyio.WithTaskGroup(ctx, func(ctx context.Context, tg *anyio.TaskGroup) error {
			tg.StartSoon(func(ctx context.Context) error {
				//anyiovet:ignore a demo of the misuse the simulator reports
				<-never // the misuse: no ctx can cut it short
				return nil
			}, anyio.Name("waiter"))
			return anyio.Sleep(ctx, time.Second)
		})
	})
}

// TestMutexBlock has a task wait on a sync.Mutex that a parked task holds.
func TestMutexBlock(t *testing.T) {
	demoOnly(t)
	var mu sync.Mutex
	anyiotest.Seeds(t, 3, func(t *testing.T, ctx context.Context) error {
		mu.Lock()
		//anyiovet:ignore a demo of the misuse the simulator reports
		return anyio.WithTaskGroup(ctx, func(ctx context.Context, tg *anyio.TaskGroup) error {
			tg.StartSoon(func(ctx context.Context) error {
				mu.Lock() // the misuse: the holder is parked in Sleep
				defer mu.Unlock()
				return nil
			}, anyio.Name("locker"))
			defer mu.Unlock()
			return anyio.Sleep(ctx, time.Second)
		})
	}, anyio.SimWatchdog(200*time.Millisecond))
}

// TestSweepOfNine runs nine seeds that pass, each logging its seed, for the
// flag tests.
func TestSweepOfNine(t *testing.T) {
	demoOnly(t)
	anyiotest.Seeds(t, 9, func(t *testing.T, ctx context.Context) error { return nil })
}

// TestOrderBug has a bug only a particular order of three tasks shows:
// c runs all its steps, then b all of its, then a.
func TestOrderBug(t *testing.T) {
	demoOnly(t)
	anyiotest.Seeds(t, 50, func(t *testing.T, ctx context.Context) error { return orderBug(ctx) })
}

// orderBug is TestOrderBug's body, and FuzzOrderBug's.
func orderBug(ctx context.Context) error {
	var trail []byte
	err := anyio.WithTaskGroup(ctx, func(ctx context.Context, tg *anyio.TaskGroup) error {
		for _, name := range []byte("abc") {
			tg.StartSoon(func(ctx context.Context) error {
				for range 5 {
					trail = append(trail, name)
					if err := anyio.Checkpoint(ctx); err != nil {
						return err
					}
				}
				return nil
			})
		}
		return nil
	})
	if err == nil && string(trail) == "cccccbbbbbaaaaa" {
		err = errors.New("the order bug: c, then b, then a, each without interruption")
	}
	return err
}

// TestMapOrder starts its tasks in a map's iteration order, which the seed
// does not decide: every run passes, but two runs of one seed differ.
func TestMapOrder(t *testing.T) {
	demoOnly(t)
	anyiotest.Seeds(t, 10, func(t *testing.T, ctx context.Context) error {
		workers := map[string]time.Duration{"alpha": 1, "beta": 2, "gamma": 3, "delta": 4, "epsilon": 5, "zeta": 6}
		return anyio.WithTaskGroup(ctx, func(ctx context.Context, tg *anyio.TaskGroup) error {
			for name, d := range workers {
				tg.StartSoon(func(ctx context.Context) error { return anyio.Sleep(ctx, d*time.Millisecond) }, anyio.Name(name))
			}
			return nil
		})
	})
}

// TestParallelSeeds records how many of its runs were in flight at once.
func TestParallelSeeds(t *testing.T) {
	demoOnly(t)
	var active, most atomic.Int32
	anyiotest.Seeds(t, 8, func(t *testing.T, ctx context.Context) error {
		active.Add(1)
		defer active.Add(-1)
		for i := 0; i < 200000 && most.Load() < 2; i++ {
			if n := active.Load(); n > most.Load() {
				most.Store(n)
			}
			runtime.Gosched() // not a scheduling point of the run: other seeds' runs may go on
		}
		return nil
	})
	fmt.Printf("at most %d runs at once\n", most.Load())
}

// FuzzOrderBug searches schedules for the order bug.
func FuzzOrderBug(f *testing.F) {
	if os.Getenv(demoEnv) != "1" {
		f.Skip("a demo that the tests of anyiotest run in a child process")
	}
	anyiotest.Fuzz(f, func(t *testing.T, ctx context.Context) error { return orderBug(ctx) })
}

// TestSweepOfThousand sweeps 1,000 seeds of a small body, for
// BenchmarkSeeds: two tasks pass ten items over a stream.
func TestSweepOfThousand(t *testing.T) {
	demoOnly(t)
	anyiotest.Seeds(t, 1000, func(t *testing.T, ctx context.Context) error {
		tx, rx := anyio.NewMemoryObjectStream[int](0)
		return anyio.WithTaskGroup(ctx, func(ctx context.Context, tg *anyio.TaskGroup) error {
			tg.StartSoon(func(ctx context.Context) error {
				defer tx.Close()
				for i := range 10 {
					if err := tx.Send(ctx, i); err != nil {
						return err
					}
				}
				return nil
			})
			for _, err := range rx.All(ctx) {
				if err != nil {
					return err
				}
			}
			return nil
		})
	})
}

// TestGlobalRand sleeps for a draw from math/rand's global source, which
// the seed does not decide.
func TestGlobalRand(t *testing.T) {
	demoOnly(t)
	anyiotest.Seeds(t, 10, func(t *testing.T, ctx context.Context) error {
		//anyiovet:ignore the demo of what -anyio.checkdeterminism catches
		return anyio.Sleep(ctx, time.Duration(rand.IntN(1000))*time.Millisecond)
	})
}

// TestGlobalRandV1 sleeps for a draw from math/rand's (v1) global source,
// as http.Server.Shutdown's poll jitter is: a sim run seeds that source from
// its seed where the test binary lets rand.Seed act (GODEBUG
// randseednop=0), and not otherwise.
func TestGlobalRandV1(t *testing.T) {
	demoOnly(t)
	anyiotest.Seeds(t, 10, func(t *testing.T, ctx context.Context) error {
		//anyiovet:ignore the demo of a library's draw from the global source
		return anyio.Sleep(ctx, time.Duration(mathrand.Intn(1000))*time.Millisecond)
	})
}

// TestAlwaysBroken breaks an Always on the seeds whose draw is odd.
func TestAlwaysBroken(t *testing.T) {
	demoOnly(t)
	anyiotest.Seeds(t, 8, func(t *testing.T, ctx context.Context) error {
		anyio.Always(ctx, anyio.Rand(ctx).IntN(2) == 0, "the draw is even")
		return nil
	})
}

// TestUnreachableReached reaches an Unreachable on the seeds whose draw is
// odd.
func TestUnreachableReached(t *testing.T) {
	demoOnly(t)
	anyiotest.Seeds(t, 8, func(t *testing.T, ctx context.Context) error {
		if anyio.Rand(ctx).IntN(2) == 1 {
			anyio.Unreachable(ctx, "an odd draw")
		}
		return nil
	})
}

// TestReachableThenNot: the first sweep reaches "the leader changed", the
// second never does (nor its Sometimes).
func TestReachableThenNot(t *testing.T) {
	demoOnly(t)
	body := func(reach bool) func(t *testing.T, ctx context.Context) error {
		return func(t *testing.T, ctx context.Context) error {
			if reach {
				anyio.Reachable(ctx, "the leader changed")
				anyio.Sometimes(ctx, true, "a retry happened")
			}
			return nil
		}
	}
	anyiotest.Seeds(t, 3, body(true))
	anyiotest.Seeds(t, 3, body(false))
}

// TestStaleRead records a history whose second read is stale on every seed.
func TestStaleRead(t *testing.T) {
	demoOnly(t)
	anyiotest.Seeds(t, 2, func(t *testing.T, ctx context.Context) error {
		h := anyiotest.NewHistory(ctx)
		op := h.Invoke(ctx, 0, check.KVInput{Op: "put", Key: "x", Value: "1"})
		if err := anyio.Sleep(ctx, time.Millisecond); err != nil {
			return err
		}
		op.Return(ctx, check.KVOutput{})
		if err := anyio.Sleep(ctx, time.Millisecond); err != nil {
			return err
		}
		op = h.Invoke(ctx, 1, check.KVInput{Op: "get", Key: "x"})
		op.Return(ctx, check.KVOutput{Value: ""})
		if res := check.Linearizable(h.Operations(), check.KVModel()); !res.OK {
			return res
		}
		return nil
	})
}
