package chanwait

import (
	"context"

	"example.com/gen/anyio"
)

func Main() {
	ch := make(chan int, 1)
	ch <- 1 // outside any run: not reported
	_ = anyio.Run(func(ctx context.Context) error {
		ch <- 2  // want `a channel send inside a run waits where no ctx can cut it short`
		<-ch     // want `a channel receive inside a run waits where no ctx can cut it short`
		select { // want `a select with no case on ctx.Done\(\) inside a run`
		case v := <-ch:
			_ = v
		}
		select { // a case on ctx.Done(): ctx can cut it short
		case <-ch:
		case <-ctx.Done():
			return ctx.Err()
		}
		select { // a default: it never waits
		case <-ch:
		default:
		}
		<-ctx.Done()        // ctx cuts it short
		for v := range ch { // want `ranging over a channel inside a run`
			_ = v
		}
		return nil
	})
}
