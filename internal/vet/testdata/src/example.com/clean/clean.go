// Package clean uses a generated package well, and does what the
// simulator cannot see only where no run is: nothing is reported.
package clean

import (
	"context"
	"math/rand/v2"
	"net"
	"sync"
	"time"

	"example.com/gen/anyio"
)

// Outside never hands a function to the package.
func Outside(ctx context.Context) {
	time.Sleep(time.Millisecond)
	_ = time.Now()
	go func() {}()
	ch := make(chan int, 1)
	ch <- rand.IntN(3)
	<-ch
	c, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	_ = c
	_, _ = net.Dial("tcp", "example.com:80")
}

// Inside does it all through the package.
func Inside() error {
	var mu sync.Mutex
	lock := &anyio.Lock{}
	return anyio.Run(func(ctx context.Context) error {
		start := anyio.Now(ctx)
		if err := anyio.Sleep(ctx, time.Second); err != nil {
			return err
		}
		mu.Lock()
		n := anyio.Rand(ctx).IntN(3) // a short critical section, no wait in it
		mu.Unlock()
		if err := lock.Acquire(ctx); err != nil {
			return err
		}
		defer lock.Release()
		_ = n
		_ = anyio.Now(ctx).Sub(start)
		return anyio.FailAfter(ctx, time.Second, func(ctx context.Context) error {
			select {
			case <-ctx.Done():
				return ctx.Err()
			default:
				return nil
			}
		})
	})
}
