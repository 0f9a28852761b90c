package generated

// Each benchmark runs the anyio primitive beside its native Go twin, so that
// one `go test -bench . ./generated` run compares them on the same machine.
// The "anyiostd" variants run the same code generated with -backends std:
// beside "anyio" they show what compiling sim in costs std (nothing, is the
// aim).

import (
	"context"
	"net"
	"strconv"
	"sync"
	"testing"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/anyiogen/anyiogen/generated/anyio"
	"github.com/anyiogen/anyiogen/generated/anyiostd"
)

func BenchmarkStream(b *testing.B) {
	for _, size := range []int{0, 64} {
		b.Run("buffer="+strconv.Itoa(size)+"/anyio", func(b *testing.B) {
			ctx := context.Background()
			tx, rx := anyio.NewMemoryObjectStream[int](size)
			go func() {
				defer tx.Close()
				for i := range b.N {
					if err := tx.Send(ctx, i); err != nil {
						panic(err)
					}
				}
			}()
			for range b.N {
				if _, err := rx.Receive(ctx); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run("buffer="+strconv.Itoa(size)+"/anyiostd", func(b *testing.B) {
			ctx := context.Background()
			tx, rx := anyiostd.NewMemoryObjectStream[int](size)
			go func() {
				defer tx.Close()
				for i := range b.N {
					if err := tx.Send(ctx, i); err != nil {
						panic(err)
					}
				}
			}()
			for range b.N {
				if _, err := rx.Receive(ctx); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run("buffer="+strconv.Itoa(size)+"/chan", func(b *testing.B) {
			ch := make(chan int, size)
			go func() {
				defer close(ch)
				for i := range b.N {
					ch <- i
				}
			}()
			for range b.N {
				<-ch
			}
		})
	}
}

const spawns = 1000

func BenchmarkTaskGroup1000(b *testing.B) {
	noop := func(context.Context) error { return nil }
	b.Run("anyio", func(b *testing.B) {
		ctx := context.Background()
		for range b.N {
			err := anyio.WithTaskGroup(ctx, func(ctx context.Context, tg *anyio.TaskGroup) error {
				for range spawns {
					tg.StartSoon(noop)
				}
				return nil
			})
			if err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("anyiostd", func(b *testing.B) {
		ctx := context.Background()
		for range b.N {
			err := anyiostd.WithTaskGroup(ctx, func(ctx context.Context, tg *anyiostd.TaskGroup) error {
				for range spawns {
					tg.StartSoon(noop)
				}
				return nil
			})
			if err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("errgroup", func(b *testing.B) {
		for range b.N {
			g, ctx := errgroup.WithContext(context.Background())
			for range spawns {
				g.Go(func() error { return noop(ctx) })
			}
			if err := g.Wait(); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("waitgroup", func(b *testing.B) {
		for range b.N {
			ctx, cancel := context.WithCancel(context.Background())
			var wg sync.WaitGroup
			for range spawns {
				wg.Add(1)
				go func() {
					defer wg.Done()
					_ = noop(ctx)
				}()
			}
			wg.Wait()
			cancel()
		}
	})
}

func BenchmarkFailAfter(b *testing.B) {
	body := func(ctx context.Context) error { return ctx.Err() }
	b.Run("anyio", func(b *testing.B) {
		ctx := context.Background()
		for range b.N {
			if err := anyio.FailAfter(ctx, time.Second, body); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("anyiostd", func(b *testing.B) {
		ctx := context.Background()
		for range b.N {
			if err := anyiostd.FailAfter(ctx, time.Second, body); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("WithTimeout", func(b *testing.B) {
		ctx := context.Background()
		for range b.N {
			tctx, cancel := context.WithTimeout(ctx, time.Second)
			err := body(tctx)
			cancel()
			if err != nil {
				b.Fatal(err)
			}
		}
	})
}

func BenchmarkConnectTCP(b *testing.B) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	defer l.Close()
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			c.Close()
		}
	}()
	port := l.Addr().(*net.TCPAddr).Port
	b.Run("anyio", func(b *testing.B) {
		ctx := context.Background()
		for range b.N {
			s, err := anyio.ConnectTCP(ctx, "127.0.0.1", port)
			if err != nil {
				b.Fatal(err)
			}
			s.Close()
		}
	})
	b.Run("anyiostd", func(b *testing.B) {
		ctx := context.Background()
		for range b.N {
			s, err := anyiostd.ConnectTCP(ctx, "127.0.0.1", port)
			if err != nil {
				b.Fatal(err)
			}
			s.Close()
		}
	})
	b.Run("Dialer", func(b *testing.B) {
		ctx := context.Background()
		var d net.Dialer
		addr := l.Addr().String()
		for range b.N {
			c, err := d.DialContext(ctx, "tcp", addr)
			if err != nil {
				b.Fatal(err)
			}
			c.Close()
		}
	})
}

// BenchmarkFailAfterWaiting is the case users have: a body that waits on
// its ctx, as every ctx-aware call does (here a select on Done that finds
// it open), which makes the deadline's timer needed.
func BenchmarkFailAfterWaiting(b *testing.B) {
	body := func(ctx context.Context) error {
		select {
		case <-ctx.Done():
			return ctx.Err()
		default:
			return nil
		}
	}
	failAfter := func(b *testing.B, ctx context.Context) {
		for range b.N {
			if err := anyio.FailAfter(ctx, time.Second, body); err != nil {
				b.Fatal(err)
			}
		}
	}
	withTimeout := func(b *testing.B, ctx context.Context) {
		for range b.N {
			tctx, cancel := context.WithTimeout(ctx, time.Second)
			err := body(tctx)
			cancel()
			if err != nil {
				b.Fatal(err)
			}
		}
	}
	b.Run("anyio", func(b *testing.B) { failAfter(b, context.Background()) })
	b.Run("WithTimeout", func(b *testing.B) { withTimeout(b, context.Background()) })
	// Inside a task group's body, as in a server: the timeout's scope
	// links to the group's scope (and WithTimeout's context to it too).
	inGroup := func(b *testing.B, f func(*testing.B, context.Context)) {
		err := anyio.WithTaskGroup(context.Background(), func(ctx context.Context, tg *anyio.TaskGroup) error {
			f(b, ctx)
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	b.Run("in-group/anyio", func(b *testing.B) { inGroup(b, failAfter) })
	b.Run("in-group/WithTimeout", func(b *testing.B) { inGroup(b, withTimeout) })
	// Under a cancellable context that no Run made, as an HTTP handler's
	// request context is: the scope watches it with context.AfterFunc.
	foreign := func(b *testing.B, f func(*testing.B, context.Context)) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		f(b, ctx)
	}
	b.Run("foreign-parent/anyio", func(b *testing.B) { foreign(b, failAfter) })
	b.Run("foreign-parent/WithTimeout", func(b *testing.B) { foreign(b, withTimeout) })
}

// BenchmarkCreateTask1000 starts 1000 tasks that each return a result and
// waits for every result, beside errgroup writing into a result slot.
func BenchmarkCreateTask1000(b *testing.B) {
	work := func(context.Context) (int, error) { return 1, nil }
	b.Run("anyio", func(b *testing.B) {
		ctx := context.Background()
		handles := make([]*anyio.TaskHandle[int], spawns)
		for range b.N {
			sum := 0
			err := anyio.WithTaskGroup(ctx, func(ctx context.Context, tg *anyio.TaskGroup) error {
				for i := range handles {
					handles[i] = anyio.CreateTask(tg, work)
				}
				for _, h := range handles {
					v, err := h.Wait(ctx)
					if err != nil {
						return err
					}
					sum += v
				}
				return nil
			})
			if err != nil || sum != spawns {
				b.Fatal(err, sum)
			}
		}
	})
	b.Run("errgroup", func(b *testing.B) {
		results := make([]int, spawns)
		for range b.N {
			g, ctx := errgroup.WithContext(context.Background())
			for i := range results {
				g.Go(func() error {
					v, err := work(ctx)
					results[i] = v
					return err
				})
			}
			if err := g.Wait(); err != nil {
				b.Fatal(err)
			}
			sum := 0
			for _, v := range results {
				sum += v
			}
			if sum != spawns {
				b.Fatal(sum)
			}
		}
	})
}
