package anyiotest_test

import (
	"context"
	"crypto/tls"
	"regexp"
	"runtime"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/anyiogen/anyiogen/generated/anyio"
	"github.com/anyiogen/anyiogen/generated/anyio/anyiotest"
)

// Reports about goroutines a run adopted name them, by the function they
// run, not the task that held the baton when they called in.

// A goroutine started with go that waits in the run is a task of its own in
// the deadlock report.
func TestDeadlockReportNamesAnAdoptedGoroutine(t *testing.T) {
	out, err := goTest("-test.run=^TestAdoptedWaiterDeadlock$")
	want := regexp.MustCompile(`task "anyiotest_test\.waitForNothing" \(task \d+\) waits on: `)
	if err == nil || !want.MatchString(out) {
		t.Errorf("err = %v, want a deadlock naming the goroutine; output:\n%s", err, out)
	}
}

// A goroutine the run adopted that then waits on a sync.Mutex held by a
// parked task stops the run; the report names it and the mutex.
func TestStallReportNamesAnAdoptedGoroutineOnAMutex(t *testing.T) {
	_, err := goTest("-test.run=^TestAdoptedMutexBlock$")
	want := regexp.MustCompile(`anyio sim: task "anyiotest_test\.lockAfterASleep" \(task \d+\) has not reached a scheduling point for 200ms of wall time; it is blocked outside the simulator: sync\.Mutex\.Lock in github\.com/anyiogen/anyiogen/generated/anyio/anyiotest_test\.lockAfterASleep at `)
	if err == nil || !want.MatchString(err.Error()) {
		t.Errorf("err = %v, want the stall report naming the goroutine", err)
	}
}

// A goroutine the run adopted and left blocked outside it fails the seed,
// named, and the test binary goes on to report it.
func TestRunEndReportsAdoptedGoroutinesLeftBlocked(t *testing.T) {
	out, err := goTest("-test.run=^TestAdoptedLeftBlocked$")
	want := regexp.MustCompile(`the run ended with 1 goroutine\(s\) it adopted still blocked outside the simulator, [^\n]*\n\s+"anyiotest_test\.blockForever" \(task \d+\): chan receive \(durable\) in github\.com/anyiogen/anyiogen/generated/anyio/anyiotest_test\.blockForever at `)
	if err == nil || !want.MatchString(out) {
		t.Errorf("err = %v, want the seed failed naming the goroutine left blocked; output:\n%s", err, out)
	}
	if !regexp.MustCompile(`--- FAIL: TestAdoptedLeftBlocked`).MatchString(out) {
		t.Errorf("the child did not report the test as failed (did it crash?); output:\n%s", out)
	}
}

// A crypto/tls handshake under a context deadline, to a server that never
// answers, ends at that deadline on the run's clock: the goroutine
// crypto/tls starts to watch the context closes the connection, in the run.
func TestTLSHandshakeDeadlineOnSim(t *testing.T) {
	_, client := ed25519TLS(t)
	anyiotest.Seeds(t, 5, func(t *testing.T, ctx context.Context) error {
		l, err := anyio.ListenTCP(ctx, "127.0.0.1", 8443)
		if err != nil {
			return err
		}
		defer l.Close()
		s, err := anyio.ConnectTCP(ctx, "127.0.0.1", 8443)
		if err != nil {
			return err
		}
		defer s.Close()
		silent, err := l.Accept(ctx) // accepted, never answered
		if err != nil {
			return err
		}
		defer silent.Close()
		hctx, cancel := context.WithTimeout(ctx, time.Second)
		defer cancel()
		start := anyio.Now(ctx)
		cfg := client.Clone()
		cfg.ServerName = "127.0.0.1"
		err = tls.Client(s.NetConn(ctx), cfg).HandshakeContext(hctx)
		if err == nil {
			t.Errorf("the handshake with a silent server succeeded")
		}
		if waited := anyio.Now(ctx).Sub(start); waited != time.Second {
			t.Errorf("the handshake ended after %v of virtual time, want its deadline, 1s (err %v)", waited, err)
		}
		return nil
	})
}

// A goroutine the test starts with go, no view handed out, becomes a task
// of the run at its first call: its Sleep is on the run's clock, its Lock
// and its Send are the run's, and the seed orders it among the others.
func TestGoroutinesStartedWithGoAreAdopted(t *testing.T) {
	anyiotest.Seeds(t, 20, func(t *testing.T, ctx context.Context) error {
		lock := anyio.NewLock()
		send, receive := anyio.NewMemoryObjectStream[int](0)
		start := anyio.Now(ctx)
		for i := range 3 {
			//anyiovet:ignore a goroutine the run adopts: the test's point
			go sleepLockSend(ctx, time.Duration(i+1)*time.Second, lock, send, i)
		}
		var got []int
		for range 3 {
			v, err := receive.Receive(ctx)
			if err != nil {
				return err
			}
			got = append(got, v)
			if at, want := anyio.Now(ctx).Sub(start), time.Duration(v+1)*time.Second; at != want {
				t.Errorf("received %d at %v, want %v, when its goroutine's Sleep ended", v, at, want)
			}
		}
		if !slices.Equal(got, []int{0, 1, 2}) {
			t.Errorf("received %v, want [0 1 2], in the order the sleeps end", got)
		}
		return nil
	})
}

