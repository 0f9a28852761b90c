package generated

// Benchmarks of the synchronization primitives and ToThread beside their
// native twins, on std.

import (
	"context"
	"sync"
	"testing"

	"golang.org/x/sync/semaphore"

	"github.com/anyiogen/anyiogen/generated/anyio"
)

// inTask runs f with the context of a task, as code using the package has.
func inTask(b *testing.B, f func(ctx context.Context)) {
	err := anyio.WithTaskGroup(context.Background(), func(ctx context.Context, tg *anyio.TaskGroup) error {
		tg.StartSoon(func(ctx context.Context) error { f(ctx); return nil })
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
}

func BenchmarkLockUncontended(b *testing.B) {
	b.Run("anyio", func(b *testing.B) {
		n := 0
		inTask(b, func(ctx context.Context) {
			l := anyio.NewLock()
			for range b.N {
				if err := l.Acquire(ctx); err != nil {
					b.Error(err)
					return
				}
				n++
				l.Release()
			}
		})
		if n != b.N {
			b.Fatal(n)
		}
	})
	b.Run("Mutex", func(b *testing.B) {
		var mu sync.Mutex
		n := 0
		for range b.N {
			mu.Lock()
			n++
			mu.Unlock()
		}
		if n != b.N {
			b.Fatal(n)
		}
	})
}

// BenchmarkLockContended4 is 4 tasks taking turns on one lock; an op is one
// hand-off.
func BenchmarkLockContended4(b *testing.B) {
	const workers = 4
	b.Run("anyio", func(b *testing.B) {
		l := anyio.NewLock()
		counter := 0
		err := anyio.WithTaskGroup(context.Background(), func(ctx context.Context, tg *anyio.TaskGroup) error {
			for w := range workers {
				n := b.N / workers
				if w == 0 {
					n += b.N % workers
				}
				tg.StartSoon(func(ctx context.Context) error {
					for range n {
						if err := l.Acquire(ctx); err != nil {
							return err
						}
						counter++
						l.Release()
					}
					return nil
				})
			}
			return nil
		})
		if err != nil || counter != b.N {
			b.Fatal(err, counter)
		}
	})
	// A lock made of a channel of one slot is the fair twin: the runtime
	// queues its waiters in order, as Lock does, where sync.Mutex lets a
	// releasing goroutine take it again at once.
	b.Run("chan", func(b *testing.B) {
		lock := make(chan struct{}, 1)
		var wg sync.WaitGroup
		counter := 0
		for w := range workers {
			n := b.N / workers
			if w == 0 {
				n += b.N % workers
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				for range n {
					lock <- struct{}{}
					counter++
					<-lock
				}
			}()
		}
		wg.Wait()
		if counter != b.N {
			b.Fatal(counter)
		}
	})
	b.Run("Mutex", func(b *testing.B) {
		var mu sync.Mutex
		var wg sync.WaitGroup
		counter := 0
		for w := range workers {
			n := b.N / workers
			if w == 0 {
				n += b.N % workers
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				for range n {
					mu.Lock()
					counter++
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		if counter != b.N {
			b.Fatal(counter)
		}
	})
}

// BenchmarkLockRound is the case the issue tracker states: an op is a whole
// round of 4 tasks that each take the lock 1,000 times around a short
// critical section (a few dozen arithmetic steps), beside goroutines and a
// sync.Mutex doing the same.
func BenchmarkLockRound(b *testing.B) {
	const workers, turns = 4, 1000
	critical := func(x *uint64) {
		for i := range 32 {
			*x = *x*6364136223846793005 + uint64(i)
		}
	}
	b.Run("anyio", func(b *testing.B) {
		for range b.N {
			l := anyio.NewLock()
			var x uint64
			err := anyio.WithTaskGroup(context.Background(), func(ctx context.Context, tg *anyio.TaskGroup) error {
				for range workers {
					tg.StartSoon(func(ctx context.Context) error {
						for range turns {
							if err := l.Acquire(ctx); err != nil {
								return err
							}
							critical(&x)
							l.Release()
						}
						return nil
					})
				}
				return nil
			})
			if err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("Mutex", func(b *testing.B) {
		for range b.N {
			var mu sync.Mutex
			var x uint64
			var wg sync.WaitGroup
			for range workers {
				wg.Go(func() {
					for range turns {
						mu.Lock()
						critical(&x)
						mu.Unlock()
					}
				})
			}
			wg.Wait()
		}
	})
}

func BenchmarkSemaphoreUncontended(b *testing.B) {
	b.Run("anyio", func(b *testing.B) {
		inTask(b, func(ctx context.Context) {
			s := anyio.NewSemaphore(1)
			for range b.N {
				if err := s.Acquire(ctx); err != nil {
					b.Error(err)
					return
				}
				s.Release()
			}
		})
	})
	b.Run("CapacityLimiter", func(b *testing.B) {
		inTask(b, func(ctx context.Context) {
			l := anyio.NewCapacityLimiter(1)
			for range b.N {
				if err := l.Acquire(ctx); err != nil {
					b.Error(err)
					return
				}
				if err := l.Release(ctx); err != nil {
					b.Error(err)
					return
				}
			}
		})
	})
	b.Run("Weighted", func(b *testing.B) {
		ctx := context.Background()
		s := semaphore.NewWeighted(1)
		for range b.N {
			if err := s.Acquire(ctx, 1); err != nil {
				b.Fatal(err)
			}
			s.Release(1)
		}
	})
}

// BenchmarkEvent100 is 100 waiters released by one Set; an op is the
// whole round.
func BenchmarkEvent100(b *testing.B) {
	const waiters = 100
	b.Run("anyio", func(b *testing.B) {
		ctx := context.Background()
		for range b.N {
			e := anyio.NewEvent()
			err := anyio.WithTaskGroup(ctx, func(ctx context.Context, tg *anyio.TaskGroup) error {
				for range waiters {
					tg.StartSoon(e.Wait)
				}
				e.Set()
				return nil
			})
			if err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("close", func(b *testing.B) {
		for range b.N {
			ch := make(chan struct{})
			var wg sync.WaitGroup
			for range waiters {
				wg.Add(1)
				go func() {
					defer wg.Done()
					<-ch
				}()
			}
			close(ch)
			wg.Wait()
		}
	})
}

func BenchmarkToThread(b *testing.B) {
	work := func() (int, error) { return 1, nil }
	b.Run("anyio", func(b *testing.B) {
		inTask(b, func(ctx context.Context) {
			for range b.N {
				if _, err := anyio.ToThread(ctx, work); err != nil {
					b.Error(err)
					return
				}
			}
		})
	})
	b.Run("go+chan", func(b *testing.B) {
		for range b.N {
			ch := make(chan int, 1)
			go func() {
				v, _ := work()
				ch <- v
			}()
			<-ch
		}
	})
}

// BenchmarkSimLockHandoff is, on sim, two tasks taking turns on a Lock
// beside two tasks passing items over a rendezvous stream; an op is one
// hand-over.
func BenchmarkSimLockHandoff(b *testing.B) {
	sim := anyio.Backend(anyio.BackendSim)
	b.Run("lock", func(b *testing.B) {
		l := anyio.NewLock()
		err := anyio.Run(func(ctx context.Context) error {
			return anyio.WithTaskGroup(ctx, func(ctx context.Context, tg *anyio.TaskGroup) error {
				for range 2 {
					tg.StartSoon(func(ctx context.Context) error {
						for range b.N / 2 {
							if err := l.Acquire(ctx); err != nil {
								return err
							}
							err := anyio.Checkpoint(ctx)
							l.Release()
							if err != nil {
								return err
							}
						}
						return nil
					})
				}
				return nil
			})
		}, sim)
		if err != nil {
			b.Fatal(err)
		}
	})
	b.Run("stream", func(b *testing.B) {
		err := anyio.Run(func(ctx context.Context) error {
			tx, rx := anyio.NewMemoryObjectStream[int](0)
			return anyio.WithTaskGroup(ctx, func(ctx context.Context, tg *anyio.TaskGroup) error {
				tg.StartSoon(func(ctx context.Context) error {
					defer tx.Close()
					for i := range b.N {
						if err := tx.Send(ctx, i); err != nil {
							return err
						}
					}
					return nil
				})
				tg.StartSoon(func(ctx context.Context) error {
					for range b.N {
						if _, err := rx.Receive(ctx); err != nil {
							return err
						}
					}
					return nil
				})
				return nil
			})
		}, sim)
		if err != nil {
			b.Fatal(err)
		}
	})
}
