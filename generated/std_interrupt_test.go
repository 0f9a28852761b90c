package generated

import (
	"context"
	"errors"
	"io"
	"net"
	"testing"
	"time"

	"github.com/anyiogen/anyiogen/generated/anyio"
)

// stdPair is a connected pair of sockets on the OS's loopback.
func stdPair(t *testing.T) (client, server *anyio.SocketStream) {
	t.Helper()
	ctx := context.Background()
	l, err := anyio.ListenTCP(ctx, "127.0.0.1", 0)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	accepted := make(chan *anyio.SocketStream, 1)
	go func() {
		s, _ := l.Accept(ctx)
		accepted <- s
	}()
	c, err := anyio.ConnectTCP(ctx, "127.0.0.1", l.Addr().(*net.TCPAddr).Port)
	if err != nil {
		t.Fatal(err)
	}
	s := <-accepted
	if s == nil {
		t.Fatal("Accept failed")
	}
	t.Cleanup(func() { c.Close(); s.Close() })
	return c, s
}

// On std a socket keeps its watch on a ctx between calls: a cancellation
// still cuts short a read that waits after reads that did not, and the
// socket reads normally again afterwards, under another ctx.
func TestStdReadCutShortAfterReusedWatch(t *testing.T) {
	c, s := stdPair(t)
	scope := anyio.NewCancelScope()
	var second error
	err := scope.Run(context.Background(), func(ctx context.Context) error {
		for range 3 { // the watch on ctx is made once and kept
			if err := s.Send(ctx, []byte("x")); err != nil {
				return err
			}
			if _, err := c.Receive(ctx, 1); err != nil {
				return err
			}
		}
		//anyiovet:ignore std only: a cancel from outside the run, on the wall clock
		time.AfterFunc(20*time.Millisecond, scope.Cancel)
		_, second = c.Receive(ctx, 1) // nothing comes: only the cancel ends it
		return second
	})
	if err != nil || !scope.CancelledCaught() {
		t.Fatalf("scope.Run = %v (caught %v), want the cancellation caught", err, scope.CancelledCaught())
	}
	if !errors.Is(second, context.Canceled) {
		t.Fatalf("the waiting Receive returned %v, want a cancellation", second)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if err := s.Send(ctx, []byte("y")); err != nil {
		t.Fatal(err)
	}
	got, err := c.Receive(ctx, 1)
	if err != nil || string(got) != "y" {
		t.Fatalf("Receive after the cancellation = %q, %v; want \"y\": the deadline was not put back", got, err)
	}
	if err := c.SendEOF(); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Receive(ctx, 1); !errors.Is(err, anyio.ErrEndOfStream) && !errors.Is(err, io.EOF) {
		t.Fatalf("Receive after EOF = %v, want end of stream", err)
	}
}

// Reads under a cancellable ctx allocate nothing on std: the watch is
// kept between calls.
func TestStdReadUnderCancellableCtxAllocatesNothing(t *testing.T) {
	c, s := stdPair(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	conn := c.NetConn(ctx)
	buf := make([]byte, 64)
	if err := s.Send(ctx, make([]byte, 64*1000)); err != nil {
		t.Fatal(err)
	}
	io.ReadFull(conn, buf) // the watch is made on the first call
	allocs := testing.AllocsPerRun(500, func() {
		if _, err := io.ReadFull(conn, buf); err != nil {
			t.Fatal(err)
		}
	})
	if allocs != 0 {
		t.Errorf("NetConn.Read under a cancellable ctx allocates %v times a call, want 0", allocs)
	}
}
