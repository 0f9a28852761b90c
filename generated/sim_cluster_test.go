package generated

// The simulated cluster: every sentence of API.md's "The simulated cluster"
// section, each run over clusterSeeds seeds, twice per seed: the same seed
// must tell the same story, event for event.

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/anyiogen/anyiogen/generated/anyio"
)

// clusterSeeds is how many seeds each cluster scenario runs under.
const clusterSeeds = 100

// clusterAddrs are the hosts of clusterNetwork.
var clusterAddrs = map[string]netip.Addr{
	"a": netip.MustParseAddr("10.0.0.1"),
	"b": netip.MustParseAddr("10.0.0.2"),
	"c": netip.MustParseAddr("10.0.0.3"),
}

// clusterNetwork has hosts a, b and c and 1 ms of latency.
func clusterNetwork() *anyio.SimNetwork {
	nw := anyio.NewSimNetwork()
	for name, addr := range clusterAddrs {
		nw.AddHost(name, addr)
	}
	nw.SetLatency(time.Millisecond)
	return nw
}

// clusterLog collects a run's events, stamped with virtual time since the
// run began.
type clusterLog struct {
	mu     sync.Mutex
	start  time.Time
	events []string
}

func (l *clusterLog) add(ctx context.Context, format string, args ...any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.events = append(l.events, fmt.Sprintf("%v ", anyio.Now(ctx).Sub(l.start))+fmt.Sprintf(format, args...))
}

// has reports whether the log has an event that is exactly want.
func (l *clusterLog) has(want string) bool { return slices.Contains(l.events, want) }

func (l *clusterLog) String() string { return "\n\t" + strings.Join(l.events, "\n\t") }

// clusterScenario runs a scenario on a fresh clusterNetwork (setup may
// change it before the run) under every seed, twice each; check judges
// each seed's log and the run's error.
func clusterScenario(t *testing.T, setup func(nw *anyio.SimNetwork), scenario func(ctx context.Context, nw *anyio.SimNetwork, log *clusterLog) error, check func(log *clusterLog, err error) error) {
	t.Helper()
	t.Parallel()
	once := func(seed int64) (*clusterLog, error) {
		nw := clusterNetwork()
		if setup != nil {
			setup(nw)
		}
		log := &clusterLog{}
		err := simRun(t, func(ctx context.Context) error {
			log.start = anyio.Now(ctx)
			return scenario(ctx, nw, log)
		}, anyio.Seed(seed), anyio.Network(nw))
		return log, err
	}
	for seed := range int64(clusterSeeds) {
		log, err := once(seed)
		if cerr := check(log, err); cerr != nil {
			t.Fatalf("seed %d: %v\nRun = %v; events:%v", seed, cerr, err, log)
		}
		again, err2 := once(seed)
		if !slices.Equal(log.events, again.events) || fmt.Sprint(err) != fmt.Sprint(err2) {
			t.Fatalf("seed %d told two stories:%v\n(Run = %v)\nand then:%v\n(Run = %v)", seed, log, err, again, err2)
		}
	}
}

// echoServer serves on host's port 7000: each connection gets back what
// it sends.
func echoServer(ctx context.Context, log *clusterLog) error {
	ln, err := anyio.ListenTCP(ctx, "", 7000)
	if err != nil {
		return err
	}
	log.add(ctx, "listening on %v", ln.Addr())
	return ln.Serve(ctx, func(ctx context.Context, s *anyio.SocketStream) error {
		log.add(ctx, "accepted from %v", s.RemoteAddr())
		for {
			data, err := s.Receive(ctx, 1024)
			if err != nil {
				return nil
			}
			if err := s.Send(ctx, data); err != nil {
				return nil
			}
		}
	})
}

// "RunHost runs main as that host: inside it ListenTCP/CreateUDPSocket with
// host "" bind the host's addresses, and connections leave from the host's
// address of the target's family. It returns main's error."
func TestClusterRunHostAddresses(t *testing.T) {
	clusterScenario(t, nil, func(ctx context.Context, nw *anyio.SimNetwork, log *clusterLog) error {
		return anyio.WithTaskGroup(ctx, func(ctx context.Context, tg *anyio.TaskGroup) error {
			tg.StartSoon(func(ctx context.Context) error {
				err := anyio.RunHost(ctx, "b", func(ctx context.Context) error {
					u, err := anyio.CreateUDPSocket(ctx, "", 9000)
					if err != nil {
						return err
					}
					defer u.Close()
					log.add(ctx, "b's UDP socket is on %v", u.LocalAddr())
					_, from, err := u.Receive(ctx)
					if err != nil {
						return err
					}
					log.add(ctx, "b got a datagram from %v", from)
					return moveOn(ctx, 10*time.Millisecond, func(ctx context.Context) error { return echoServer(ctx, log) })
				})
				log.add(ctx, "RunHost(b) returned %v", err)
				return nil
			})
			tg.StartSoon(func(ctx context.Context) error {
				return anyio.RunHost(ctx, "a", func(ctx context.Context) error {
					u, err := anyio.CreateUDPSocket(ctx, "", 0)
					if err != nil {
						return err
					}
					defer u.Close()
					if err := u.SendTo(ctx, []byte("hi"), netip.AddrPortFrom(clusterAddrs["b"], 9000)); err != nil {
						return err
					}
					if err := anyio.Sleep(ctx, 2*time.Millisecond); err != nil {
						return err
					}
					s, err := anyio.ConnectTCP(ctx, "b", 7000)
					if err != nil {
						return err
					}
					defer s.Close()
					log.add(ctx, "a connected from %v", s.LocalAddr().(*net.TCPAddr).IP)
					return nil
				})
			})
			return nil
		})
	}, func(log *clusterLog, err error) error {
		for _, want := range []string{
			"0s b's UDP socket is on 10.0.0.2:9000",
			"1ms b got a datagram from 10.0.0.1:49152",
			"1ms listening on 10.0.0.2:7000",
			"4ms a connected from 10.0.0.1",
			"3ms accepted from 10.0.0.1:49152",
			"11ms RunHost(b) returned <nil>",
		} {
			if !log.has(want) {
				return fmt.Errorf("no event %q", want)
			}
		}
		return err
	})
}

