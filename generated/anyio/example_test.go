package anyio_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"slices"
	"time"

	"github.com/anyiogen/anyiogen/generated/anyio"
)

// A task group waits for all its tasks; results come back through a
// variable each task owns.
func ExampleWithTaskGroup() {
	ctx := context.Background()
	words := []string{"task", "group", "nursery"}
	lengths := make([]int, len(words))
	err := anyio.WithTaskGroup(ctx, func(ctx context.Context, tg *anyio.TaskGroup) error {
		for i, w := range words {
			tg.StartSoon(func(ctx context.Context) error {
				lengths[i] = len(w)
				return nil
			})
		}
		return nil
	})
	fmt.Println(lengths, err)
	// Output: [4 5 7] <nil>
}

// The first error cancels the other tasks; their cancellations are not
// reported.
func ExampleWithTaskGroup_firstErrorCancels() {
	ctx := context.Background()
	err := anyio.WithTaskGroup(ctx, func(ctx context.Context, tg *anyio.TaskGroup) error {
		tg.StartSoon(func(ctx context.Context) error {
			return anyio.Sleep(ctx, time.Hour) // cancelled by the failure below
		})
		tg.StartSoon(func(ctx context.Context) error {
			return errors.New("fetch failed")
		})
		return nil
	})
	fmt.Println(err)
	// Output: fetch failed
}

func ExampleTaskGroup_Start() {
	ctx := context.Background()
	err := anyio.WithTaskGroup(ctx, func(ctx context.Context, tg *anyio.TaskGroup) error {
		port, err := tg.Start(ctx, func(ctx context.Context, status *anyio.TaskStatus) error {
			status.Started(8080) // ready: Start returns now
			return nil
		})
		fmt.Println("serving on", port, err)
		return nil
	})
	fmt.Println(err)
	// Output:
	// serving on 8080 <nil>
	// <nil>
}

func ExampleFailAfter() {
	ctx := context.Background()
	err := anyio.FailAfter(ctx, 10*time.Millisecond, func(ctx context.Context) error {
		return anyio.Sleep(ctx, time.Hour)
	})
	fmt.Println(errors.Is(err, anyio.ErrTimeout), errors.Is(err, context.DeadlineExceeded))
	// Output: true true
}

func ExampleMoveOnAfter() {
	ctx := context.Background()
	result := "default"
	scope, err := anyio.MoveOnAfter(ctx, 10*time.Millisecond, func(ctx context.Context) error {
		if err := anyio.Sleep(ctx, time.Hour); err != nil {
			return err
		}
		result = "computed"
		return nil
	})
	fmt.Println(result, scope.CancelledCaught(), err)
	// Output: default true <nil>
}

func ExampleCancelScope() {
	ctx := context.Background()
	scope := anyio.NewCancelScope()
	err := scope.Run(ctx, func(ctx context.Context) error {
		scope.Cancel()
		return anyio.Checkpoint(ctx) // reports the cancellation
	})
	fmt.Println(err, scope.CancelCalled(), scope.CancelledCaught())
	// Output: <nil> true true
}

func ExampleNewMemoryObjectStream() {
	ctx := context.Background()
	tx, rx := anyio.NewMemoryObjectStream[string](0)
	err := anyio.WithTaskGroup(ctx, func(ctx context.Context, tg *anyio.TaskGroup) error {
		tg.StartSoon(func(ctx context.Context) error {
			defer tx.Close()
			for i := range 3 {
				if err := tx.Send(ctx, fmt.Sprintf("item-%d", i)); err != nil {
					return err
				}
			}
			return nil
		})
		tg.StartSoon(func(ctx context.Context) error {
			defer rx.Close()
			for item, err := range rx.All(ctx) {
				if err != nil {
					return err
				}
				fmt.Println(item)
			}
			return nil
		})
		return nil
	})
	fmt.Println(err)
	// Output:
	// item-0
	// item-1
	// item-2
	// <nil>
}

// An echo server and a client in one task group; cancelling the group's
// scope stops Serve, and the group returns nil.
func ExampleConnectTCP() {
	ctx := context.Background()
	err := anyio.WithTaskGroup(ctx, func(ctx context.Context, tg *anyio.TaskGroup) error {
		l, err := anyio.ListenTCP(ctx, "127.0.0.1", 0)
		if err != nil {
			return err
		}
		defer l.Close()
		tg.StartSoon(func(ctx context.Context) error {
			return l.Serve(ctx, func(ctx context.Context, s *anyio.SocketStream) error {
				data, err := s.Receive(ctx, 1024)
				if err != nil {
					return err
				}
				return s.Send(ctx, data)
			})
		})
		port := l.Addr().(*net.TCPAddr).Port
		s, err := anyio.ConnectTCP(ctx, "127.0.0.1", port)
		if err != nil {
			return err
		}
		defer s.Close()
		if err := s.Send(ctx, []byte("hello")); err != nil {
			return err
		}
		reply, err := s.Receive(ctx, 1024)
		fmt.Printf("%s %v\n", reply, err)
		tg.CancelScope().Cancel()
		return nil
	})
	fmt.Println(err)
	// Output:
	// hello <nil>
	// <nil>
}

