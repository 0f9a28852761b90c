package generated

// Tests of the sim backend through the public API only: determinism, the
// virtual clock, deadlock and misuse reports, and happy eyeballs to the
// virtual nanosecond. Benchmarks set sim beside std. The tests run in
// parallel, so that the 5 s misuse watchdog overlaps the rest.

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"os"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/anyiogen/anyiogen/internal/leaktest"

	"github.com/anyiogen/anyiogen/generated/anyio"
	"github.com/anyiogen/anyiogen/generated/anyio/anyiotest"
)

// TestMain fails the package when a test leaves a goroutine or a file
// descriptor behind.
func TestMain(m *testing.M) { leaktest.Main(m) }

// simRunBound bounds, in wall time, one anyio.Run that the contract says
// never hangs; it is generous because the race detector and a shared
// machine slow everything down.
const simRunBound = time.Minute

// simRun runs main on sim with opts and returns Run's error. A Run that does
// not return within simRunBound is reported with every goroutine's stack.
func simRun(t testing.TB, main func(ctx context.Context) error, opts ...anyio.RunOption) error {
	t.Helper()
	done := make(chan error, 1)
	go func() {
		done <- anyio.Run(main, slices.Concat([]anyio.RunOption{anyio.Backend(anyio.BackendSim)}, opts)...)
	}()
	timer := time.NewTimer(simRunBound)
	defer timer.Stop()
	select {
	case err := <-done:
		return err
	case <-timer.C:
		buf := make([]byte, 1<<20)
		buf = buf[:runtime.Stack(buf, true)]
		fmt.Fprintf(os.Stderr, "%s\n", buf)
		t.Fatalf("anyio.Run on sim did not return within %v", simRunBound)
		return nil
	}
}

// since is the time on ctx's clock since start.
func since(ctx context.Context, start time.Time) time.Duration { return anyio.Now(ctx).Sub(start) }

// --- 1. Determinism -------------------------------------------------------

// pipeline is a small program with several tasks: three producers that sleep,
// reach checkpoints and send numbered items on one stream, and two consumers
// that receive them. Each event goes to logf, which stamps it with the time
// since start on ctx's clock; on std, logf is called from several goroutines
// at once. It returns how often each item was received.
func pipeline(ctx context.Context, logf func(format string, args ...any)) (map[int]int, error) {
	const producers, items = 3, 4
	tx, rx := anyio.NewMemoryObjectStream[int](1)
	var mu sync.Mutex // guards got: on std the consumers run in parallel
	got := make(map[int]int)
	err := anyio.WithTaskGroup(ctx, func(ctx context.Context, tg *anyio.TaskGroup) error {
		for p := 1; p <= producers; p++ {
			ptx, err := tx.Clone()
			if err != nil {
				return err
			}
			tg.StartSoon(func(ctx context.Context) error {
				defer ptx.Close()
				for i := range items {
					if err := anyio.Sleep(ctx, time.Duration(p)*time.Millisecond); err != nil {
						return err
					}
					if err := anyio.Checkpoint(ctx); err != nil {
						return err
					}
					item := p*10 + i
					if err := ptx.Send(ctx, item); err != nil {
						return err
					}
					logf("task %d sent item %d", p, item)
				}
				return nil
			}, anyio.Name(fmt.Sprintf("producer %d", p)))
		}
		for c := producers + 1; c <= producers+2; c++ {
			tg.StartSoon(func(ctx context.Context) error {
				for item, err := range rx.All(ctx) {
					if err != nil {
						return err
					}
					mu.Lock()
					got[item]++
					mu.Unlock()
					logf("task %d got item %d", c, item)
					if err := anyio.Sleep(ctx, time.Duration(c-producers)*time.Millisecond); err != nil {
						return err
					}
				}
				return nil
			}, anyio.Name(fmt.Sprintf("consumer %d", c)))
		}
		return tx.Close()
	})
	return got, err
}

// checkDelivery checks that each of the pipeline's items arrived exactly once.
func checkDelivery(got map[int]int) error {
	for p := 1; p <= 3; p++ {
		for i := range 4 {
			if n := got[p*10+i]; n != 1 {
				return fmt.Errorf("item %d was received %d times, want once (all: %v)", p*10+i, n, got)
			}
		}
	}
	if len(got) != 12 {
		return fmt.Errorf("received %d distinct items, want 12: %v", len(got), got)
	}
	return nil
}

