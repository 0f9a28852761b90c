package conformance

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	anyio "github.com/anyiogen/anyiogen/generated/anyio"
)

// "Backends: the backends generated into this package, sorted."
func TestBackendsAreSortedAndIncludeStd(t *testing.T) {
	backends := anyio.Backends()
	if !slices.IsSorted(backends) {
		t.Errorf("Backends(): got %q, want them sorted", backends)
	}
	if !slices.Contains(backends, anyio.BackendStd) {
		t.Errorf("Backends(): got %q, want it to include %q", backends, anyio.BackendStd)
	}
	if len(slices.Compact(slices.Clone(backends))) != len(backends) {
		t.Errorf("Backends(): got %q, want no name twice", backends)
	}
}

// "An unknown name: Run returns an error naming the compiled-in backends."
func TestRunUnknownBackend(t *testing.T) {
	var called atomic.Bool
	err := anyio.Run(func(ctx context.Context) error {
		called.Store(true)
		return nil
	}, anyio.Backend("no-such-backend"))
	if err == nil {
		t.Fatalf("Run with Backend(%q): got nil, want an error", "no-such-backend")
	}
	if called.Load() {
		t.Errorf("Run with an unknown backend called main")
	}
	for _, name := range anyio.Backends() {
		if !strings.Contains(err.Error(), name) {
			t.Errorf("Run with an unknown backend: error %q does not name the compiled-in backend %q", err, name)
		}
	}
}

// "Run returns main's error."
func TestRunReturnsMainsError(t *testing.T) {
	for _, want := range []error{nil, errConfBoom} {
		t.Run(fmt.Sprint(want), func(t *testing.T) {
			for _, name := range anyio.Backends() {
				err := anyio.Run(func(ctx context.Context) error { return want }, anyio.Backend(name))
				if err != want {
					t.Errorf("Run on %s of a main returning %v: got %v, want it unchanged", name, want, err)
				}
			}
		})
	}
}

// confKey is a context key of the suite's own.
type confKey struct{}

// CurrentBackend names the backend the ctx belongs to, in main, in tasks and
// under derived contexts; the default is std.
func TestCurrentBackend(t *testing.T) {
	for _, name := range anyio.Backends() {
		t.Run(name, func(t *testing.T) {
			confRun(t, name, func(t *testing.T, ctx context.Context) error {
				check := func(where string, ctx context.Context) {
					if got := anyio.CurrentBackend(ctx); got != name {
						t.Errorf("CurrentBackend %s: got %q, want %q", where, got, name)
					}
				}
				check("in main", ctx)
				check("under context.WithValue", context.WithValue(ctx, confKey{}, 1))
				check("under context.WithoutCancel", context.WithoutCancel(ctx))
				return anyio.WithTaskGroup(ctx, func(ctx context.Context, tg *anyio.TaskGroup) error {
					tg.StartSoon(func(ctx context.Context) error {
						check("in a task", ctx)
						return anyio.NewCancelScope().Run(ctx, func(ctx context.Context) error {
							check("in a scope in a task", ctx)
							return nil
						})
					})
					return nil
				})
			})
		})
	}
	if got := anyio.CurrentBackend(context.Background()); got != anyio.BackendStd {
		t.Errorf("CurrentBackend(context.Background()): got %q, want %q", got, anyio.BackendStd)
	}
	err := anyio.Run(func(ctx context.Context) error {
		if got := anyio.CurrentBackend(ctx); got != anyio.BackendStd {
			t.Errorf("CurrentBackend in a Run without Backend: got %q, want %q", got, anyio.BackendStd)
		}
		return nil
	})
	if err != nil {
		t.Errorf("Run without options: got %v, want nil", err)
	}
}

// "A ctx that no Run made means std, so every function works from
// context.Background() with no set-up."
func TestBackgroundContextMeansStd(t *testing.T) {
	confBound(t, "the calls from context.Background()", func() { confBackgroundCalls(t) })
}

