package conformance

import (
	"context"
	"errors"
	"os"
	"sync/atomic"
	"testing"

	anyio "github.com/anyiogen/anyiogen/generated/anyio"
)

// NetConn keeps net.Conn's contract (as x/net/nettest's TestConn checks
// it): callers of one direction take turns, and a deadline set while a
// call waits reaches that call.

// Two tasks reading one view at once both get data; neither is refused as
// busy (a SocketStream itself would say ErrBusyResource).
func TestNetConnReadsTakeTurns(t *testing.T) {
	confEachBackend(t, func(t *testing.T, ctx context.Context) error {
		c, s, err := confPair(ctx)
		if err != nil {
			return err
		}
		defer c.Close()
		defer s.Close()
		view := s.NetConn(ctx)
		var got atomic.Int32
		err = anyio.WithTaskGroup(ctx, func(ctx context.Context, tg *anyio.TaskGroup) error {
			for range 2 {
				tg.StartSoon(func(ctx context.Context) error {
					buf := make([]byte, 1)
					//anyiovet:ignore one view shared by two tasks is what the test is about
					n, err := view.Read(buf)
					got.Add(int32(n))
					return err
				})
			}
			if err := anyio.WaitAllTasksBlocked(ctx); err != nil {
				return err
			}
			if err := c.Send(ctx, []byte("a")); err != nil {
				return err
			}
			if err := anyio.WaitAllTasksBlocked(ctx); err != nil {
				return err
			}
			return c.Send(ctx, []byte("b"))
		})
		if got.Load() != 2 {
			t.Errorf("the two reads got %d bytes, want one each", got.Load())
		}
		return err
	})
}

// A read that began without a deadline ends with os.ErrDeadlineExceeded
// once a deadline set meanwhile passes, on the backend's clock.
func TestNetConnDeadlineSetDuringAReadReachesIt(t *testing.T) {
	confEachBackend(t, func(t *testing.T, ctx context.Context) error {
		c, s, err := confPair(ctx)
		if err != nil {
			return err
		}
		defer c.Close()
		defer s.Close()
		view := s.NetConn(ctx)
		return anyio.WithTaskGroup(ctx, func(ctx context.Context, tg *anyio.TaskGroup) error {
			tg.StartSoon(func(ctx context.Context) error {
				start := anyio.Now(ctx)
				//anyiovet:ignore the view's deadline, set from another task, is what the test is about
				_, err := view.Read(make([]byte, 10))
				if !errors.Is(err, os.ErrDeadlineExceeded) {
					t.Errorf("the read: %v, want os.ErrDeadlineExceeded", err)
				}
				if d := anyio.Now(ctx).Sub(start); d < confTick || d > confPrompt {
					t.Errorf("the read ended after %v, want about %v", d, confTick)
				}
				return nil
			})
			if err := anyio.WaitAllTasksBlocked(ctx); err != nil {
				return err
			}
			//anyiovet:ignore the deadline is set from outside the read's task on purpose
			return view.SetReadDeadline(anyio.Now(ctx).Add(confTick))
		})
	})
}