// pipelineLog runs pipeline on sim with opts and returns its event log.
func pipelineLog(t *testing.T, opts ...anyio.RunOption) []string {
	t.Helper()
	var events []string
	err := simRun(t, func(ctx context.Context) error {
		start := anyio.Now(ctx)
		got, err := pipeline(ctx, func(format string, args ...any) {
			events = append(events, fmt.Sprintf(format, args...)+" at +"+since(ctx, start).String())
		})
		if err != nil {
			return err
		}
		return checkDelivery(got)
	}, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return events
}

func TestSimSameSeedSameLog(t *testing.T) {
	t.Parallel()
	const seed = 7
	want := pipelineLog(t, anyio.Seed(seed))
	if len(want) != 24 {
		t.Fatalf("the log has %d events, want 24 (12 sends, 12 receives):\n%s", len(want), strings.Join(want, "\n"))
	}
	for run := 2; run <= 5; run++ {
		if got := pipelineLog(t, anyio.Seed(seed)); !slices.Equal(got, want) {
			t.Fatalf("run %d with seed %d logged\n%s\nwant (as run 1)\n%s", run, seed, strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
	}
}

func TestSimDefaultSeedIsZero(t *testing.T) {
	t.Parallel()
	if got, want := pipelineLog(t), pipelineLog(t, anyio.Seed(0)); !slices.Equal(got, want) {
		t.Errorf("a run without Seed logged\n%s\nwant the log of Seed(0)\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestSimSeedsChangeInterleaving(t *testing.T) {
	t.Parallel()
	logs := make(map[string][]int64) // log -> the seeds that made it
	for seed := range int64(20) {
		key := strings.Join(pipelineLog(t, anyio.Seed(seed)), "\n")
		logs[key] = append(logs[key], seed)
	}
	if len(logs) < 2 {
		t.Errorf("seeds 0 to 19 all made the same log; want at least two different interleavings")
	}
	t.Logf("seeds 0 to 19 made %d different logs", len(logs))
}

func TestPipelineDeliversEveryItem(t *testing.T) {
	t.Parallel()
	// The invariant holds on every backend, and on sim for every seed tried.
	body := func(t *testing.T, ctx context.Context) error {
		// Bounded on every backend: a minute of the backend's clock.
		return anyio.FailAfter(ctx, time.Minute, func(ctx context.Context) error {
			got, err := pipeline(ctx, func(string, ...any) {})
			if err != nil {
				return err
			}
			return checkDelivery(got)
		})
	}
	t.Run("backends", func(t *testing.T) { anyiotest.Run(t, body) })
	t.Run("seeds", func(t *testing.T) { anyiotest.Seeds(t, 50, body) })
}

// --- 2. Virtual time ------------------------------------------------------

func TestSimFailAfterAnHour(t *testing.T) {
	t.Parallel()
	var elapsed time.Duration
	var sleepErr error
	err := simRun(t, func(ctx context.Context) error {
		start := anyio.Now(ctx)
		err := anyio.FailAfter(ctx, time.Hour, func(ctx context.Context) error {
			sleepErr = anyio.Sleep(ctx, 2*time.Hour)
			return sleepErr
		})
		elapsed = since(ctx, start)
		return err
	})
	if !errors.Is(err, anyio.ErrTimeout) || !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("FailAfter(1h, Sleep(2h)) = %v, want ErrTimeout matching context.DeadlineExceeded", err)
	}
	if !errors.Is(sleepErr, context.DeadlineExceeded) {
		t.Errorf("Sleep(2h) inside FailAfter(1h) = %v, want a cancellation matching context.DeadlineExceeded", sleepErr)
	}
	if elapsed != time.Hour {
		t.Errorf("FailAfter(1h, Sleep(2h)) returned after %v of virtual time, want exactly 1h", elapsed)
	}
}

func TestSimTenThousandSleepers(t *testing.T) {
	t.Parallel()
	const n = 10000
	var finished int
	var elapsed time.Duration
	err := simRun(t, func(ctx context.Context) error {
		start := anyio.Now(ctx)
		err := anyio.WithTaskGroup(ctx, func(ctx context.Context, tg *anyio.TaskGroup) error {
			for i := range n {
				tg.StartSoon(func(ctx context.Context) error {
					if err := anyio.Sleep(ctx, time.Duration(i)*time.Millisecond); err != nil {
						return err
					}
					finished++ // one task runs at a time on sim
					return nil
				})
			}
			return nil
		})
		elapsed = since(ctx, start)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if finished != n {
		t.Errorf("%d of %d sleepers finished", finished, n)
	}
	if want := (n - 1) * time.Millisecond; elapsed != want {
		t.Errorf("sleeping 0 to %d ms took %v of virtual time, want exactly %v", n-1, elapsed, want)
	}
}

// --- 3. Deadlock ----------------------------------------------------------

func TestSimDeadlockNamesTheTask(t *testing.T) {
	t.Parallel()
	err := simRun(t, func(ctx context.Context) error {
		tx, rx := anyio.NewMemoryObjectStream[int](0)
		defer tx.Close() // a sender stays open, but nobody will send
		return anyio.WithTaskGroup(ctx, func(ctx context.Context, tg *anyio.TaskGroup) error {
			tg.StartSoon(func(ctx context.Context) error {
				_, err := rx.Receive(ctx)
				return err
			}, anyio.Name("lonely consumer"))
			return nil
		})
	})
	if !errors.Is(err, anyio.ErrDeadlock) {
		t.Fatalf("Run = %v, want an error matching ErrDeadlock", err)
	}
	t.Logf("Run's error:\n%v", err)
	for _, want := range []string{
		`"lonely consumer"`,
		"receive on a memory object stream",
		"task group: waiting for its tasks", // the main task, blocked too
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("the deadlock error does not say %q:\n%v", want, err)
		}
	}
}

// --- 4. Happy eyeballs ----------------------------------------------------

var (
	heV6 = netip.MustParseAddr("2001:db8::80")
	heV4 = netip.MustParseAddr("192.0.2.80")
)

const heLatency = 10 * time.Millisecond

// heNetwork resolves example.test to heV6 and then heV4, with heLatency, and
// black-holes the addresses in holes.
func heNetwork(holes ...netip.Addr) *anyio.SimNetwork {
	nw := anyio.NewSimNetwork()
	nw.AddHost("example.test", heV6, heV4)
	nw.SetLatency(heLatency)
	for _, a := range holes {
		nw.Blackhole(a)
	}
	return nw
}

// heCheckAddr checks that addr is the *net.TCPAddr of want, port 80.
func heCheckAddr(what string, addr net.Addr, want netip.Addr) error {
	tcp, ok := addr.(*net.TCPAddr)
	if !ok {
		return fmt.Errorf("%s is a %T, want a *net.TCPAddr", what, addr)
	}
	if got := tcp.AddrPort(); got.Addr().Unmap() != want || got.Port() != 80 {
		return fmt.Errorf("%s = %v, want %v", what, got, netip.AddrPortFrom(want, 80))
	}
	return nil
}

// heNothingToAccept checks that no connection is waiting on l: an Accept
// finds none within a virtual second.
func heNothingToAccept(ctx context.Context, l *anyio.TCPListener) error {
	var extra *anyio.SocketStream
	scope, err := anyio.MoveOnAfter(ctx, time.Second, func(ctx context.Context) error {
		s, err := l.Accept(ctx)
		extra = s
		return err
	})
	if extra != nil {
		extra.Close()
		return fmt.Errorf("an extra connection from %v reached the listener on %v", extra.RemoteAddr(), l.Addr())
	}
	if err != nil || !scope.CancelledCaught() {
		return fmt.Errorf("Accept of nothing within MoveOnAfter(1s) = %v, caught %v; want nil, true", err, scope.CancelledCaught())
	}
	return nil
}

func TestSimHappyEyeballsTimings(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		holes  []netip.Addr
		listen []netip.Addr // listeners on port 80
		opts   []anyio.ConnectOption
		winner netip.Addr
		want   time.Duration // from the start of ConnectTCP to its return
	}{{
		// IPv6 never answers: IPv4 starts after the 250ms delay and
		// connects one round trip later.
		name: "v6 blackholed", holes: []netip.Addr{heV6}, listen: []netip.Addr{heV4},
		winner: heV4, want: 250*time.Millisecond + 2*heLatency,
	}, {
		// IPv6 is refused after a round trip: IPv4 starts at once.
		name: "v6 refused", listen: []netip.Addr{heV4},
		winner: heV4, want: 2*heLatency + 2*heLatency,
	}, {
		name: "v6 blackholed, delay 100ms", holes: []netip.Addr{heV6}, listen: []netip.Addr{heV4},
		opts:   []anyio.ConnectOption{anyio.HappyEyeballsDelay(100 * time.Millisecond)},
		winner: heV4, want: 100*time.Millisecond + 2*heLatency,
	}, {
		// Both answer: the first attempt wins before the second starts.
		name: "both listen", listen: []netip.Addr{heV6, heV4},
		winner: heV6, want: 2 * heLatency,
	}}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			// The timings are the same whatever the interleaving.
			anyiotest.Seeds(t, 5, func(t *testing.T, ctx context.Context) error {
				return heConnect(ctx, c.listen, c.winner, c.want, c.opts...)
			}, anyio.NetworkFunc(func(int64) *anyio.SimNetwork { return heNetwork(c.holes...) }))
		})
	}
}

// heConnect listens on port 80 of each address in listen, connects to
// example.test port 80 and checks that the connection goes to winner and
// takes exactly want of virtual time, and that no other connection is left.
func heConnect(ctx context.Context, listen []netip.Addr, winner netip.Addr, want time.Duration, opts ...anyio.ConnectOption) error {
	listeners := make(map[netip.Addr]*anyio.TCPListener)
	for _, a := range listen {
		l, err := anyio.ListenTCP(ctx, a.String(), 80)
		if err != nil {
			return err
		}
		defer l.Close()
		listeners[a] = l
	}
	start := anyio.Now(ctx)
	s, err := anyio.ConnectTCP(ctx, "example.test", 80, opts...)
	elapsed := since(ctx, start)
	if err != nil {
		return fmt.Errorf("ConnectTCP after %v: %w", elapsed, err)
	}
	defer s.Close()
	if elapsed != want {
		return fmt.Errorf("ConnectTCP took %v of virtual time, want exactly %v", elapsed, want)
	}
	if err := heCheckAddr("RemoteAddr()", s.RemoteAddr(), winner); err != nil {
		return err
	}
	if err := heCheckAddr("the listener's Addr()", listeners[winner].Addr(), winner); err != nil {
		return err
	}
	if local, ok := s.LocalAddr().(*net.TCPAddr); !ok {
		return fmt.Errorf("LocalAddr() is a %T, want a *net.TCPAddr", s.LocalAddr())
	} else if local.AddrPort().Addr().Is4() != winner.Is4() {
		return fmt.Errorf("LocalAddr() = %v is not in the family of %v", local, winner)
	}
	server, err := listeners[winner].Accept(ctx)
	if err != nil {
		return fmt.Errorf("Accept on the winner's listener: %w", err)
	}
	defer server.Close()
	if server.RemoteAddr().String() != s.LocalAddr().String() {
		return fmt.Errorf("the server's peer is %v, want the client's %v", server.RemoteAddr(), s.LocalAddr())
	}
	for _, l := range listeners {
		if err := heNothingToAccept(ctx, l); err != nil {
			return err
		}
	}
	return nil
}

func TestSimHappyEyeballsAllBlackholed(t *testing.T) {
	t.Parallel()
	anyiotest.Seeds(t, 5, func(t *testing.T, ctx context.Context) error {
		l, err := anyio.ListenTCP(ctx, heV4.String(), 80)
		if err != nil {
			return err
		}
		defer l.Close()
		start := anyio.Now(ctx)
		var s *anyio.SocketStream
		var connectErr error
		scope, err := anyio.MoveOnAfter(ctx, time.Second, func(ctx context.Context) error {
			s, connectErr = anyio.ConnectTCP(ctx, "example.test", 80)
			return connectErr
		})
		elapsed := since(ctx, start)
		if s != nil {
			s.Close()
			return fmt.Errorf("ConnectTCP to black holes connected to %v", s.RemoteAddr())
		}
		if err != nil || !scope.CancelledCaught() {
			return fmt.Errorf("MoveOnAfter(1s, ConnectTCP) = %v, caught %v; want nil, true", err, scope.CancelledCaught())
		}
		if !errors.Is(connectErr, context.DeadlineExceeded) {
			return fmt.Errorf("ConnectTCP cut short by the deadline = %v, want a cancellation matching context.DeadlineExceeded", connectErr)
		}
		if elapsed != time.Second {
			return fmt.Errorf("ConnectTCP was cancelled after %v of virtual time, want exactly 1s", elapsed)
		}
		return heNothingToAccept(ctx, l)
	}, anyio.NetworkFunc(func(int64) *anyio.SimNetwork { return heNetwork(heV6, heV4) }))
}

func TestSimHappyEyeballsAllRefused(t *testing.T) {
	t.Parallel()
	// Nothing listens: IPv6 is refused after a round trip, IPv4 starts then
	// and is refused a round trip later; the error holds both refusals.
	anyiotest.Seeds(t, 5, func(t *testing.T, ctx context.Context) error {
		start := anyio.Now(ctx)
		s, err := anyio.ConnectTCP(ctx, "example.test", 80)
		elapsed := since(ctx, start)
		if s != nil {
			s.Close()
			return fmt.Errorf("ConnectTCP with nothing listening connected to %v", s.RemoteAddr())
		}
		if !errors.Is(err, syscall.ECONNREFUSED) {
			return fmt.Errorf("ConnectTCP with nothing listening = %v, want ECONNREFUSED", err)
		}
		for _, a := range []netip.Addr{heV6, heV4} {
			if want := netip.AddrPortFrom(a, 80).String(); !strings.Contains(err.Error(), want) {
				return fmt.Errorf("ConnectTCP's error does not name the attempt to %s: %v", want, err)
			}
		}
		if want := 4 * heLatency; elapsed != want {
			return fmt.Errorf("ConnectTCP failed after %v of virtual time, want exactly %v", elapsed, want)
		}
		return nil
	}, anyio.NetworkFunc(func(int64) *anyio.SimNetwork { return heNetwork() }))
}

// --- 5. Misuse ------------------------------------------------------------

func TestSimRawChannelBlockIsReported(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	released := make(chan struct{})
	err := simRun(t, func(ctx context.Context) error {
		return anyio.WithTaskGroup(ctx, func(ctx context.Context, tg *anyio.TaskGroup) error {
			tg.StartSoon(func(ctx context.Context) error {
				defer close(released)
				//anyiovet:ignore the test: the watchdog catches this block
				<-release // the misuse under test: a raw channel inside a sim run
				return nil
			}, anyio.Name("raw reader"))
			return nil
		})
	}, anyio.SimWatchdog(100*time.Millisecond))
	close(release)
	select {
	case <-released:
	case <-time.After(simRunBound):
		t.Fatal("the blocked task never finished after its channel was closed")
	}
	if err == nil {
		t.Fatal("Run = nil, want an error naming the task blocked on a raw channel")
	}
	t.Logf("Run's error:\n%v", err)
	for _, want := range []string{`"raw reader"`, "raw channel", "call anyio functions with the ctx the task was given"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("Run's error does not say %q:\n%v", want, err)
		}
	}
}

