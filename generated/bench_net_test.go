package generated

// Benchmarks of the protocol helpers over TCP beside their native twins,
// on std: a bufio line echo over NetConn against the same over a plain
// net.Conn, and ReceiveUntil framing against bufio.Reader.ReadSlice.

import (
	"bufio"
	"context"
	"io"
	"net"
	"testing"

	"github.com/anyiogen/anyiogen/generated/anyio"
)

// tcpPair returns the two ends of a loopback connection made with the
// package, and closes them when b ends.
func tcpPair(b *testing.B) (client, server *anyio.SocketStream) {
	ctx := context.Background()
	l, err := anyio.ListenTCP(ctx, "127.0.0.1", 0)
	if err != nil {
		b.Fatal(err)
	}
	defer l.Close()
	accepted := make(chan *anyio.SocketStream, 1)
	go func() {
		s, err := l.Accept(ctx)
		if err != nil {
			b.Error(err)
		}
		accepted <- s
	}()
	client, err = anyio.ConnectTCP(ctx, "127.0.0.1", l.Addr().(*net.TCPAddr).Port)
	if err != nil {
		b.Fatal(err)
	}
	server = <-accepted
	b.Cleanup(func() { client.Close(); server.Close() })
	return client, server
}

// netPair is tcpPair with the net package alone.
func netPair(b *testing.B) (client, server net.Conn) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	defer l.Close()
	accepted := make(chan net.Conn, 1)
	go func() {
		c, err := l.Accept()
		if err != nil {
			b.Error(err)
		}
		accepted <- c
	}()
	client, err = net.Dial("tcp", l.Addr().String())
	if err != nil {
		b.Fatal(err)
	}
	server = <-accepted
	b.Cleanup(func() { client.Close(); server.Close() })
	return client, server
}

var line = []byte("the quick brown fox jumps over the lazy dog\n")

// echoLines echoes lines on server until it fails; the client writes a
// line and reads it back b.N times.
func benchLineEcho(b *testing.B, client, server net.Conn) {
	go func() {
		r := bufio.NewReader(server)
		for {
			l, err := r.ReadSlice('\n')
			if err != nil {
				return
			}
			if _, err := server.Write(l); err != nil {
				return
			}
		}
	}()
	r := bufio.NewReader(client)
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		if _, err := client.Write(line); err != nil {
			b.Fatal(err)
		}
		if _, err := r.ReadSlice('\n'); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkLineEcho(b *testing.B) {
	b.Run("NetConn", func(b *testing.B) {
		c, s := tcpPair(b)
		ctx := context.Background()
		benchLineEcho(b, c.NetConn(ctx), s.NetConn(ctx))
	})
	// The same with a task's ctx, which can be cancelled: each call then
	// watches it, which is what code inside a task group pays.
	b.Run("NetConn/task-ctx", func(b *testing.B) {
		c, s := tcpPair(b)
		err := anyio.WithTaskGroup(context.Background(), func(ctx context.Context, tg *anyio.TaskGroup) error {
			benchLineEcho(b, c.NetConn(ctx), s.NetConn(ctx))
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	})
	b.Run("net.Conn", func(b *testing.B) {
		c, s := netPair(b)
		benchLineEcho(b, c, s)
	})
}

// BenchmarkFraming reads lines framed by a newline out of a stream that
// carries 64 of them per write.
func BenchmarkFraming(b *testing.B) {
	var batch []byte
	for range 64 {
		batch = append(batch, line...)
	}
	feed := func(b *testing.B, write func([]byte) error) {
		go func() {
			for sent := 0; sent < b.N; sent += 64 {
				if write(batch) != nil {
					return
				}
			}
		}()
	}
	b.Run("ReceiveUntil", func(b *testing.B) {
		c, s := tcpPair(b)
		ctx := context.Background()
		feed(b, func(p []byte) error { return s.Send(ctx, p) })
		r := anyio.NewBufferedByteStream(c)
		b.ReportAllocs()
		b.ResetTimer()
		for range b.N {
			if _, err := r.ReceiveUntil(ctx, []byte{'\n'}, 1024); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("ReadSlice", func(b *testing.B) {
		c, s := netPair(b)
		feed(b, func(p []byte) error { _, err := s.Write(p); return err })
		r := bufio.NewReader(c)
		b.ReportAllocs()
		b.ResetTimer()
		for range b.N {
			if _, err := r.ReadSlice('\n'); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// NetConn's Read into the caller's buffer allocates nothing on std, with a
// ctx that cannot be cancelled (one that can costs the watch on it).
func TestNetConnReadAllocatesNothing(t *testing.T) {
	ctx := context.Background()
	c, s := stdPair(t)
	conn := c.NetConn(ctx)
	buf := make([]byte, 64)
	payload := make([]byte, 64*1000)
	if err := s.Send(ctx, payload); err != nil {
		t.Fatal(err)
	}
	allocs := testing.AllocsPerRun(500, func() {
		if _, err := io.ReadFull(conn, buf); err != nil {
			t.Fatal(err)
		}
	})
	if allocs != 0 {
		t.Errorf("NetConn.Read allocates %v times a call, want 0", allocs)
	}
}