// moveOn runs body for at most d and returns its error.
func moveOn(ctx context.Context, d time.Duration, body func(ctx context.Context) error) error {
	_, err := anyio.MoveOnAfter(ctx, d, body)
	return err
}

// "Crash: no code of that host runs again; its listeners are gone, and
// each of its open connections is reset: the peer's next Receive or Send,
// one latency later, returns ErrBrokenResource; a connect to its addresses
// is refused until it listens again. RunHost returns ErrHostCrashed at the
// crash." And "a restart is a new RunHost".
func TestClusterCrashAndRestart(t *testing.T) {
	clusterScenario(t, nil, func(ctx context.Context, nw *anyio.SimNetwork, log *clusterLog) error {
		ticks := 0
		return anyio.WithTaskGroup(ctx, func(ctx context.Context, tg *anyio.TaskGroup) error {
			tg.StartSoon(func(ctx context.Context) error {
				err := anyio.RunHost(ctx, "b", func(ctx context.Context) error {
					return anyio.WithTaskGroup(ctx, func(ctx context.Context, hosts *anyio.TaskGroup) error {
						hosts.StartSoon(func(ctx context.Context) error {
							for {
								if err := anyio.Sleep(ctx, time.Millisecond); err != nil {
									return err
								}
								ticks++
							}
						})
						return echoServer(ctx, log)
					})
				})
				log.add(ctx, "RunHost(b) returned ErrHostCrashed: %v; b ticked %d times", errors.Is(err, anyio.ErrHostCrashed), ticks)
				if err := anyio.Sleep(ctx, 10*time.Millisecond); err != nil {
					return err
				}
				log.add(ctx, "b ticked %d times by now", ticks)
				return anyio.RunHost(ctx, "b", func(ctx context.Context) error {
					log.add(ctx, "b restarts")
					return moveOn(ctx, 10*time.Millisecond, func(ctx context.Context) error { return echoServer(ctx, log) })
				})
			})
			tg.StartSoon(func(ctx context.Context) error {
				return anyio.RunHost(ctx, "a", func(ctx context.Context) error {
					if err := anyio.Sleep(ctx, time.Millisecond); err != nil {
						return err
					}
					s, err := anyio.ConnectTCP(ctx, "b", 7000)
					if err != nil {
						return err
					}
					defer s.Close()
					if err := s.Send(ctx, []byte("ping")); err != nil {
						return err
					}
					if _, err := s.Receive(ctx, 16); err != nil {
						return err
					}
					log.add(ctx, "a got its echo")
					_, err = s.Receive(ctx, 16) // b crashes meanwhile
					log.add(ctx, "a's next Receive: ErrBrokenResource: %v", errors.Is(err, anyio.ErrBrokenResource))
					if err := anyio.Sleep(ctx, 2*time.Millisecond); err != nil {
						return err
					}
					_, err = anyio.ConnectTCP(ctx, "b", 7000)
					log.add(ctx, "a's connect to crashed b failed: %v", err != nil)
					if err := anyio.Sleep(ctx, 10*time.Millisecond); err != nil {
						return err
					}
					s2, err := anyio.ConnectTCP(ctx, "b", 7000)
					if err != nil {
						return err
					}
					log.add(ctx, "a connected to the restarted b")
					return s2.Close()
				})
			})
			tg.StartSoon(func(ctx context.Context) error {
				if err := anyio.Sleep(ctx, 6*time.Millisecond); err != nil {
					return err
				}
				log.add(ctx, "crash b")
				nw.Crash("b")
				return nil
			})
			return nil
		})
	}, func(log *clusterLog, err error) error {
		// b's tick due at 6 ms runs before or after the crash, as the
		// seed has it; after the crash it never ticks again.
		ticks := "5"
		if log.has("6ms RunHost(b) returned ErrHostCrashed: true; b ticked 6 times") {
			ticks = "6"
		}
		for _, want := range []string{
			"0s listening on 10.0.0.2:7000",
			"2ms accepted from 10.0.0.1:49152",
			"5ms a got its echo",
			"6ms crash b",
			"6ms RunHost(b) returned ErrHostCrashed: true; b ticked " + ticks + " times",
			"7ms a's next Receive: ErrBrokenResource: true",
			"11ms a's connect to crashed b failed: true",
			"16ms b ticked " + ticks + " times by now",
			"16ms b restarts",
			"16ms listening on 10.0.0.2:7000",
			"23ms a connected to the restarted b",
		} {
			if !log.has(want) {
				return fmt.Errorf("no event %q", want)
			}
		}
		return err
	})
}