// --- 6. Benchmarks --------------------------------------------------------

// BenchmarkSimTaskSwitch measures one round trip between two tasks over two
// streams of buffer 0 (two rendezvous, so at least two task switches), on
// each backend.
func BenchmarkSimTaskSwitch(b *testing.B) {
	for _, backend := range anyio.Backends() {
		b.Run(backend, func(b *testing.B) {
			err := anyio.Run(func(ctx context.Context) error {
				pingTx, pingRx := anyio.NewMemoryObjectStream[int](0)
				pongTx, pongRx := anyio.NewMemoryObjectStream[int](0)
				return anyio.WithTaskGroup(ctx, func(ctx context.Context, tg *anyio.TaskGroup) error {
					tg.StartSoon(func(ctx context.Context) error {
						defer pongTx.Close()
						for item, err := range pingRx.All(ctx) {
							if err != nil {
								return err
							}
							if err := pongTx.Send(ctx, item); err != nil {
								return err
							}
						}
						return nil
					}, anyio.Name("pong"))
					defer pingTx.Close()
					b.ResetTimer()
					for i := range b.N {
						if err := pingTx.Send(ctx, i); err != nil {
							return err
						}
						if _, err := pongRx.Receive(ctx); err != nil {
							return err
						}
					}
					b.StopTimer()
					return nil
				})
			}, anyio.Backend(backend))
			if err != nil {
				b.Fatal(err)
			}
		})
	}
}

