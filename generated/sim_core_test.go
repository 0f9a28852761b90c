package generated

// Sim-only sentences of the core additions: what a seed fixes (Rand, task
// IDs in reports), and the scheduling points a simulator needs where Go
// would preempt (Send with room, an empty task group's exit).

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/anyiogen/anyiogen/generated/anyio"
)

// "Rand: on sim a generator drawn from the run's seed, so the same seed
// gives the same numbers."
func TestSimRandFollowsSeed(t *testing.T) {
	t.Parallel()
	draw := func(seed int64) []uint64 {
		var got []uint64
		err := simRun(t, func(ctx context.Context) error {
			for range 3 {
				got = append(got, anyio.Rand(ctx).Uint64())
			}
			return nil
		}, anyio.Seed(seed))
		if err != nil {
			t.Fatal(err)
		}
		return got
	}
	a, b, c := draw(7), draw(7), draw(8)
	if fmt.Sprint(a) != fmt.Sprint(b) {
		t.Errorf("seed 7 drew %v, then %v: want the same numbers", a, b)
	}
	if fmt.Sprint(a) == fmt.Sprint(c) {
		t.Errorf("seeds 7 and 8 drew the same numbers %v", a)
	}
}

// Drawing numbers does not change the schedule: Rand's stream is apart
// from the scheduler's.
func TestSimRandLeavesScheduleAlone(t *testing.T) {
	t.Parallel()
	order := func(draw bool) string {
		var log []string
		err := simRun(t, func(ctx context.Context) error {
			return anyio.WithTaskGroup(ctx, func(ctx context.Context, tg *anyio.TaskGroup) error {
				for i := range 4 {
					tg.StartSoon(func(ctx context.Context) error {
						if draw {
							anyio.Rand(ctx).Uint64()
						}
						for step := range 3 {
							log = append(log, fmt.Sprintf("%d.%d", i, step))
							if err := anyio.Checkpoint(ctx); err != nil {
								return err
							}
						}
						return nil
					})
				}
				return nil
			})
		}, anyio.Seed(3))
		if err != nil {
			t.Fatal(err)
		}
		return strings.Join(log, " ")
	}
	if with, without := order(true), order(false); with != without {
		t.Errorf("the schedule changed when tasks drew from Rand:\n with: %s\n without: %s", with, without)
	}
}

// The deadlock report names each task by the ID its ctx reports, and the
// same seed gives the same IDs.
func TestSimDeadlockReportUsesTaskIDs(t *testing.T) {
	t.Parallel()
	var id int64
	err := simRun(t, func(ctx context.Context) error {
		tx, rx := anyio.NewMemoryObjectStream[int](0)
		defer tx.Close()
		return anyio.WithTaskGroup(ctx, func(ctx context.Context, tg *anyio.TaskGroup) error {
			h := anyio.CreateTask(tg, func(ctx context.Context) (int, error) { return rx.Receive(ctx) }, anyio.Name("waiter"))
			id = h.Info().ID
			return nil
		})
	})
	if !errors.Is(err, anyio.ErrDeadlock) {
		t.Fatalf("Run = %v, want ErrDeadlock", err)
	}
	want := fmt.Sprintf(`task "waiter" (task %d) waits on`, id)
	if !strings.Contains(err.Error(), want) {
		t.Errorf("the deadlock report does not say %q:\n%v", want, err)
	}
	if !strings.Contains(err.Error(), `(task 1) waits on: task group`) {
		t.Errorf("the deadlock report does not name the main task as task 1:\n%v", err)
	}
}

