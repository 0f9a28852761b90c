package conformance

import (
	"context"
	"errors"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	anyio "github.com/anyiogen/anyiogen/generated/anyio"
)

// Unix sockets: the Unix parts of AnyIO's tests/test_sockets.py
// (TestUNIXStream, TestUNIXListener), on every backend.

// confSocketPath is a path for a Unix socket: in a temporary directory of
// the OS on std, at the root of the host's disk on sim, where the
// directory would not exist. A socket's path holds about 100 bytes, which
// a test's temporary directory under a long TMPDIR can pass: then the
// system's /tmp.
func confSocketPath(t *testing.T, ctx context.Context) string {
	if anyio.CurrentBackend(ctx) == "sim" {
		return "/" + filepath.Base(t.Name()) + ".sock"
	}
	if path := filepath.Join(t.TempDir(), "s"); len(path) < 90 {
		return path
	}
	dir, err := os.MkdirTemp("/tmp", "anyio")
	if err != nil {
		t.Errorf("a short directory for a Unix socket: %v", err)
		return filepath.Join(t.TempDir(), "s")
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	return filepath.Join(dir, "s")
}

// confUnixPair is a connected pair of Unix socket streams, and the path.
func confUnixPair(t *testing.T, ctx context.Context) (client, server *anyio.SocketStream, path string, err error) {
	path = confSocketPath(t, ctx)
	l, err := anyio.ListenUnix(ctx, path)
	if err != nil {
		return nil, nil, path, err
	}
	defer l.Close()
	client, err = anyio.ConnectUnix(ctx, path)
	if err != nil {
		return nil, nil, path, err
	}
	server, err = l.Accept(ctx)
	if err != nil {
		client.Close()
		return nil, nil, path, err
	}
	return client, server, path, nil
}

// AnyIO TestUNIXStream::test_extra_attributes and
// TestUNIXListener::test_extra_attributes: the addresses are the socket's
// path and, for the connecting end, unnamed.
func TestUNIXStreamExtraAttributes(t *testing.T) {
	confEachBackend(t, func(t *testing.T, ctx context.Context) error {
		path := confSocketPath(t, ctx)
		l, err := anyio.ListenUnix(ctx, path)
		if err != nil {
			return err
		}
		defer l.Close()
		if got, ok := l.Addr().(*net.UnixAddr); !ok || got.Name != path {
			t.Errorf("listener Addr = %#v, want the *net.UnixAddr %s", l.Addr(), path)
		}
		c, err := anyio.ConnectUnix(ctx, path)
		if err != nil {
			return err
		}
		defer c.Close()
		s, err := l.Accept(ctx)
		if err != nil {
			return err
		}
		defer s.Close()
		for _, a := range []struct {
			what string
			addr net.Addr
			want string
		}{{"client's remote", c.RemoteAddr(), path}, {"server's local", s.LocalAddr(), path}, {"client's local", c.LocalAddr(), "@"}} {
			if got, ok := a.addr.(*net.UnixAddr); !ok || got.Name != a.want {
				t.Errorf("the %s address = %#v, want a *net.UnixAddr named %q", a.what, a.addr, a.want)
			}
		}
		return nil
	})
}

// AnyIO TestUNIXStream::test_send_receive.
func TestUNIXStreamSendReceive(t *testing.T) {
	confEachBackend(t, func(t *testing.T, ctx context.Context) error {
		c, s, _, err := confUnixPair(t, ctx)
		if err != nil {
			return err
		}
		defer c.Close()
		defer s.Close()
		if err := c.Send(ctx, []byte("blah")); err != nil {
			return err
		}
		got, err := s.Receive(ctx, 100)
		if string(got) != "blah" || err != nil {
			t.Errorf("Receive = %q, %v; want blah", got, err)
		}
		if err := s.Send(ctx, []byte("halb")); err != nil {
			return err
		}
		got, err = c.Receive(ctx, 100)
		if string(got) != "halb" || err != nil {
			t.Errorf("Receive = %q, %v; want halb", got, err)
		}
		return nil
	})
}

// AnyIO TestUNIXStream::test_send_eof.
func TestUNIXStreamSendEOF(t *testing.T) {
	confEachBackend(t, func(t *testing.T, ctx context.Context) error {
		c, s, _, err := confUnixPair(t, ctx)
		if err != nil {
			return err
		}
		defer c.Close()
		defer s.Close()
		if err := c.Send(ctx, []byte("hello, ")); err != nil {
			return err
		}
		if err := c.SendEOF(); err != nil {
			return err
		}
		var got []byte
		for {
			b, err := s.Receive(ctx, 100)
			if errors.Is(err, anyio.ErrEndOfStream) {
				break
			}
			if err != nil {
				return err
			}
			got = append(got, b...)
		}
		if err := s.Send(ctx, []byte("world")); err != nil {
			return err
		}
		reply, err := c.Receive(ctx, 100)
		if string(got) != "hello, " || string(reply) != "world" || err != nil {
			t.Errorf("got %q then %q (%v); want the data up to EOF, then the reply", got, reply, err)
		}
		return nil
	})
}

// AnyIO TestUNIXStream::test_concurrent_receive: a second Receive at once
// is ErrBusyResource.
func TestUNIXStreamConcurrentReceive(t *testing.T) {
	confEachBackend(t, func(t *testing.T, ctx context.Context) error {
		c, s, _, err := confUnixPair(t, ctx)
		if err != nil {
			return err
		}
		defer c.Close()
		defer s.Close()
		return anyio.WithTaskGroup(ctx, func(ctx context.Context, tg *anyio.TaskGroup) error {
			tg.StartSoon(func(ctx context.Context) error {
				if _, err := s.Receive(ctx, 10); err != nil && ctx.Err() == nil {
					return err
				}
				return nil
			})
			if err := anyio.WaitAllTasksBlocked(ctx); err != nil {
				return err
			}
			if _, err := s.Receive(ctx, 10); !errors.Is(err, anyio.ErrBusyResource) {
				t.Errorf("a second Receive: %v, want ErrBusyResource", err)
			}
			tg.CancelScope().Cancel()
			return nil
		})
	})
}

// AnyIO TestUNIXStream::test_receive_after_close and test_send_after_close.
func TestUNIXStreamUseAfterClose(t *testing.T) {
	confEachBackend(t, func(t *testing.T, ctx context.Context) error {
		c, s, _, err := confUnixPair(t, ctx)
		if err != nil {
			return err
		}
		defer s.Close()
		c.Close()
		if _, err := c.Receive(ctx, 10); !errors.Is(err, anyio.ErrClosedResource) {
			t.Errorf("Receive after Close: %v, want ErrClosedResource", err)
		}
		if err := c.Send(ctx, []byte("x")); !errors.Is(err, anyio.ErrClosedResource) {
			t.Errorf("Send after Close: %v, want ErrClosedResource", err)
		}
		return nil
	})
}

// AnyIO TestUNIXStream::test_cannot_connect: nothing at the path.
func TestUNIXStreamCannotConnect(t *testing.T) {
	confEachBackend(t, func(t *testing.T, ctx context.Context) error {
		_, err := anyio.ConnectUnix(ctx, confSocketPath(t, ctx))
		if !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("ConnectUnix to nothing: %v, want an error matching fs.ErrNotExist", err)
		}
		return nil
	})
}