// passItems is the body of BenchmarkSimWholeRun: two producers send 100
// items in all over an unbuffered stream to two consumers, which check
// that every item arrived once.
func passItems(ctx context.Context) error {
	tx, rx := anyio.NewMemoryObjectStream[int](0)
	var got atomic.Int64
	err := anyio.WithTaskGroup(ctx, func(ctx context.Context, tg *anyio.TaskGroup) error {
		for range 2 {
			tg.StartSoon(func(ctx context.Context) error {
				for item, err := range rx.All(ctx) {
					if err != nil {
						return err
					}
					got.Add(int64(item))
				}
				return nil
			})
		}
		defer tx.Close()
		err := anyio.WithTaskGroup(ctx, func(ctx context.Context, producers *anyio.TaskGroup) error {
			for p := range 2 {
				producers.StartSoon(func(ctx context.Context) error {
					for i := range 50 {
						if err := tx.Send(ctx, p*50+i+1); err != nil {
							return err
						}
					}
					return nil
				})
			}
			return nil
		})
		return err
	})
	if err == nil && got.Load() != 5050 {
		err = fmt.Errorf("the consumers got items summing to %d, want 5050", got.Load())
	}
	return err
}

// BenchmarkSimWholeRun measures whole runs, a fresh Run per iteration, of
// passItems: on std (the native twin: goroutines and the Go scheduler),
// on sim, and on sim with Trace writing to io.Discard. It reports runs/s.
func BenchmarkSimWholeRun(b *testing.B) {
	cases := []struct {
		name string
		opts []anyio.RunOption
	}{
		{"std", []anyio.RunOption{anyio.Backend(anyio.BackendStd)}},
		{"sim", []anyio.RunOption{anyio.Backend(anyio.BackendSim)}},
		{"sim+trace", []anyio.RunOption{anyio.Backend(anyio.BackendSim), anyio.Trace(io.Discard)}},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for i := range b.N {
				if err := anyio.Run(passItems, append(c.opts, anyio.Seed(int64(i)))...); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "runs/s")
		})
	}
}