// "Every wait ... is a scheduling point on sim": two tasks sending into a
// stream with room interleave, as AnyIO's send checkpoints first.
func TestSimSendsWithRoomInterleave(t *testing.T) {
	t.Parallel()
	interleaved := 0
	for seed := range int64(5) {
		var got []string
		err := simRun(t, func(ctx context.Context) error {
			tx, rx := anyio.NewMemoryObjectStream[string](anyio.Unbounded)
			err := anyio.WithTaskGroup(ctx, func(ctx context.Context, tg *anyio.TaskGroup) error {
				for _, who := range []string{"a", "b"} {
					tg.StartSoon(func(ctx context.Context) error {
						for range 10 {
							if err := tx.Send(ctx, who); err != nil {
								return err
							}
						}
						return nil
					})
				}
				return nil
			})
			tx.Close()
			for item, err := range rx.All(ctx) {
				if err != nil {
					return err
				}
				got = append(got, item)
			}
			return err
		}, anyio.Seed(seed))
		if err != nil {
			t.Fatal(err)
		}
		s := strings.Join(got, "")
		if s != strings.Repeat("a", 10)+strings.Repeat("b", 10) && s != strings.Repeat("b", 10)+strings.Repeat("a", 10) {
			interleaved++
		}
	}
	if interleaved == 0 {
		t.Errorf("over 5 seeds, two tasks' Sends into an unbounded stream never interleaved: Send with room is no scheduling point")
	}
}

// "a deadlock among these waits is reported with what each task waits on
// ("acquire of a Lock held by task \"db\"")".
func TestSimDeadlockNamesLockHolder(t *testing.T) {
	t.Parallel()
	err := simRun(t, func(ctx context.Context) error {
		a, b := anyio.NewLock(), anyio.NewLock()
		return anyio.WithTaskGroup(ctx, func(ctx context.Context, tg *anyio.TaskGroup) error {
			cross := func(first, second *anyio.Lock) func(ctx context.Context) error {
				return func(ctx context.Context) error {
					if err := first.Acquire(ctx); err != nil {
						return err
					}
					defer first.Release()
					if err := anyio.Sleep(ctx, time.Millisecond); err != nil {
						return err
					}
					if err := second.Acquire(ctx); err != nil {
						return err
					}
					second.Release()
					return nil
				}
			}
			tg.StartSoon(cross(a, b), anyio.Name("db"))
			tg.StartSoon(cross(b, a), anyio.Name("cache"))
			return nil
		})
	})
	if !errors.Is(err, anyio.ErrDeadlock) {
		t.Fatalf("Run = %v, want ErrDeadlock", err)
	}
	for _, want := range []string{
		`task "cache" (task 3) waits on: acquire of a Lock held by task "db" (task 2)`,
		`task "db" (task 2) waits on: acquire of a Lock held by task "cache" (task 3)`,
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("the deadlock report does not say %q:\n%v", want, err)
		}
	}
}

// The same for a CapacityLimiter: the report names its borrowers.
func TestSimDeadlockNamesLimiterBorrowers(t *testing.T) {
	t.Parallel()
	err := simRun(t, func(ctx context.Context) error {
		l := anyio.NewCapacityLimiter(1)
		never := anyio.NewEvent()
		return anyio.WithTaskGroup(ctx, func(ctx context.Context, tg *anyio.TaskGroup) error {
			tg.StartSoon(func(ctx context.Context) error {
				if err := l.Acquire(ctx); err != nil {
					return err
				}
				defer l.Release(ctx)
				return never.Wait(ctx)
			}, anyio.Name("holder"))
			tg.StartSoon(func(ctx context.Context) error {
				if err := anyio.Sleep(ctx, time.Millisecond); err != nil {
					return err
				}
				return l.Acquire(ctx)
			}, anyio.Name("queued"))
			return nil
		})
	})
	if !errors.Is(err, anyio.ErrDeadlock) {
		t.Fatalf("Run = %v, want ErrDeadlock", err)
	}
	for _, want := range []string{
		`task "queued" (task 3) waits on: acquire of a CapacityLimiter held by task "holder" (task 2)`,
		`task "holder" (task 2) waits on: wait on an Event`,
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("the deadlock report does not say %q:\n%v", want, err)
		}
	}
}

