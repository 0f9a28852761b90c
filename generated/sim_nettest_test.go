package generated

import (
	"context"
	"net"
	"testing"
	"testing/synctest"
	"time"

	"golang.org/x/net/nettest"

	"github.com/anyiogen/anyiogen/generated/anyio"
)

// NetConn keeps net.Conn's contract on sim too: nettest.TestConn, all of
// it, inside a simulated run in a testing/synctest bubble. The goroutines
// nettest starts call the views and become tasks of the run; its deadlines,
// from time.Now, are on the run's clock, which the bubble shares.
func TestSimNetConnPassesNettest(t *testing.T) {
	outer := t // nettest runs subtests: the bubble's own T may not
	// A latency makes data take virtual time: CloseTimeout streams data
	// until a goroutine's time.Sleep of 100ms ends, and with none the
	// stream would never let the clock move. A small buffer keeps that
	// stream to a few hundred writes.
	network := anyio.NewSimNetwork()
	network.SetLatency(time.Millisecond)
	network.SetTCPBuffer(4096)
	synctest.Test(t, func(t *testing.T) {
		anyio.SetBubbleWait(synctest.Wait)
		err := anyio.Run(func(ctx context.Context) error {
			// One connected pair for each of nettest's eleven subtests,
			// made by this task, so that nettest's goroutines meet only
			// the net.Conn views.
			var pairs [][2]net.Conn
			l, err := anyio.ListenTCP(ctx, "127.0.0.1", 8000)
			if err != nil {
				return err
			}
			defer l.Close()
			for range 11 {
				a, err := anyio.ConnectTCP(ctx, "127.0.0.1", 8000)
				if err != nil {
					return err
				}
				b, err := l.Accept(ctx)
				if err != nil {
					return err
				}
				pairs = append(pairs, [2]net.Conn{a.NetConn(ctx), b.NetConn(ctx)})
			}
			done := make(chan struct{})
			//anyiovet:ignore nettest's goroutines are what the run adopts here
			go func() {
				defer close(done)
				nettest.TestConn(outer, func() (c1, c2 net.Conn, stop func(), err error) {
					p := pairs[0]
					pairs = pairs[1:]
					return p[0], p[1], func() { p[0].Close(); p[1].Close() }, nil
				})
			}()
			//anyiovet:ignore the task waits for nettest while the run goes on without it
			<-done // a channel of the test's: the run goes on without this task meanwhile
			return nil
		}, anyio.Backend(anyio.BackendSim), anyio.Seed(1), anyio.Network(network))
		if err != nil {
			t.Error(err)
		}
	})
}