func ExampleRun() {
	err := anyio.Run(func(ctx context.Context) error {
		fmt.Println("running on", anyio.CurrentBackend(ctx))
		return nil
	})
	fmt.Println(err, slices.Contains(anyio.Backends(), anyio.BackendStd))
	// Output:
	// running on std
	// <nil> true
}

// On the sim backend, happy eyeballs falls back from a black-holed IPv6
// address to IPv4 after exactly the 250ms delay plus one round trip, on the
// virtual clock.
func ExampleSimNetwork() {
	n := anyio.NewSimNetwork()
	v6, v4 := netip.MustParseAddr("2001:db8::1"), netip.MustParseAddr("192.0.2.1")
	n.AddHost("example.test", v6, v4)
	n.Blackhole(v6)
	n.SetLatency(10 * time.Millisecond)
	err := anyio.Run(func(ctx context.Context) error {
		l, err := anyio.ListenTCP(ctx, "192.0.2.1", 80)
		if err != nil {
			return err
		}
		defer l.Close()
		start := anyio.Now(ctx)
		s, err := anyio.ConnectTCP(ctx, "example.test", 80)
		if err != nil {
			return err
		}
		defer s.Close()
		fmt.Println(s.RemoteAddr(), anyio.Now(ctx).Sub(start))
		return nil
	}, anyio.Backend(anyio.BackendSim), anyio.Network(n))
	fmt.Println(err)
	// Output:
	// 192.0.2.1:80 270ms
	// <nil>
}

// An hour of timeouts costs microseconds on the virtual clock.
func ExampleSeed() {
	err := anyio.Run(func(ctx context.Context) error {
		start := anyio.Now(ctx)
		err := anyio.FailAfter(ctx, time.Hour, func(ctx context.Context) error {
			return anyio.Sleep(ctx, 24*time.Hour)
		})
		fmt.Println(errors.Is(err, anyio.ErrTimeout), anyio.Now(ctx).Sub(start))
		return nil
	}, anyio.Backend(anyio.BackendSim), anyio.Seed(42))
	fmt.Println(err)
	// Output:
	// true 1h0m0s
	// <nil>
}

// A run in which every task waits for something that cannot happen ends
// with ErrDeadlock, naming the tasks, instead of hanging.
func ExampleErrDeadlock() {
	err := anyio.Run(func(ctx context.Context) error {
		_, rx := anyio.NewMemoryObjectStream[int](0)
		_, err := rx.Receive(ctx) // the send end is still open: nobody will send
		return err
	}, anyio.Backend(anyio.BackendSim))
	fmt.Println(errors.Is(err, anyio.ErrDeadlock))
	// Output: true
}

func ExampleSleep() {
	err := anyio.Run(func(ctx context.Context) error {
		start := anyio.Now(ctx)
		if err := anyio.Sleep(ctx, 90*time.Minute); err != nil {
			return err
		}
		fmt.Println("slept", anyio.Now(ctx).Sub(start))
		return nil
	}, anyio.Backend(anyio.BackendSim))
	fmt.Println(err)
	// Output:
	// slept 1h30m0s
	// <nil>
}

// The effective deadline is the earliest of the enclosing scopes', up to the
// nearest shield.
func ExampleCurrentEffectiveDeadline() {
	err := anyio.Run(func(ctx context.Context) error {
		start := anyio.Now(ctx)
		return anyio.FailAfter(ctx, time.Minute, func(ctx context.Context) error {
			_, err := anyio.MoveOnAfter(ctx, time.Hour, func(ctx context.Context) error {
				d, _ := anyio.CurrentEffectiveDeadline(ctx)
				fmt.Println("inner, not shielded:", d.Sub(start))
				return nil
			})
			if err != nil {
				return err
			}
			_, err = anyio.MoveOnAfter(ctx, time.Hour, func(ctx context.Context) error {
				d, _ := anyio.CurrentEffectiveDeadline(ctx)
				fmt.Println("inner, shielded:", d.Sub(start))
				return nil
			}, anyio.Shielded())
			return err
		})
	}, anyio.Backend(anyio.BackendSim))
	fmt.Println(err)
	// Output:
	// inner, not shielded: 1m0s
	// inner, shielded: 1h0m0s
	// <nil>
}

// A shielded scope keeps an outer cancellation from its body, for clean-up
// that must finish.
func ExampleShielded() {
	ctx := context.Background()
	outer := anyio.NewCancelScope()
	err := outer.Run(ctx, func(ctx context.Context) error {
		outer.Cancel()
		shield := anyio.NewCancelScope(anyio.Shielded())
		err := shield.Run(ctx, func(ctx context.Context) error {
			return anyio.Checkpoint(ctx) // not cancelled: shielded
		})
		fmt.Println("inside the shield:", err)
		return anyio.Checkpoint(ctx) // cancelled again outside it
	})
	fmt.Println(err, outer.CancelledCaught())
	// Output:
	// inside the shield: <nil>
	// <nil> true
}