func confBackgroundCalls(t *testing.T) {
	ctx := context.Background()

	if d := time.Since(anyio.Now(ctx)); d < -time.Second || d > time.Second {
		t.Errorf("Now(context.Background()) is %v away from time.Now(), want the wall clock", d)
	}
	if err := anyio.Checkpoint(ctx); err != nil {
		t.Errorf("Checkpoint(context.Background()): got %v, want nil", err)
	}
	if d, ok := anyio.CurrentEffectiveDeadline(ctx); ok {
		t.Errorf("CurrentEffectiveDeadline(context.Background()): got %v, true, want no deadline", d)
	}
	start := time.Now()
	if err := anyio.Sleep(ctx, confTick); err != nil {
		t.Errorf("Sleep(context.Background(), %v): got %v, want nil", confTick, err)
	}
	if err := confCheckElapsed("Sleep(context.Background())", time.Since(start), confTick); err != nil {
		t.Error(err)
	}

	timeoutCtx, cancel := context.WithTimeout(ctx, confTick)
	defer cancel()
	if err := anyio.Sleep(timeoutCtx, confForever); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Sleep under context.WithTimeout(%v): got %v, want context.DeadlineExceeded", confTick, err)
	}

	err := anyio.FailAfter(ctx, confTick, func(ctx context.Context) error { return anyio.Sleep(ctx, confForever) })
	if !confIsTimeout(err) {
		t.Errorf("FailAfter from context.Background(): got %v, want ErrTimeout", err)
	}
	scope, err := anyio.MoveOnAfter(ctx, confTick, func(ctx context.Context) error { return anyio.Sleep(ctx, confForever) })
	if err != nil || scope == nil || !scope.CancelledCaught() {
		t.Errorf("MoveOnAfter from context.Background(): got %v, want nil and a scope that caught the timeout", err)
	}
	s := anyio.NewCancelScope()
	if err := s.Run(ctx, func(ctx context.Context) error { s.Cancel(); return anyio.Checkpoint(ctx) }); err != nil || !s.CancelledCaught() {
		t.Errorf("NewCancelScope().Run from context.Background(): got %v (CancelledCaught %v), want nil (true)", err, s.CancelledCaught())
	}

	tx, rx := anyio.NewMemoryObjectStream[int](0)
	var sum int
	err = anyio.WithTaskGroup(ctx, func(ctx context.Context, tg *anyio.TaskGroup) error {
		tg.StartSoon(func(ctx context.Context) error {
			defer tx.Close()
			for i := 1; i <= 3; i++ {
				if err := tx.Send(ctx, i); err != nil {
					return err
				}
			}
			return nil
		})
		v, err := tg.Start(ctx, func(ctx context.Context, st *anyio.TaskStatus) error {
			st.Started("up")
			return nil
		})
		if err != nil || v != "up" {
			return fmt.Errorf("Start: got %v, %v, want up, nil", v, err)
		}
		for item, err := range rx.All(ctx) {
			if err != nil {
				return err
			}
			sum += item
		}
		return rx.Close()
	})
	if err != nil || sum != 6 {
		t.Errorf("task group and stream from context.Background(): got %v, sum %d, want nil, 6", err, sum)
	}

	ln, port, err := confListen(ctx, "127.0.0.1")
	if err != nil {
		t.Errorf("ListenTCP from context.Background(): %v", err)
		return
	}
	defer ln.Close()
	err = anyio.WithTaskGroup(ctx, func(ctx context.Context, tg *anyio.TaskGroup) error {
		tg.StartSoon(func(ctx context.Context) error {
			s, err := ln.Accept(ctx)
			if err != nil {
				return err
			}
			defer s.Close()
			return confEcho(ctx, s)
		})
		c, err := anyio.ConnectTCP(ctx, "127.0.0.1", port)
		if err != nil {
			return err
		}
		defer c.Close()
		got, err := confRoundTrip(ctx, c, []byte("ping"))
		if err != nil || string(got) != "ping" {
			return fmt.Errorf("echo: got %q, %v, want ping, nil", got, err)
		}
		return nil
	})
	if err != nil {
		t.Errorf("TCP from context.Background(): %v", err)
	}
}

// "On sim, a run in which every task is blocked and no timer is pending
// returns an error that errors.Is(err, ErrDeadlock) and names every blocked
// task; it never hangs." Only a backend other than std can tell.
func TestRunReportsDeadlock(t *testing.T) {
	for _, name := range anyio.Backends() {
		t.Run(name, func(t *testing.T) {
			if name == anyio.BackendStd {
				t.Skip("std runs on the wall clock and cannot tell a deadlock from a wait")
			}
			var err error
			confBound(t, "a deadlocked anyio.Run on backend "+name, func() {
				err = anyio.Run(func(ctx context.Context) error {
					tx, rx := anyio.NewMemoryObjectStream[int](0)
					defer confCloseAll(tx, rx)
					return anyio.WithTaskGroup(ctx, func(ctx context.Context, tg *anyio.TaskGroup) error {
						tg.StartSoon(func(ctx context.Context) error {
							_, err := rx.Receive(ctx)
							return err
						}, anyio.Name("stuck-receiver"))
						_, err := rx.Receive(ctx)
						return err
					})
				}, anyio.Backend(name))
			})
			if !errors.Is(err, anyio.ErrDeadlock) {
				t.Errorf("Run in which every task waits on an idle stream: got %v, want ErrDeadlock", err)
			} else if !strings.Contains(err.Error(), "stuck-receiver") {
				t.Errorf("deadlock error %q does not name the blocked task %q", err, "stuck-receiver")
			}
		})
	}
}
