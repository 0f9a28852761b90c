package generated

// The simulated cluster: every sentence of API.md's "The simulated cluster"
// section, each run over clusterSeeds seeds, twice per seed: the same seed
// must tell the same story, event for event.

import (
	"bytes"
	"context"
	"encoding/json"
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
		return echoUntilEnd(ctx, s)
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

// faultAt starts a task that, d into the run, logs what and does fault.
func faultAt(tg *anyio.TaskGroup, log *clusterLog, d time.Duration, what string, fault func()) {
	tg.StartSoon(func(ctx context.Context) error {
		if err := anyio.Sleep(ctx, d); err != nil {
			return err
		}
		log.add(ctx, "%s", what)
		fault()
		return nil
	}, anyio.Name("fault: "+what))
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
			faultAt(tg, log, 6*time.Millisecond, "crash b", func() { nw.Crash("b") })
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

// streamNumbers has host a send n numbered lines to host b over one
// connection, one every millisecond, while fault does its work; b logs
// when each arrives. It returns the numbers b got, in order.
func streamNumbers(ctx context.Context, log *clusterLog, n int, fault func(ctx context.Context) error) ([]int, error) {
	var got []int
	err := anyio.WithTaskGroup(ctx, func(ctx context.Context, tg *anyio.TaskGroup) error {
		ready := anyio.NewEvent()
		tg.StartSoon(func(ctx context.Context) error {
			return anyio.RunHost(ctx, "b", func(ctx context.Context) error {
				ln, err := anyio.ListenTCP(ctx, "", 7000)
				if err != nil {
					return err
				}
				defer ln.Close()
				ready.Set()
				s, err := ln.Accept(ctx)
				if err != nil {
					return err
				}
				defer s.Close()
				r := anyio.NewBufferedByteStream(s)
				for {
					line, err := r.ReceiveUntil(ctx, []byte("\n"), 16)
					if errors.Is(err, anyio.ErrIncompleteRead) {
						return nil
					}
					if err != nil {
						return err
					}
					var k int
					fmt.Sscan(string(line), &k)
					log.add(ctx, "b got %d", k)
					got = append(got, k)
				}
			})
		})
		tg.StartSoon(func(ctx context.Context) error {
			return anyio.RunHost(ctx, "a", func(ctx context.Context) error {
				if err := ready.Wait(ctx); err != nil {
					return err
				}
				s, err := anyio.ConnectTCP(ctx, "b", 7000)
				if err != nil {
					return err
				}
				defer s.Close()
				for i := range n {
					if err := s.Send(ctx, []byte(fmt.Sprintf("%d\n", i))); err != nil {
						return err
					}
					if err := anyio.Sleep(ctx, time.Millisecond); err != nil {
						return err
					}
				}
				return s.SendEOF()
			})
		})
		tg.StartSoon(fault)
		return nil
	})
	return got, err
}

// inOrder checks that got is 0..n-1: nothing lost, duplicated or
// reordered.
func inOrder(got []int, n int) error {
	if len(got) != n {
		return fmt.Errorf("b got %d numbers, want %d: %v", len(got), n, got)
	}
	for i, k := range got {
		if k != i {
			return fmt.Errorf("b got %v: number %d is %d", got, i, k)
		}
	}
	return nil
}

// "TCP across a partition or a hold stalls: bytes already sent are
// delivered, in order, after Heal/Release; nothing is lost, duplicated or
// reordered within a connection." Faults apply to open connections, at the
// virtual instant they are made.
func TestClusterTCPStallsUntilTheLinkOpens(t *testing.T) {
	// a sends number i at 2+i ms, which arrives 1 ms later unless stalled.
	for _, c := range []struct {
		name         string
		n            int
		at, openedAt time.Duration
		cut, open    func(nw *anyio.SimNetwork)
		want         []string
	}{{
		name: "partition", n: 40, at: 10500 * time.Microsecond, openedAt: 30500 * time.Microsecond,
		cut:  func(nw *anyio.SimNetwork) { nw.Partition("a", "b") },
		open: func(nw *anyio.SimNetwork) { nw.Heal("a", "b") },
		// Those sent after 10.5 ms wait for the heal at 30.5 ms.
		want: []string{"3ms b got 0", "10ms b got 7", "10.5ms cut", "30.5ms open", "30.5ms b got 8", "30.5ms b got 27", "31ms b got 28", "42ms b got 39"},
	}, {
		name: "hold", n: 20, at: 5500 * time.Microsecond, openedAt: 15500 * time.Microsecond,
		cut:  func(nw *anyio.SimNetwork) { nw.Hold("a", "b") },
		open: func(nw *anyio.SimNetwork) { nw.Release("a", "b") },
		want: []string{"5ms b got 2", "5.5ms cut", "15.5ms open", "15.5ms b got 3", "15.5ms b got 12", "16ms b got 13", "22ms b got 19"},
	}} {
		t.Run(c.name, func(t *testing.T) {
			var got []int
			clusterScenario(t, nil, func(ctx context.Context, nw *anyio.SimNetwork, log *clusterLog) error {
				var err error
				got, err = streamNumbers(ctx, log, c.n, func(ctx context.Context) error {
					if err := anyio.Sleep(ctx, c.at); err != nil {
						return err
					}
					log.add(ctx, "cut")
					c.cut(nw)
					if err := anyio.Sleep(ctx, c.openedAt-c.at); err != nil {
						return err
					}
					log.add(ctx, "open")
					c.open(nw)
					return nil
				})
				return err
			}, func(log *clusterLog, err error) error {
				if err != nil {
					return err
				}
				if err := inOrder(got, c.n); err != nil {
					return err
				}
				for _, want := range c.want {
					if !log.has(want) {
						return fmt.Errorf("no event %q", want)
					}
				}
				return nil
			})
		})
	}
}

// "A connect across a partition gets no answer until the partition heals
// (then it proceeds, within one round trip of the heal)." The partition is
// made before the run.
func TestClusterConnectAcrossPartition(t *testing.T) {
	clusterScenario(t, func(nw *anyio.SimNetwork) { nw.Partition("a", "b") }, func(ctx context.Context, nw *anyio.SimNetwork, log *clusterLog) error {
		return anyio.WithTaskGroup(ctx, func(ctx context.Context, tg *anyio.TaskGroup) error {
			tg.StartSoon(func(ctx context.Context) error {
				return anyio.RunHost(ctx, "b", func(ctx context.Context) error {
					return moveOn(ctx, 50*time.Millisecond, func(ctx context.Context) error { return echoServer(ctx, log) })
				})
			})
			tg.StartSoon(func(ctx context.Context) error {
				return anyio.RunHost(ctx, "a", func(ctx context.Context) error {
					cs, err := anyio.MoveOnAfter(ctx, 5*time.Millisecond, func(ctx context.Context) error {
						_, err := anyio.ConnectTCP(ctx, "b", 7000)
						return err
					})
					log.add(ctx, "a's first connect gave up: %v", cs.CancelCalled())
					if err != nil {
						return err
					}
					s, err := anyio.ConnectTCP(ctx, "b", 7000)
					if err != nil {
						return err
					}
					log.add(ctx, "a connected")
					return s.Close()
				})
			})
			faultAt(tg, log, 20*time.Millisecond, "heal", func() { nw.Heal("a", "b") })
			return nil
		})
	}, func(log *clusterLog, err error) error {
		for _, want := range []string{"5ms a's first connect gave up: true", "20ms heal", "20ms accepted from 10.0.0.1:49153", "21ms a connected"} {
			if !log.has(want) {
				return fmt.Errorf("no event %q", want)
			}
		}
		return err
	})
}

// udpExchange has a and b each send a datagram to the other every
// millisecond for n ms, under fault, and logs what arrives when.
func udpExchange(ctx context.Context, log *clusterLog, n int, fault func(ctx context.Context) error) error {
	return anyio.WithTaskGroup(ctx, func(ctx context.Context, tg *anyio.TaskGroup) error {
		for _, pair := range [][2]string{{"a", "b"}, {"b", "a"}} {
			me, peer := pair[0], pair[1]
			tg.StartSoon(func(ctx context.Context) error {
				return anyio.RunHost(ctx, me, func(ctx context.Context) error {
					u, err := anyio.CreateUDPSocket(ctx, "", 9000)
					if err != nil {
						return err
					}
					defer u.Close()
					return anyio.WithTaskGroup(ctx, func(ctx context.Context, tg *anyio.TaskGroup) error {
						tg.StartSoon(func(ctx context.Context) error {
							return moveOn(ctx, time.Duration(n+20)*time.Millisecond, func(ctx context.Context) error {
								for {
									data, _, err := u.Receive(ctx)
									if err != nil {
										return err
									}
									log.add(ctx, "%s got %s", me, data)
								}
							})
						})
						for i := range n {
							if err := u.SendTo(ctx, []byte(fmt.Sprintf("%s%d", me, i)), netip.AddrPortFrom(clusterAddrs[peer], 9000)); err != nil {
								return err
							}
							if err := anyio.Sleep(ctx, time.Millisecond); err != nil {
								return err
							}
						}
						return nil
					})
				})
			})
		}
		tg.StartSoon(fault)
		return nil
	})
}

// PartitionOneWay: datagrams that way are lost, the other way flows; Heal
// ends it.
func TestClusterPartitionOneWayLosesUDPThatWay(t *testing.T) {
	clusterScenario(t, nil, func(ctx context.Context, nw *anyio.SimNetwork, log *clusterLog) error {
		return udpExchange(ctx, log, 6, func(ctx context.Context) error {
			if err := anyio.Sleep(ctx, 1500*time.Microsecond); err != nil {
				return err
			}
			nw.PartitionOneWay("a", "b")
			if err := anyio.Sleep(ctx, 3*time.Millisecond); err != nil {
				return err
			}
			nw.Heal("b", "a") // Heal is both ways, whatever the order of its names
			return nil
		})
	}, func(log *clusterLog, err error) error {
		for _, want := range []string{"1ms b got a0", "2ms a got b1", "3ms a got b2", "4ms a got b3", "5ms b got a4", "6ms b got a5"} {
			if !log.has(want) {
				return fmt.Errorf("no event %q", want)
			}
		}
		for _, lost := range []string{"b got a1", "b got a2", "b got a3"} {
			for _, e := range log.events {
				if strings.HasSuffix(e, lost) {
					return fmt.Errorf("%q crossed the cut link", e)
				}
			}
		}
		return err
	})
}

// Hold: datagrams wait both ways and arrive, in the order sent, at Release.
func TestClusterHoldDelaysUDPUntilRelease(t *testing.T) {
	clusterScenario(t, nil, func(ctx context.Context, nw *anyio.SimNetwork, log *clusterLog) error {
		return udpExchange(ctx, log, 4, func(ctx context.Context) error {
			nw.Hold("a", "b")
			if err := anyio.Sleep(ctx, 10*time.Millisecond); err != nil {
				return err
			}
			nw.Release("a", "b")
			return nil
		})
	}, func(log *clusterLog, err error) error {
		var at10 []string
		for _, e := range log.events {
			if got, ok := strings.CutPrefix(e, "10ms "); ok {
				at10 = append(at10, got)
			}
		}
		var fromA, fromB []string
		for _, e := range at10 {
			if strings.HasPrefix(e, "b got") {
				fromA = append(fromA, e)
			} else {
				fromB = append(fromB, e)
			}
		}
		if !slices.Equal(fromA, []string{"b got a0", "b got a1", "b got a2", "b got a3"}) || !slices.Equal(fromB, []string{"a got b0", "a got b1", "a got b2", "a got b3"}) {
			return fmt.Errorf("at the release, want every held datagram in the order sent; got %q", at10)
		}
		if len(log.events) != 8 {
			return fmt.Errorf("want 8 datagrams in all, every one at the release")
		}
		return err
	})
}

// "SetLinkLatency is symmetric and overrides SetLatency for that pair."
// HealAll leaves it, and heals the rest.
func TestClusterSetLinkLatency(t *testing.T) {
	clusterScenario(t, func(nw *anyio.SimNetwork) {
		nw.SetLinkLatency("a", "b", 5*time.Millisecond)
		nw.Partition("a", "c")
		nw.HealAll()
	}, func(ctx context.Context, nw *anyio.SimNetwork, log *clusterLog) error {
		return anyio.WithTaskGroup(ctx, func(ctx context.Context, tg *anyio.TaskGroup) error {
			for _, me := range []string{"b", "c"} {
				tg.StartSoon(func(ctx context.Context) error {
					return anyio.RunHost(ctx, me, func(ctx context.Context) error {
						u, err := anyio.CreateUDPSocket(ctx, "", 9000)
						if err != nil {
							return err
						}
						defer u.Close()
						data, from, err := u.Receive(ctx)
						if err != nil {
							return err
						}
						log.add(ctx, "%s got %s", me, data)
						return u.SendTo(ctx, []byte("pong"), from)
					})
				})
			}
			tg.StartSoon(func(ctx context.Context) error {
				return anyio.RunHost(ctx, "a", func(ctx context.Context) error {
					u, err := anyio.CreateUDPSocket(ctx, "", 0)
					if err != nil {
						return err
					}
					defer u.Close()
					for _, peer := range []string{"b", "c"} {
						if err := u.SendTo(ctx, []byte("ping"), netip.AddrPortFrom(clusterAddrs[peer], 9000)); err != nil {
							return err
						}
					}
					for range 2 {
						_, from, err := u.Receive(ctx)
						if err != nil {
							return err
						}
						log.add(ctx, "a got a pong from %v", from.Addr())
					}
					return nil
				})
			})
			return nil
		})
	}, func(log *clusterLog, err error) error {
		want := []string{"1ms c got ping", "2ms a got a pong from 10.0.0.3", "5ms b got ping", "10ms a got a pong from 10.0.0.2"}
		if !slices.Equal(log.events, want) {
			return fmt.Errorf("events %q, want %q", log.events, want)
		}
		return err
	})
}

// "Trace: a process per host ... instant events for faults."
func TestClusterTraceHasAProcessPerHostAndTheFaults(t *testing.T) {
	t.Parallel()
	var trace bytes.Buffer
	nw := clusterNetwork()
	err := simRun(t, func(ctx context.Context) error {
		return anyio.WithTaskGroup(ctx, func(ctx context.Context, tg *anyio.TaskGroup) error {
			for _, h := range []string{"a", "b"} {
				tg.StartSoon(func(ctx context.Context) error {
					err := anyio.RunHost(ctx, h, func(ctx context.Context) error { return anyio.Sleep(ctx, time.Hour) })
					if h == "b" && errors.Is(err, anyio.ErrHostCrashed) {
						return nil
					}
					return err
				}, anyio.Name("start "+h))
			}
			if err := anyio.Sleep(ctx, time.Millisecond); err != nil {
				return err
			}
			nw.Partition("a", "b")
			nw.Crash("b")
			tg.CancelScope().Cancel()
			return nil
		})
	}, anyio.Network(nw), anyio.Trace(&trace))
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		TraceEvents []struct {
			Name string         `json:"name"`
			Cat  string         `json:"cat"`
			Ph   string         `json:"ph"`
			Pid  int            `json:"pid"`
			Args map[string]any `json:"args"`
		} `json:"traceEvents"`
	}
	if err := json.Unmarshal(trace.Bytes(), &doc); err != nil {
		t.Fatalf("the trace is not JSON: %v", err)
	}
	processes, threads := map[int]string{}, map[string]int{}
	var faults []string
	for _, e := range doc.TraceEvents {
		switch {
		case e.Ph == "M" && e.Name == "process_name":
			processes[e.Pid] = e.Args["name"].(string)
		case e.Ph == "M" && e.Name == "thread_name":
			name, _, _ := strings.Cut(e.Args["name"].(string), " (task ")
			threads[name] = e.Pid
		case e.Ph == "i" && e.Cat == "fault":
			faults = append(faults, e.Name)
		}
	}
	if processes[1] != "localhost" || processes[threads[`"a"`]] != "a" || processes[threads[`"b"`]] != "b" || processes[threads[`"start a"`]] != "localhost" {
		t.Errorf("processes %v, threads %v: want localhost, a and b, each task in its host's", processes, threads)
	}
	if want := []string{"partition a | b", "crash b"}; !slices.Equal(faults, want) {
		t.Errorf("fault instants %q, want %q", faults, want)
	}
}

// threeHosts is the body of BenchmarkClusterThreeHosts: host a sends 500
// lines each to echo servers on b and c and reads every echo back; on sim,
// a partition cuts a from b for 5 ms halfway. Off sim the hosts are tasks
// on 127.0.0.1.
func threeHosts(nw *anyio.SimNetwork) func(ctx context.Context) error {
	const perPeer = 500
	return func(ctx context.Context) error {
		sim := anyio.CurrentBackend(ctx) == anyio.BackendSim
		host := func(ctx context.Context, name string, main func(ctx context.Context) error) error {
			if sim {
				return anyio.RunHost(ctx, name, main)
			}
			return main(ctx)
		}
		return anyio.WithTaskGroup(ctx, func(ctx context.Context, tg *anyio.TaskGroup) error {
			type portStream struct {
				tx *anyio.SendStream[int]
				rx *anyio.ReceiveStream[int]
			}
			ports := map[string]portStream{}
			for _, name := range []string{"b", "c"} {
				tx, rx := anyio.NewMemoryObjectStream[int](1)
				ports[name] = portStream{tx, rx}
			}
			for _, name := range []string{"b", "c"} {
				tg.StartSoon(func(ctx context.Context) error {
					return host(ctx, name, func(ctx context.Context) error {
						addr := ""
						if !sim {
							addr = "127.0.0.1"
						}
						ln, err := anyio.ListenTCP(ctx, addr, 0)
						if err != nil {
							return err
						}
						if err := ports[name].tx.Send(ctx, ln.Addr().(*net.TCPAddr).Port); err != nil {
							return err
						}
						s, err := ln.Accept(ctx)
						ln.Close()
						if err != nil {
							return err
						}
						defer s.Close()
						for {
							data, err := s.Receive(ctx, 4096)
							if errors.Is(err, anyio.ErrEndOfStream) {
								return nil
							}
							if err != nil {
								return err
							}
							if err := s.Send(ctx, data); err != nil {
								return err
							}
						}
					})
				})
			}
			return host(ctx, "a", func(ctx context.Context) error {
				return anyio.WithTaskGroup(ctx, func(ctx context.Context, tg *anyio.TaskGroup) error {
					for _, peer := range []string{"b", "c"} {
						port, err := ports[peer].rx.Receive(ctx)
						if err != nil {
							return err
						}
						target := peer
						if !sim {
							target = "127.0.0.1"
						}
						tg.StartSoon(func(ctx context.Context) error {
							s, err := anyio.ConnectTCP(ctx, target, port)
							if err != nil {
								return err
							}
							defer s.Close()
							r := anyio.NewBufferedByteStream(s)
							for i := range perPeer {
								if sim && peer == "b" && i == perPeer/2 {
									nw.Partition("a", "b")
									tg.StartSoon(func(ctx context.Context) error {
										if err := anyio.Sleep(ctx, 5*time.Millisecond); err != nil {
											return err
										}
										nw.Heal("a", "b")
										return nil
									})
								}
								if err := s.Send(ctx, []byte("message\n")); err != nil {
									return err
								}
								if _, err := r.ReceiveUntil(ctx, []byte("\n"), 64); err != nil {
									return err
								}
							}
							return s.SendEOF()
						})
					}
					return nil
				})
			})
		})
	}
}

// BenchmarkClusterThreeHosts measures whole runs of threeHosts: 1,000
// messages and their echoes among three hosts with a partition, on sim
// (target: under 50 ms a run), beside the same exchange over the OS's
// loopback on std, without the partition.
func BenchmarkClusterThreeHosts(b *testing.B) {
	for _, backend := range []string{anyio.BackendSim, anyio.BackendStd} {
		b.Run(backend, func(b *testing.B) {
			b.ReportAllocs()
			for i := range b.N {
				nw := clusterNetwork()
				if err := anyio.Run(threeHosts(nw), anyio.Backend(backend), anyio.Seed(int64(i)), anyio.Network(nw)); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// "Outside any RunHost, code runs on the host localhost": its listener on
// every address does not answer for a host's address.
func TestClusterLocalhostWildcardIsNotAHostsAddress(t *testing.T) {
	clusterScenario(t, nil, func(ctx context.Context, nw *anyio.SimNetwork, log *clusterLog) error {
		ln, err := anyio.ListenTCP(ctx, "", 7000)
		if err != nil {
			return err
		}
		defer ln.Close()
		return anyio.WithTaskGroup(ctx, func(ctx context.Context, tg *anyio.TaskGroup) error {
			tg.StartSoon(func(ctx context.Context) error {
				return anyio.RunHost(ctx, "b", func(ctx context.Context) error { return anyio.Sleep(ctx, 10*time.Millisecond) })
			})
			return anyio.RunHost(ctx, "a", func(ctx context.Context) error {
				if err := anyio.Checkpoint(ctx); err != nil {
					return err
				}
				_, err := anyio.ConnectTCP(ctx, "b", 7000)
				log.add(ctx, "a's connect to b:7000, where b does not listen, failed: %v", err != nil)
				s, err := anyio.ConnectTCP(ctx, "127.0.0.1", 7000)
				if err != nil {
					return err
				}
				log.add(ctx, "a's connect to localhost's listener went through")
				return s.Close()
			})
		})
	}, func(log *clusterLog, err error) error {
		for _, want := range []string{"2ms a's connect to b:7000, where b does not listen, failed: true", "4ms a's connect to localhost's listener went through"} {
			if !log.has(want) {
				return fmt.Errorf("no event %q", want)
			}
		}
		return err
	})
}