// AnyIO TestUNIXListener::test_accept: a listener serves clients one
// after another.
func TestUNIXListenerAccept(t *testing.T) {
	confEachBackend(t, func(t *testing.T, ctx context.Context) error {
		path := confSocketPath(t, ctx)
		l, err := anyio.ListenUnix(ctx, path)
		if err != nil {
			return err
		}
		defer l.Close()
		for range 3 {
			c, err := anyio.ConnectUnix(ctx, path)
			if err != nil {
				return err
			}
			s, err := l.Accept(ctx)
			if err != nil {
				c.Close()
				return err
			}
			if err := c.Send(ctx, []byte("blah")); err != nil {
				return err
			}
			got, err := s.Receive(ctx, 100)
			if string(got) != "blah" || err != nil {
				t.Errorf("Receive = %q, %v", got, err)
			}
			c.Close()
			s.Close()
		}
		return nil
	})
}

// AnyIO TestUNIXListener::test_bind_twice: a second listener on the path
// is refused, and after Close the path is free again.
func TestUNIXListenerBindTwice(t *testing.T) {
	confEachBackend(t, func(t *testing.T, ctx context.Context) error {
		path := confSocketPath(t, ctx)
		l, err := anyio.ListenUnix(ctx, path)
		if err != nil {
			return err
		}
		if _, err := anyio.ListenUnix(ctx, path); !errors.Is(err, syscall.EADDRINUSE) {
			t.Errorf("a second ListenUnix: %v, want EADDRINUSE", err)
		}
		if err := l.Close(); err != nil {
			return err
		}
		l, err = anyio.ListenUnix(ctx, path)
		if err != nil {
			t.Errorf("ListenUnix after Close: %v", err)
			return nil
		}
		return l.Close()
	})
}

// Serve on a Unix listener, as on a TCP one.
func TestUNIXListenerServe(t *testing.T) {
	confEachBackend(t, func(t *testing.T, ctx context.Context) error {
		path := confSocketPath(t, ctx)
		l, err := anyio.ListenUnix(ctx, path)
		if err != nil {
			return err
		}
		defer l.Close()
		return anyio.WithTaskGroup(ctx, func(ctx context.Context, tg *anyio.TaskGroup) error {
			tg.StartSoon(func(ctx context.Context) error {
				return l.Serve(ctx, func(ctx context.Context, s *anyio.SocketStream) error {
					b, err := s.Receive(ctx, 100)
					if err != nil {
						return nil
					}
					return s.Send(ctx, append([]byte("echo: "), b...))
				})
			})
			c, err := anyio.ConnectUnix(ctx, path)
			if err != nil {
				return err
			}
			defer c.Close()
			if err := c.Send(ctx, []byte("hi")); err != nil {
				return err
			}
			got, err := c.Receive(ctx, 100)
			if string(got) != "echo: hi" || err != nil {
				t.Errorf("got %q, %v", got, err)
			}
			tg.CancelScope().Cancel()
			return nil
		})
	})
}
