package anyiort

import (
	"context"
	"time"
)

// Interruptible runs op, an I/O call that blocks in the operating system and
// obeys setDeadline (such as a net.Conn's SetReadDeadline). When ctx is
// cancelled first, the deadline moves into the past to cut op short and
// Interruptible returns ctx's error.
func Interruptible(ctx context.Context, setDeadline func(time.Time) error, op func() (int, error)) (int, error) {
	if ctx.Done() == nil {
		return op()
	}
	moved := make(chan struct{})
	stop := context.AfterFunc(ctx, func() {
		_ = setDeadline(time.Unix(1, 0))
		close(moved)
	})
	n, err := op()
	if !stop() {
		// The deadline was moved: once that is done, put it back for the
		// next call.
		<-moved
		_ = setDeadline(time.Time{})
		if err != nil && ctx.Err() != nil {
			return n, ctx.Err()
		}
	}
	return n, err
}
