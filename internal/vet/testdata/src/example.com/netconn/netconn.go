package netconn

import (
	"bufio"
	"context"
	"time"

	"example.com/gen/anyio"
)

// Handle makes its view outside the timeout: the timeout does not reach
// the read (before, the shape deadlocked on sim and outlived
// the timeout on std).
func Handle(ctx context.Context, s *anyio.SocketStream) error {
	conn := s.NetConn(ctx)
	return anyio.FailAfter(ctx, time.Second, func(ctx context.Context) error {
		_, err := bufio.NewReader(conn).ReadString('\n') // want `conn, a net.Conn view made with ctx \(line 15\), is used inside a body with a ctx of its own`
		_, _ = conn.Write([]byte("once is enough"))
		return err
	})
}

// HandleInside makes the view from the scope's ctx: its calls are cut
// short by the timeout. Not reported.
func HandleInside(ctx context.Context, s *anyio.SocketStream) error {
	return anyio.FailAfter(ctx, time.Second, func(ctx context.Context) error {
		conn := s.NetConn(ctx)
		_, err := bufio.NewReader(conn).ReadString('\n')
		return err
	})
}

// Tasks: a task's body has a ctx of its own too.
func Tasks(ctx context.Context, s *anyio.SocketStream) error {
	conn := s.NetConn(ctx)
	return anyio.WithTaskGroup(ctx, func(tctx context.Context, tg *anyio.TaskGroup) error {
		tg.StartSoon(func(ctx context.Context) error {
			_, err := conn.Write([]byte("hi")) // want `conn, a net.Conn view made with ctx \(line 35\), is used inside a body with a ctx of its own: that body.s cancellation and deadline do not reach the view.s calls; make the view here from ctx`
			return err
		})
		return nil
	})
}