// sleepLockSend sleeps for d, takes and gives back the lock, and sends v.
func sleepLockSend(ctx context.Context, d time.Duration, lock *anyio.Lock, send *anyio.SendStream[int], v int) {
	if anyio.Sleep(ctx, d) != nil || lock.Acquire(ctx) != nil {
		return
	}
	lock.Release()
	_ = send.Send(ctx, v)
}

// ... and their runs are a function of the seed, with seeds two at a time
// (-anyio.checkdeterminism, in a child process).
func TestGoroutinesStartedWithGoFollowTheSeed(t *testing.T) {
	out, err := goTest("-test.run=^TestGoroutinesStartedWithGoAreAdopted$", "-anyio.checkdeterminism", "-test.parallel=2")
	if err != nil {
		t.Errorf("under -anyio.checkdeterminism: %v\n%s", err, out)
	}
}

// The demos these tests run in a child binary.

func TestAdoptedWaiterDeadlock(t *testing.T) {
	demoOnly(t)
	anyiotest.Seeds(t, 1, func(t *testing.T, ctx context.Context) error {
		never := anyio.NewEvent() // no view handed out: the goroutine's first call makes the run adopt
		//anyiovet:ignore a goroutine the run adopts: the demo's point
		go waitForNothing(ctx, never)
		return never.Wait(ctx)
	})
}

func waitForNothing(ctx context.Context, e *anyio.Event) { _ = e.Wait(ctx) }

func TestAdoptedMutexBlock(t *testing.T) {
	demoOnly(t)
	var mu sync.Mutex
	anyiotest.Seeds(t, 1, func(t *testing.T, ctx context.Context) error {
		anyio.DialContext(ctx)
		mu.Lock()
		defer mu.Unlock()
		//anyiovet:ignore a goroutine the run adopts: the demo's point
		go lockAfterASleep(ctx, &mu)
		//anyiovet:ignore the demo of a stall a library's mutex causes
		return anyio.Sleep(ctx, time.Second) // parked, holding mu
	}, anyio.SimWatchdog(200*time.Millisecond))
}

func lockAfterASleep(ctx context.Context, mu *sync.Mutex) {
	if anyio.Sleep(ctx, time.Millisecond) != nil {
		return
	}
	mu.Lock()
	defer mu.Unlock()
}

func TestAdoptedLeftBlocked(t *testing.T) {
	demoOnly(t)
	anyiotest.Seeds(t, 1, func(t *testing.T, ctx context.Context) error {
		anyio.DialContext(ctx)
		//anyiovet:ignore a goroutine the run adopts: the demo's point
		go blockForever(ctx)
		return anyio.Sleep(ctx, 10*time.Millisecond)
	})
}

func blockForever(ctx context.Context) {
	if anyio.Sleep(ctx, time.Millisecond) != nil {
		return
	}
	<-make(chan int) // nothing will ever send
}

// A run that adopts goroutines holds the process at one processor, so that
// library goroutines racing each other through channels of their own do
// not run in an order the machine's load draws; the run gives it back when
// it ends. A run after one that adopted holds it from its start, before it
// creates any goroutine: a change of the processor count while another run
// creates goroutines would reorder their ids, which number its adoptees.
// (Not parallel: another test's adopting run would hold it too.)
func TestAdoptingRunHoldsOneProcessor(t *testing.T) {
	before := runtime.GOMAXPROCS(0)
	adopting := func(t *testing.T, ctx context.Context) error {
		ln, err := anyio.ListenTCP(ctx, "127.0.0.1", 8080)
		if err != nil {
			return err
		}
		defer ln.Close()
		_ = ln.NetListener(ctx)
		if n := runtime.GOMAXPROCS(0); n != 1 {
			t.Errorf("GOMAXPROCS = %d while the run adopts, want 1", n)
		}
		return nil
	}
	atStart := func(want int) func(t *testing.T, ctx context.Context) error {
		return func(t *testing.T, ctx context.Context) error {
			if n := runtime.GOMAXPROCS(0); n != want {
				t.Errorf("GOMAXPROCS = %d at the run's start, want %d", n, want)
			}
			return nil
		}
	}
	// A run that does not adopt (held or not at its start, as the run
	// before it did or did not adopt), then one that does.
	anyiotest.Seeds(t, 1, func(t *testing.T, ctx context.Context) error { return nil })
	anyiotest.Seeds(t, 1, func(t *testing.T, ctx context.Context) error {
		if err := atStart(before)(t, ctx); err != nil {
			return err
		}
		return adopting(t, ctx)
	})
	if n := runtime.GOMAXPROCS(0); n != before {
		t.Errorf("GOMAXPROCS = %d after the run, want %d back", n, before)
	}
	anyiotest.Seeds(t, 1, func(t *testing.T, ctx context.Context) error {
		if err := atStart(1)(t, ctx); err != nil { // the run before adopted
			return err
		}
		return adopting(t, ctx)
	})
	if n := runtime.GOMAXPROCS(0); n != before {
		t.Errorf("GOMAXPROCS = %d after the run, want %d back", n, before)
	}
}