// On sim, a ToThread call takes no virtual time and no other task runs
// until it returns; a run waiting for it is not deadlocked.
func TestSimToThreadRunsAlone(t *testing.T) {
	t.Parallel()
	var log []string
	err := simRun(t, func(ctx context.Context) error {
		return anyio.WithTaskGroup(ctx, func(ctx context.Context, tg *anyio.TaskGroup) error {
			tg.StartSoon(func(ctx context.Context) error {
				for range 3 {
					log = append(log, "other")
					if err := anyio.Checkpoint(ctx); err != nil {
						return err
					}
				}
				return nil
			})
			start := anyio.Now(ctx)
			_, err := anyio.ToThread(ctx, func() (int, error) {
				log = append(log, "thread start")
				time.Sleep(30 * time.Millisecond)
				log = append(log, "thread end")
				return 0, nil
			})
			if d := anyio.Now(ctx).Sub(start); d != 0 {
				t.Errorf("ToThread took %v of virtual time, want 0", d)
			}
			return err
		})
	}, anyio.Seed(1))
	if err != nil {
		t.Fatal(err)
	}
	s := strings.Join(log, ",")
	if !strings.Contains(s, "thread start,thread end") {
		t.Errorf("another task ran while the thread did: %s", s)
	}
}

// On sim, an http.Handler calls into the run with FromThread while the main
// task waits for its client in ToThread: the handler's calls run as tasks.
func TestSimFromThreadServesHTTP(t *testing.T) {
	t.Parallel()
	err := simRun(t, func(ctx context.Context) error {
		tok := anyio.CurrentToken(ctx)
		lock := anyio.NewLock()
		hits := 0
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			err := anyio.FromThread(tok, func(ctx context.Context) error {
				if err := lock.Acquire(ctx); err != nil {
					return err
				}
				defer lock.Release()
				if err := anyio.Sleep(ctx, time.Millisecond); err != nil {
					return err
				}
				hits++
				_, err := fmt.Fprintf(w, "hit %d at %v", hits, anyio.CurrentTask(ctx).ID > 1)
				return err
			})
			if err != nil {
				http.Error(w, err.Error(), http.StatusServiceUnavailable)
			}
		}))
		defer srv.Close()
		client := srv.Client()
		got, err := anyio.ToThread(ctx, func() (string, error) {
			var bodies []string
			for range 2 {
				resp, err := client.Get(srv.URL)
				if err != nil {
					return "", err
				}
				body, err := io.ReadAll(resp.Body)
				resp.Body.Close()
				if err != nil {
					return "", err
				}
				bodies = append(bodies, string(body))
			}
			return strings.Join(bodies, "; "), nil
		})
		if want := "hit 1 at true; hit 2 at true"; got != want {
			t.Errorf("responses %q, want %q", got, want)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

// "SimWatchdog(d); detection without jitter (the same block fails the same
// way every run)": a block of 1.5 periods fails on every run, one of a
// third of a period on none.
func TestSimWatchdogWithoutJitter(t *testing.T) {
	t.Parallel()
	const period = 200 * time.Millisecond
	block := func(d time.Duration) error {
		return simRun(t, func(ctx context.Context) error {
			return anyio.WithTaskGroup(ctx, func(ctx context.Context, tg *anyio.TaskGroup) error {
				tg.StartSoon(func(ctx context.Context) error {
					//anyiovet:ignore the test: the watchdog catches this block
					time.Sleep(d) // the misuse under test
					return nil
				}, anyio.Name("sleeper"))
				return nil
			})
		}, anyio.SimWatchdog(period))
	}
	for run := range 3 {
		if err := block(period / 3); err != nil {
			t.Errorf("run %d: a block of a third of the period failed: %v", run, err)
		}
		err := block(period * 3 / 2)
		if err == nil || !strings.Contains(err.Error(), `"sleeper"`) {
			t.Errorf("run %d: a block of 1.5 periods: Run = %v, want a report naming the sleeper", run, err)
		}
	}
}

// "Each direction of a simulated connection holds at most SetTCPBuffer
// bytes; Send blocks when it is full and resumes as the peer reads."
func TestSimSendBlocksUntilPeerReads(t *testing.T) {
	t.Parallel()
	run := func(seed int64) (sendDone time.Duration, busy bool) {
		n := anyio.NewSimNetwork()
		n.SetTCPBuffer(1000)
		err := simRun(t, func(ctx context.Context) error {
			l, err := anyio.ListenTCP(ctx, "127.0.0.1", 0)
			if err != nil {
				return err
			}
			defer l.Close()
			start := anyio.Now(ctx)
			return anyio.WithTaskGroup(ctx, func(ctx context.Context, tg *anyio.TaskGroup) error {
				c, err := anyio.ConnectTCP(ctx, "127.0.0.1", l.Addr().(*net.TCPAddr).Port)
				if err != nil {
					return err
				}
				s, err := l.Accept(ctx)
				if err != nil {
					c.Close()
					return err
				}
				tg.StartSoon(func(ctx context.Context) error {
					defer c.Close()
					if err := c.Send(ctx, make([]byte, 5000)); err != nil {
						return err
					}
					sendDone = anyio.Now(ctx).Sub(start)
					return nil
				})
				if err := anyio.WaitAllTasksBlocked(ctx); err != nil {
					return err
				}
				busy = errors.Is(c.Send(ctx, []byte("x")), anyio.ErrBusyResource)
				defer s.Close()
				for total := 0; total < 5000; {
					if err := anyio.Sleep(ctx, time.Millisecond); err != nil {
						return err
					}
					data, err := s.Receive(ctx, 500)
					if err != nil {
						return err
					}
					total += len(data)
				}
				return nil
			})
		}, anyio.Network(n), anyio.Seed(seed))
		if err != nil {
			t.Fatal(err)
		}
		return sendDone, busy
	}
	first, busy := run(1)
	if !busy {
		t.Errorf("a second Send while the first waited for room: not ErrBusyResource")
	}
	// 1000 bytes fit at once; the other 4000 need 8 reads of 500, one a
	// millisecond.
	if first < 8*time.Millisecond {
		t.Errorf("the 5000-byte Send returned after %v, before the reader had made room for it (8ms)", first)
	}
	if again, _ := run(1); again != first {
		t.Errorf("the same seed: the Send returned after %v, then after %v", first, again)
	}
}

// "A sim run's output is a function of its seed": the refusal of a
// wall-clock deadline says the same words on every run of a seed, for a
// wait and for a scope (before, its text held the deadline's
// wall-clock time).
func TestSimWallClockDeadlineErrorIsTheSameOnEveryRun(t *testing.T) {
	t.Parallel()
	refusals := func() string {
		var got []string
		err := simRun(t, func(ctx context.Context) error {
			wall, cancel := context.WithTimeout(ctx, time.Hour)
			defer cancel()
			got = append(got, fmt.Sprint(anyio.Sleep(wall, time.Minute)))
			got = append(got, fmt.Sprint(anyio.FailAfter(wall, time.Second, func(ctx context.Context) error { return nil })))
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		return strings.Join(got, "\n")
	}
	first := refusals()
	time.Sleep(2 * time.Millisecond) // the wall clock moves on between the runs
	if again := refusals(); again != first {
		t.Errorf("two runs of one seed refused a wall-clock deadline in different words:\n%s\nthen\n%s", first, again)
	}
}

// "outside a test, a sim run that meets a deadline from the wall clock (a
// context.WithTimeout ctx passed to a call of this package) gets an error
// that names it instead of silently ignoring it: that call returns it".
func TestSimWallClockDeadlineIsRefused(t *testing.T) {
	t.Parallel()
	err := simRun(t, func(ctx context.Context) error {
		wall, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
		defer cancel()
		start := anyio.Now(ctx)
		err := anyio.Sleep(wall, time.Hour)
		if err == nil || !strings.Contains(err.Error(), "wall clock") || !strings.Contains(err.Error(), "context.WithTimeout") {
			t.Errorf("Sleep under a wall-clock WithTimeout = %v, want an error naming the wall-clock deadline", err)
		}
		if d := anyio.Now(ctx).Sub(start); d != 0 {
			t.Errorf("the refused Sleep took %v of virtual time", d)
		}
		if err := anyio.FailAfter(wall, time.Second, func(ctx context.Context) error { return nil }); err == nil || !strings.Contains(err.Error(), "wall clock") {
			t.Errorf("FailAfter under a wall-clock WithTimeout = %v, want the same refusal", err)
		}
		// A context.WithCancel without a deadline is fine, and so is a
		// deadline that has already passed: that is a cancellation.
		plain, cancelPlain := context.WithCancel(ctx)
		defer cancelPlain()
		if err := anyio.Sleep(plain, time.Millisecond); err != nil {
			t.Errorf("Sleep under a plain WithCancel = %v", err)
		}
		past, cancelPast := context.WithDeadline(ctx, time.Now().Add(-time.Second))
		defer cancelPast()
		if err := anyio.Sleep(past, time.Hour); !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("Sleep under a passed wall-clock deadline = %v, want context.DeadlineExceeded", err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// "Buggify: sim: a call site is enabled for a run with probability 1/4,
// and then true at 1/4 of its calls (seeded); std: false."
func TestSimBuggify(t *testing.T) {
	t.Parallel()
	const sites, calls = 4, 400
	draw := func(seed int64) (trues [sites]int) {
		err := simRun(t, func(ctx context.Context) error {
			for range calls {
				// Four call sites, each its own line.
				if anyio.Buggify(ctx) {
					trues[0]++
				}
				if anyio.Buggify(ctx) {
					trues[1]++
				}
				if anyio.Buggify(ctx) {
					trues[2]++
				}
				if anyio.Buggify(ctx) {
					trues[3]++
				}
			}
			return nil
		}, anyio.Seed(seed))
		if err != nil {
			t.Fatal(err)
		}
		return trues
	}
	enabled, total := 0, 0
	for seed := range int64(40) {
		trues := draw(seed)
		if again := draw(seed); again != trues {
			t.Fatalf("seed %d buggified %v, then %v", seed, trues, again)
		}
		for _, n := range trues {
			if n > 0 {
				enabled++
				total += n
				// An enabled site fires at about a quarter of its calls.
				if n < calls/8 || n > calls*3/8 {
					t.Errorf("seed %d: an enabled site fired %d times in %d calls, want about %d", seed, n, calls, calls/4)
				}
			}
		}
	}
	// 160 sites in all, each enabled with probability 1/4.
	if enabled < 20 || enabled > 60 {
		t.Errorf("%d of 160 call sites enabled, want about 40", enabled)
	}
	if anyio.Buggify(context.Background()) {
		t.Errorf("Buggify outside a sim run = true, want false")
	}
	err := anyio.Run(func(ctx context.Context) error {
		for range 100 {
			if anyio.Buggify(ctx) {
				return errors.New("Buggify on std = true")
			}
		}
		return nil
	})
	if err != nil {
		t.Error(err)
	}
}

// "SetLoss(p): each datagram is dropped with probability p; SetDuplication
// ... or delivered twice; SetJitter: each packet's one-way delay gains a
// seeded draw", which reorders datagrams but never a TCP stream's bytes;
// the same seed, the same outcome.
func TestSimUDPFaults(t *testing.T) {
	t.Parallel()
	const sent = 200
	udpRun := func(seed int64, configure func(*anyio.SimNetwork)) (got []int) {
		n := anyio.NewSimNetwork()
		n.SetLatency(time.Millisecond)
		configure(n)
		err := simRun(t, func(ctx context.Context) error {
			rx, err := anyio.CreateUDPSocket(ctx, "127.0.0.1", 0)
			if err != nil {
				return err
			}
			defer rx.Close()
			tx, err := anyio.CreateUDPSocket(ctx, "127.0.0.1", 0)
			if err != nil {
				return err
			}
			defer tx.Close()
			to := rx.LocalAddr().(*net.UDPAddr).AddrPort()
			for i := range sent {
				if err := tx.SendTo(ctx, []byte{byte(i)}, to); err != nil {
					return err
				}
			}
			_, err = anyio.MoveOnAfter(ctx, time.Second, func(ctx context.Context) error {
				for {
					data, _, err := rx.Receive(ctx)
					if err != nil {
						return err
					}
					got = append(got, int(data[0]))
				}
			})
			return err
		}, anyio.Network(n), anyio.Seed(seed))
		if err != nil {
			t.Fatal(err)
		}
		return got
	}
	lossy := func(n *anyio.SimNetwork) { n.SetLoss(0.5) }
	if got := udpRun(1, lossy); len(got) < sent/4 || len(got) > sent*3/4 {
		t.Errorf("with SetLoss(0.5), %d of %d datagrams arrived", len(got), sent)
	} else if again := udpRun(1, lossy); fmt.Sprint(again) != fmt.Sprint(got) {
		t.Errorf("the same seed lost different datagrams")
	}
	dup := func(n *anyio.SimNetwork) { n.SetDuplication(0.5) }
	if got := udpRun(2, dup); len(got) < sent*5/4 || len(got) > sent*7/4 {
		t.Errorf("with SetDuplication(0.5), %d datagrams arrived for %d sent", len(got), sent)
	}
	jittery := func(n *anyio.SimNetwork) { n.SetJitter(10 * time.Millisecond) }
	got := udpRun(3, jittery)
	if len(got) != sent {
		t.Fatalf("with jitter alone, %d of %d datagrams arrived", len(got), sent)
	}
	inOrder := true
	for i := 1; i < len(got); i++ {
		if got[i] < got[i-1] {
			inOrder = false
		}
	}
	if inOrder {
		t.Errorf("with 10ms of jitter over 1ms of latency, %d datagrams all arrived in order", sent)
	}
	if again := udpRun(3, jittery); fmt.Sprint(again) != fmt.Sprint(got) {
		t.Errorf("the same seed reordered the datagrams differently")
	}
	clean := udpRun(4, func(*anyio.SimNetwork) {})
	if len(clean) != sent {
		t.Errorf("without faults, %d of %d datagrams arrived", len(clean), sent)
	}
}

// Jitter never reorders a TCP stream's bytes.
func TestSimJitterKeepsTCPInOrder(t *testing.T) {
	t.Parallel()
	n := anyio.NewSimNetwork()
	n.SetLatency(time.Millisecond)
	n.SetJitter(10 * time.Millisecond)
	err := simRun(t, func(ctx context.Context) error {
		l, err := anyio.ListenTCP(ctx, "127.0.0.1", 0)
		if err != nil {
			return err
		}
		defer l.Close()
		c, err := anyio.ConnectTCP(ctx, "127.0.0.1", l.Addr().(*net.TCPAddr).Port)
		if err != nil {
			return err
		}
		defer c.Close()
		s, err := l.Accept(ctx)
		if err != nil {
			return err
		}
		defer s.Close()
		var want []byte
		for i := range 100 {
			want = append(want, byte(i))
			if err := c.Send(ctx, []byte{byte(i)}); err != nil {
				return err
			}
		}
		if err := c.SendEOF(); err != nil {
			return err
		}
		var got []byte
		for {
			data, err := s.Receive(ctx, 1000)
			if errors.Is(err, anyio.ErrEndOfStream) {
				break
			}
			if err != nil {
				return err
			}
			got = append(got, data...)
		}
		if string(got) != string(want) {
			t.Errorf("a TCP stream under jitter delivered %v, want %v", got, want)
		}
		return nil
	}, anyio.Network(n), anyio.Seed(5))
	if err != nil {
		t.Fatal(err)
	}
}

// Unblackhole undoes Blackhole.
func TestSimUnblackhole(t *testing.T) {
	t.Parallel()
	n := anyio.NewSimNetwork()
	addr := netip.MustParseAddr("192.0.2.9")
	n.Blackhole(addr)
	err := simRun(t, func(ctx context.Context) error {
		l, err := anyio.ListenTCP(ctx, "192.0.2.9", 80)
		if err != nil {
			return err
		}
		defer l.Close()
		_, err = anyio.MoveOnAfter(ctx, time.Second, func(ctx context.Context) error {
			_, err := anyio.ConnectTCP(ctx, "192.0.2.9", 80)
			return err
		})
		if err != nil {
			return fmt.Errorf("a connect to a black hole: %v, want it to hang until the timeout", err)
		}
		n.Unblackhole(addr)
		c, err := anyio.ConnectTCP(ctx, "192.0.2.9", 80)
		if err != nil {
			return fmt.Errorf("a connect after Unblackhole: %w", err)
		}
		return c.Close()
	}, anyio.Network(n))
	if err != nil {
		t.Fatal(err)
	}
}