// BenchmarkSimSleepers10k measures a sim run of 10,000 tasks that each sleep
// a different virtual duration, up to 10 s.
func BenchmarkSimSleepers10k(b *testing.B) {
	const n = 10000
	for range b.N {
		err := simRun(b, func(ctx context.Context) error {
			return anyio.WithTaskGroup(ctx, func(ctx context.Context, tg *anyio.TaskGroup) error {
				for i := range n {
					d := time.Duration((i*7919)%n+1) * time.Millisecond
					tg.StartSoon(func(ctx context.Context) error { return anyio.Sleep(ctx, d) })
				}
				return nil
			})
		})
		if err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSimFailAfterHour measures the wall time of a sim run in which a
// FailAfter(1h) cuts a Sleep(2h) short: an hour of virtual time.
func BenchmarkSimFailAfterHour(b *testing.B) {
	for range b.N {
		err := simRun(b, func(ctx context.Context) error {
			return anyio.FailAfter(ctx, time.Hour, func(ctx context.Context) error {
				return anyio.Sleep(ctx, 2*time.Hour)
			})
		})
		if !errors.Is(err, anyio.ErrTimeout) {
			b.Fatalf("FailAfter(1h, Sleep(2h)) = %v, want ErrTimeout", err)
		}
	}
}

// "names every blocked task": tasks left unnamed are named after their
// functions, so the report tells them apart.
func TestSimDeadlockNamesUnnamedTasksByFunction(t *testing.T) {
	err := simRun(t, func(ctx context.Context) error {
		_, rx := anyio.NewMemoryObjectStream[int](0)
		return anyio.WithTaskGroup(ctx, func(ctx context.Context, tg *anyio.TaskGroup) error {
			tg.StartSoon(func(ctx context.Context) error { _, err := rx.Receive(ctx); return err })
			tg.StartSoon(deadlockedReceiverForNames(rx))
			return nil
		})
	})
	if !errors.Is(err, anyio.ErrDeadlock) {
		t.Fatalf("Run = %v, want ErrDeadlock", err)
	}
	if !strings.Contains(err.Error(), "deadlockedReceiverForNames") {
		t.Errorf("the deadlock report does not name the task after its function:\n%v", err)
	}
}

func deadlockedReceiverForNames(rx *anyio.ReceiveStream[int]) func(ctx context.Context) error {
	return func(ctx context.Context) error { _, err := rx.Receive(ctx); return err }
}
