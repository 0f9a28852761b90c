package sim

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"testing"
	"time"
)

// simTestProgram runs five workers that yield, sleep and wake one another,
// and returns the log of what each did when, on the virtual clock.
func simTestProgram(t *testing.T, seed int64) []string {
	t.Helper()
	var log []string
	err := simMustRun(t, func(b *simBackend) error {
		ctx := context.Background()
		done := b.NewWaiter()
		left := 5
		for id := range 5 {
			b.Go(fmt.Sprintf("worker%d", id), func() {
				for step := range 4 {
					log = append(log, fmt.Sprintf("%v worker%d step%d", simElapsed(b), id, step))
					if (id+step)%2 == 0 {
						b.Yield()
					} else {
						simSleep(ctx, b, time.Duration((id*step)%3)*time.Millisecond)
					}
				}
				if left--; left == 0 {
					done.Wake()
				}
			})
		}
		return done.Wait(ctx, "workers")
	}, Seed(seed))
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	return log
}

func TestSameSeedSameRun(t *testing.T) {
	for seed := range int64(5) {
		first := simTestProgram(t, seed)
		for range 3 {
			if again := simTestProgram(t, seed); strings.Join(again, "\n") != strings.Join(first, "\n") {
				t.Fatalf("seed %d: runs differ:\n%s\n----\n%s", seed, strings.Join(first, "\n"), strings.Join(again, "\n"))
			}
		}
	}
}

func TestSeedsChangeInterleaving(t *testing.T) {
	distinct := map[string]bool{}
	for seed := range int64(10) {
		distinct[strings.Join(simTestProgram(t, seed), "\n")] = true
	}
	if len(distinct) < 5 {
		t.Errorf("10 seeds gave %d distinct interleavings, want at least 5", len(distinct))
	}
}

func TestGoDoesNotRunAtOnce(t *testing.T) {
	err := simMustRun(t, func(b *simBackend) error {
		ran := false
		b.Go("child", func() { ran = true })
		if ran {
			return errors.New("Go ran the task before the caller reached a scheduling point")
		}
		for !ran {
			b.Yield()
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestYieldLetsOthersRun(t *testing.T) {
	err := simMustRun(t, func(b *simBackend) error {
		counts := [2]int{}
		for i := range 2 {
			b.Go("", func() {
				for range 100 {
					counts[i]++
					b.Yield()
				}
			})
		}
		for counts[0] < 100 || counts[1] < 100 {
			if counts[0] == 100 && counts[1] == 0 || counts[1] == 100 && counts[0] == 0 {
				return fmt.Errorf("one task ran to completion before the other started: %v", counts)
			}
			b.Yield()
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestRunReturnsMainError(t *testing.T) {
	want := errors.New("main failed")
	unwound := false
	err := simMustRun(t, func(b *simBackend) error {
		b.Go("blocked", func() {
			defer func() {
				// Deferred code of an unwound task still runs, and a
				// scheduling point in it returns a cancellation.
				err := b.NewWaiter().Wait(context.Background(), "in defer")
				unwound = errors.Is(err, context.Canceled)
			}()
			b.NewWaiter().Wait(context.Background(), "forever")
		})
		b.Go("never started", func() { t.Error("a task started after main returned") })
		b.Yield()
		return want
	}, Seed(1))
	if err != want {
		t.Fatalf("Run = %v, want %v", err, want)
	}
	if !unwound {
		t.Error("the blocked task was not unwound with a cancellation in its deferred calls")
	}
}

func TestRunTwice(t *testing.T) {
	b := simBackendWith(0, nil, NewSimNetwork(), simDefaultWatchdog)
	if err := b.Run(func() error { return nil }); err != nil {
		t.Fatalf("first Run = %v", err)
	}
	if err := b.Run(func() error { return nil }); err == nil {
		t.Fatal("second Run = nil, want an error")
	}
}

func TestPanicPropagates(t *testing.T) {
	type boom struct{ n int }
	cases := []struct {
		name  string
		start func(b *simBackend, v any)
	}{
		{"in main", func(b *simBackend, v any) { panic(v) }},
		{"in a task", func(b *simBackend, v any) {
			b.Go("panicker", func() { panic(v) })
			b.NewWaiter().Wait(context.Background(), "forever")
		}},
		{"in a timer", func(b *simBackend, v any) {
			b.AfterFunc(time.Second, func() { panic(v) })
			b.NewWaiter().Wait(context.Background(), "forever")
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			v := &boom{42}
			o := simTestRun(t, func(b *simBackend) error {
				b.Go("bystander", func() { b.NewWaiter().Wait(context.Background(), "forever") })
				c.start(b, v)
				return nil
			})
			if !o.panicked || o.value != any(v) {
				t.Fatalf("Run: panicked=%v value=%v err=%v, want a panic with %v", o.panicked, o.value, o.err, v)
			}
		})
	}
}

func TestMainGoexit(t *testing.T) {
	err := simMustRun(t, func(b *simBackend) error {
		runtime.Goexit()
		return nil
	})
	if err == nil || !strings.Contains(err.Error(), "runtime.Goexit") {
		t.Fatalf("Run = %v, want an error about runtime.Goexit", err)
	}
}

func TestTaskNames(t *testing.T) {
	named := &simTask{id: 7, taskID: 3, name: "worker"}
	if got, want := named.label(), `"worker" (task 3)`; got != want {
		t.Errorf("label() = %s, want %s", got, want)
	}
	anon := &simTask{id: 4, fn: func() {}}
	if got := anon.label(); !strings.Contains(got, "TestTaskNames.func") || strings.Contains(got, "/") {
		t.Errorf("label() of an unnamed task = %s, want the function's name without its import path", got)
	}
}

func TestGoFromTimer(t *testing.T) {
	err := simMustRun(t, func(b *simBackend) error {
		w := b.NewWaiter()
		var at time.Duration
		b.AfterFunc(time.Minute, func() {
			b.Go("from a timer", func() {
				at = simElapsed(b)
				w.Wake()
			})
		})
		if err := w.Wait(context.Background(), "the timer's task"); err != nil {
			return err
		}
		if at != time.Minute {
			return fmt.Errorf("the task started by a timer ran at %v, want 1m", at)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestUnwoundWaitUnregisters(t *testing.T) {
	scope := simNewTestScope()
	foreign, cancel := context.WithCancel(context.Background())
	defer cancel()
	err := simMustRun(t, func(b *simBackend) error {
		b.Go("scoped", func() { b.NewWaiter().Wait(scope, "the scope") })
		b.Go("foreign", func() { b.NewWaiter().Wait(foreign, "a foreign ctx") })
		return simSleep(context.Background(), b, time.Second)
	})
	if err != nil {
		t.Fatal(err)
	}
	if n := scope.registered(); n != 0 {
		t.Errorf("%d cancel callbacks still registered after Run", n)
	}
}
