package generated

import (
	"context"
	"net"
	"testing"

	"golang.org/x/net/nettest"

	"github.com/anyiogen/anyiogen/generated/anyio"
)

// NetConn keeps net.Conn's contract on std: golang.org/x/net/nettest's
// TestConn, all of it, over a connected pair of the package's sockets.
func TestStdNetConnPassesNettest(t *testing.T) {
	nettest.TestConn(t, func() (c1, c2 net.Conn, stop func(), err error) {
		ctx := context.Background()
		l, err := anyio.ListenTCP(ctx, "127.0.0.1", 0)
		if err != nil {
			return nil, nil, nil, err
		}
		defer l.Close()
		accepted := make(chan *anyio.SocketStream, 1)
		go func() {
			s, _ := l.Accept(ctx)
			accepted <- s
		}()
		a, err := anyio.ConnectTCP(ctx, "127.0.0.1", l.Addr().(*net.TCPAddr).Port)
		if err != nil {
			return nil, nil, nil, err
		}
		b := <-accepted
		return a.NetConn(ctx), b.NetConn(ctx), func() { a.Close(); b.Close() }, nil
	})
}
