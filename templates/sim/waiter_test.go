package sim

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	anyiort "github.com/anyiogen/anyiogen/runtime"
)

func TestWakeBeforeWait(t *testing.T) {
	err := simMustRun(t, func(b *simBackend) error {
		w := b.NewWaiter()
		w.Wake()
		w.Wake() // a binary semaphore: two Wakes are one
		if err := w.Wait(context.Background(), "first"); err != nil {
			return fmt.Errorf("Wait after Wake = %v, want nil", err)
		}
		// The Wake is used up: the next Wait blocks until a timer wakes it.
		b.AfterFunc(time.Second, w.Wake)
		if err := w.Wait(context.Background(), "second"); err != nil {
			return fmt.Errorf("second Wait = %v, want nil", err)
		}
		if d := simElapsed(b); d != time.Second {
			return fmt.Errorf("second Wait returned after %v, want 1s", d)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestWakeFromAnotherTask(t *testing.T) {
	err := simMustRun(t, func(b *simBackend) error {
		w := b.NewWaiter()
		for i := range 3 {
			b.Go("waker", func() {
				simSleep(context.Background(), b, time.Duration(i+1)*time.Second)
				w.Wake()
			})
			if err := w.Wait(context.Background(), "waker"); err != nil {
				return err
			}
			if d, want := simElapsed(b), time.Duration(i*(i+1)/2+i+1)*time.Second; d != want {
				return fmt.Errorf("Wait %d returned at %v, want %v", i, d, want)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestWakeFromForeignGoroutine(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	waked := make(chan struct{})
	err := simMustRun(t, func(b *simBackend) error {
		w := b.NewWaiter()
		go func() {
			defer close(waked)
			time.Sleep(5 * time.Millisecond)
			w.Wake()
		}()
		// Waiting on a foreign ctx makes the scheduler wait for news from
		// outside instead of declaring deadlock at once.
		return w.Wait(ctx, "a foreign goroutine")
	})
	if err != nil {
		t.Fatalf("Wait = %v, want nil", err)
	}
	select {
	case <-waked:
	case <-time.After(simTestTimeout):
		t.Fatal("the foreign goroutine did not finish")
	}
}

func TestCancelNotifierWakesWaiter(t *testing.T) {
	cases := []struct {
		name   string
		cancel func(b *simBackend, s *simTestScope)
	}{
		{"from a task", func(b *simBackend, s *simTestScope) {
			b.Go("canceller", func() {
				simSleep(context.Background(), b, 2*time.Second)
				s.cancel()
			})
		}},
		{"from a timer", func(b *simBackend, s *simTestScope) { b.AfterFunc(2*time.Second, s.cancel) }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			scope := simNewTestScope()
			err := simMustRun(t, func(b *simBackend) error {
				c.cancel(b, scope)
				err := b.NewWaiter().Wait(scope, "nothing")
				if !errors.Is(err, context.Canceled) {
					return fmt.Errorf("Wait = %v, want context.Canceled", err)
				}
				if d := simElapsed(b); d != 2*time.Second {
					return fmt.Errorf("Wait returned at %v, want 2s", d)
				}
				if n := scope.registered(); n != 0 {
					return fmt.Errorf("%d callbacks still registered after Wait", n)
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestWaitOnCancelledContext(t *testing.T) {
	scope := simNewTestScope()
	scope.cancel()
	foreign, cancel := context.WithCancel(context.Background())
	cancel()
	err := simMustRun(t, func(b *simBackend) error {
		for _, ctx := range []context.Context{scope, foreign} {
			w := b.NewWaiter()
			if err := w.Wait(ctx, "cancelled"); !errors.Is(err, context.Canceled) {
				return fmt.Errorf("Wait(cancelled ctx) = %v, want context.Canceled", err)
			}
			w.Wake()
			if err := w.Wait(ctx, "woken"); err != nil {
				return fmt.Errorf("Wait after Wake with a cancelled ctx = %v, want nil", err)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestForeignContextCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	timer := time.AfterFunc(5*time.Millisecond, cancel)
	defer timer.Stop()
	err := simMustRun(t, func(b *simBackend) error {
		if err := b.NewWaiter().Wait(ctx, "foreign"); !errors.Is(err, context.Canceled) {
			return fmt.Errorf("Wait = %v, want context.Canceled", err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestForeignContextNeverCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	err := simMustRun(t, func(b *simBackend) error {
		return b.NewWaiter().Wait(ctx, "a foreign ctx")
	}, simWatchdogOpt(20*time.Millisecond))
	if !errors.Is(err, anyiort.ErrDeadlock) || !strings.Contains(err.Error(), "not from anyio") {
		t.Fatalf("Run = %v, want a deadlock that blames the foreign context", err)
	}
}

func TestWaiterMisuse(t *testing.T) {
	cases := []struct {
		name, want string
		main       func(b *simBackend) error
	}{
		{"NewWaiter in a timer", "NewWaiter was called outside any task, from a timer's callback", func(b *simBackend) error {
			b.AfterFunc(0, func() { b.NewWaiter() })
			return b.NewWaiter().Wait(context.Background(), "forever")
		}},
		{"Wait in a timer", "from outside the task", func(b *simBackend) error {
			w := b.NewWaiter()
			b.AfterFunc(0, func() { w.Wait(context.Background(), "in a timer") })
			return b.NewWaiter().Wait(context.Background(), "forever")
		}},
		{"Yield in a timer", "Yield was called outside any task, from a timer's callback", func(b *simBackend) error {
			b.AfterFunc(0, b.Yield)
			return b.NewWaiter().Wait(context.Background(), "forever")
		}},
		// Outside a bubble the run cannot adopt a goroutine it did not
		// start, and says where it could.
		{"Yield in a goroutine of the test's", "Yield was called outside any task, from a goroutine the simulator did not start, outside a testing/synctest bubble: " +
			"such a goroutine (a library's, net/http's say, or one started with go) joins a run only inside a bubble; " +
			"run the body with the test helper's Run or Seeds, or call SetBubbleWait(synctest.Wait) and Run inside synctest.Test", func(b *simBackend) error {
			// Started once main is parked, where a foreign context keeps
			// the run waiting rather than declaring a deadlock.
			b.AfterFunc(0, func() { go b.Yield() })
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			return b.NewWaiter().Wait(ctx, "forever")
		}},
	}
	if anyiort.GoroutineIDIsCheap() {
		// Where ids are cheap, such a goroutine calling while main holds
		// the baton is refused too, rather than taken for main.
		cases = append(cases, struct {
			name, want string
			main       func(b *simBackend) error
		}{"Sleep in a goroutine of the test's while main holds the baton", "NewWaiter was called outside any task, from a goroutine the simulator did not start, outside a testing/synctest bubble", func(b *simBackend) error {
			done := make(chan error)
			go func() { done <- simSleep(context.Background(), b, time.Second) }()
			return <-done
		}})
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := simMustRun(t, c.main)
			var misuse *simMisuseError
			if !errors.As(err, &misuse) || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), "time.Sleep inside a simulated run") {
				t.Fatalf("Run = %v, want a misuse error saying %q and how to fix it", err, c.want)
			}
		})
	}
}
