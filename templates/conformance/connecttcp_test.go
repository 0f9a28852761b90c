package conformance

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"slices"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	anyio "github.com/anyiogen/anyiogen/generated/anyio"
)

// confListen listens on host with a free port and returns the listener and
// its port.
func confListen(ctx context.Context, host string) (*anyio.TCPListener, int, error) {
	ln, err := anyio.ListenTCP(ctx, host, 0)
	if err != nil {
		return nil, 0, fmt.Errorf("ListenTCP(%q, 0): %w", host, err)
	}
	addr, ok := ln.Addr().(*net.TCPAddr)
	if !ok {
		ln.Close()
		return nil, 0, fmt.Errorf("Addr() of a TCPListener: got %T, want *net.TCPAddr", ln.Addr())
	}
	return ln, addr.Port, nil
}

// confFreePort returns a port on host that nothing listens on.
func confFreePort(ctx context.Context, host string) (int, error) {
	ln, port, err := confListen(ctx, host)
	if err != nil {
		return 0, err
	}
	return port, ln.Close()
}

// confReadAll receives until ErrEndOfStream.
func confReadAll(ctx context.Context, s *anyio.SocketStream) ([]byte, error) {
	var all []byte
	for {
		data, err := s.Receive(ctx, 64<<10)
		if errors.Is(err, anyio.ErrEndOfStream) {
			return all, nil
		}
		if err != nil {
			return all, err
		}
		all = append(all, data...)
	}
}

// confEcho sends back everything it receives, then sends EOF.
func confEcho(ctx context.Context, s *anyio.SocketStream) error {
	for {
		data, err := s.Receive(ctx, 64<<10)
		if errors.Is(err, anyio.ErrEndOfStream) {
			return s.SendEOF()
		}
		if err != nil {
			return err
		}
		if err := s.Send(ctx, data); err != nil {
			return err
		}
	}
}

// confRoundTrip sends payload and EOF while it reads everything the peer
// sends back.
func confRoundTrip(ctx context.Context, s *anyio.SocketStream, payload []byte) ([]byte, error) {
	var got []byte
	err := anyio.WithTaskGroup(ctx, func(ctx context.Context, tg *anyio.TaskGroup) error {
		tg.StartSoon(func(ctx context.Context) error {
			if err := s.Send(ctx, payload); err != nil {
				return fmt.Errorf("Send: %w", err)
			}
			if err := s.SendEOF(); err != nil {
				return fmt.Errorf("SendEOF: %w", err)
			}
			return nil
		})
		var err error
		got, err = confReadAll(ctx, s)
		return err
	})
	return got, err
}

// confTCPAddr returns addr as a *net.TCPAddr, or an error saying what it was.
func confTCPAddr(what string, addr net.Addr) (*net.TCPAddr, error) {
	a, ok := addr.(*net.TCPAddr)
	if !ok {
		return nil, fmt.Errorf("%s: got %T, want *net.TCPAddr", what, addr)
	}
	return a, nil
}

func TestListenTCPPortZero(t *testing.T) {
	confEachBackend(t, func(t *testing.T, ctx context.Context) error {
		ln, port, err := confListen(ctx, "127.0.0.1")
		if err != nil {
			return err
		}
		addr := ln.Addr().(*net.TCPAddr)
		if port == 0 || !addr.IP.Equal(net.IPv4(127, 0, 0, 1)) {
			t.Errorf("Addr() of ListenTCP(127.0.0.1, 0): got %v, want 127.0.0.1 and a port other than 0", addr)
		}
		if err := ln.Close(); err != nil {
			t.Errorf("TCPListener.Close: got %v, want nil", err)
		}
		return nil
	})
}

// ConnectTCP and Accept give connected SocketStreams whose addresses match
// each side's view; data goes both ways, small and large.
func TestConnectTCPEcho(t *testing.T) {
	large := bytes.Repeat([]byte("0123456789abcdef"), 64<<10) // 1 MiB
	for _, payload := range [][]byte{[]byte("hello, world"), large} {
		t.Run(fmt.Sprintf("%d bytes", len(payload)), func(t *testing.T) {
			confEachBackend(t, func(t *testing.T, ctx context.Context) error {
				ln, port, err := confListen(ctx, "127.0.0.1")
				if err != nil {
					return err
				}
				defer ln.Close()
				var serverRemote, serverLocal net.Addr
				return anyio.WithTaskGroup(ctx, func(ctx context.Context, tg *anyio.TaskGroup) error {
					tg.StartSoon(func(ctx context.Context) error {
						s, err := ln.Accept(ctx)
						if err != nil {
							return fmt.Errorf("Accept: %w", err)
						}
						defer s.Close()
						serverRemote, serverLocal = s.RemoteAddr(), s.LocalAddr()
						return confEcho(ctx, s)
					})
					c, err := anyio.ConnectTCP(ctx, "127.0.0.1", port)
					if err != nil {
						return fmt.Errorf("ConnectTCP(127.0.0.1, %d): %w", port, err)
					}
					defer c.Close()
					got, err := confRoundTrip(ctx, c, payload)
					if err != nil {
						return err
					}
					if !bytes.Equal(got, payload) {
						t.Errorf("echo of %d bytes: got %d bytes back, different", len(payload), len(got))
					}
					remote, err := confTCPAddr("client RemoteAddr()", c.RemoteAddr())
					if err != nil {
						return err
					}
					local, err := confTCPAddr("client LocalAddr()", c.LocalAddr())
					if err != nil {
						return err
					}
					if remote.Port != port || !remote.IP.Equal(net.IPv4(127, 0, 0, 1)) {
						t.Errorf("client RemoteAddr(): got %v, want 127.0.0.1:%d", remote, port)
					}
					if _, err := confTCPAddr("server RemoteAddr()", serverRemote); err != nil {
						return err
					}
					if _, err := confTCPAddr("server LocalAddr()", serverLocal); err != nil {
						return err
					}
					if serverRemote.String() != local.String() || serverLocal.String() != remote.String() {
						t.Errorf("addresses: client %v -> %v, server sees %v -> %v; want the same pair", local, remote, serverRemote, serverLocal)
					}
					return nil
				})
			})
		})
	}
}

// Receive returns at most maxBytes.
func TestSocketStreamReceiveMaxBytes(t *testing.T) {
	confEachBackend(t, func(t *testing.T, ctx context.Context) error {
		ln, port, err := confListen(ctx, "127.0.0.1")
		if err != nil {
			return err
		}
		defer ln.Close()
		return anyio.WithTaskGroup(ctx, func(ctx context.Context, tg *anyio.TaskGroup) error {
			tg.StartSoon(func(ctx context.Context) error {
				s, err := ln.Accept(ctx)
				if err != nil {
					return err
				}
				defer s.Close()
				if err := s.Send(ctx, []byte("hello")); err != nil {
					return err
				}
				return s.SendEOF()
			})
			c, err := anyio.ConnectTCP(ctx, "127.0.0.1", port)
			if err != nil {
				return err
			}
			defer c.Close()
			var all []byte
			for {
				data, err := c.Receive(ctx, 2)
				if errors.Is(err, anyio.ErrEndOfStream) {
					break
				}
				if err != nil {
					return fmt.Errorf("Receive(2): %w", err)
				}
				if len(data) == 0 || len(data) > 2 {
					t.Errorf("Receive(ctx, 2): got %d bytes, want 1 or 2", len(data))
				}
				all = append(all, data...)
			}
			if string(all) != "hello" {
				t.Errorf("received in pieces of at most 2: got %q, want %q", all, "hello")
			}
			return nil
		})
	})
}

// "Receive ... ErrEndOfStream at EOF", after the peer's SendEOF or Close; a
// half-closed stream still sends the other way (AnyIO test_send_after_eof,
// test_receive_after_peer_closed).
func TestSocketStreamEndOfStream(t *testing.T) {
	confEachBackend(t, func(t *testing.T, ctx context.Context) error {
		ln, port, err := confListen(ctx, "127.0.0.1")
		if err != nil {
			return err
		}
		defer ln.Close()
		var serverGot []byte
		err = anyio.WithTaskGroup(ctx, func(ctx context.Context, tg *anyio.TaskGroup) error {
			tg.StartSoon(func(ctx context.Context) error {
				s, err := ln.Accept(ctx)
				if err != nil {
					return err
				}
				defer s.Close()
				if err := s.Send(ctx, []byte("bye")); err != nil {
					return err
				}
				if err := s.SendEOF(); err != nil {
					return fmt.Errorf("SendEOF: %w", err)
				}
				serverGot, err = confReadAll(ctx, s)
				return err
			})
			c, err := anyio.ConnectTCP(ctx, "127.0.0.1", port)
			if err != nil {
				return err
			}
			defer c.Close()
			got, err := confReadAll(ctx, c)
			if err != nil || string(got) != "bye" {
				return fmt.Errorf("reading up to the peer's EOF: got %q, %v, want bye, nil", got, err)
			}
			for range 2 {
				if data, err := c.Receive(ctx, 10); !errors.Is(err, anyio.ErrEndOfStream) {
					t.Errorf("Receive after the peer's SendEOF: got %q, %v, want ErrEndOfStream", data, err)
				}
			}
			if err := c.Send(ctx, []byte("still here")); err != nil {
				return fmt.Errorf("Send after receiving the peer's EOF: %w", err)
			}
			return c.SendEOF()
		})
		if err != nil {
			return err
		}
		if string(serverGot) != "still here" {
			t.Errorf("peer received after its SendEOF: got %q, want %q", serverGot, "still here")
		}

		// The peer closes.
		return anyio.WithTaskGroup(ctx, func(ctx context.Context, tg *anyio.TaskGroup) error {
			tg.StartSoon(func(ctx context.Context) error {
				s, err := ln.Accept(ctx)
				if err != nil {
					return err
				}
				return s.Close()
			})
			c, err := anyio.ConnectTCP(ctx, "127.0.0.1", port)
			if err != nil {
				return err
			}
			defer c.Close()
			if data, err := c.Receive(ctx, 10); !errors.Is(err, anyio.ErrEndOfStream) {
				t.Errorf("Receive after the peer closed: got %q, %v, want ErrEndOfStream", data, err)
			}
			return nil
		})
	})
}

// "A use of a handle that was itself closed returns ErrClosedResource", also
// for a Receive that was waiting when another task closed the stream (AnyIO
// test_receive_after_close, test_send_after_close, test_close_during_receive,
// test_accept_after_close).
func TestSocketStreamClosed(t *testing.T) {
	confEachBackend(t, func(t *testing.T, ctx context.Context) error {
		ln, port, err := confListen(ctx, "127.0.0.1")
		if err != nil {
			return err
		}
		defer ln.Close()
		err = anyio.WithTaskGroup(ctx, func(ctx context.Context, tg *anyio.TaskGroup) error {
			tg.StartSoon(func(ctx context.Context) error {
				// Hold each accepted stream open until its client is gone.
				for range 2 {
					s, err := ln.Accept(ctx)
					if err != nil {
						return err
					}
					confReadAll(ctx, s)
					s.Close()
				}
				return nil
			})
			c, err := anyio.ConnectTCP(ctx, "127.0.0.1", port)
			if err != nil {
				return err
			}
			if err := c.Close(); err != nil {
				t.Errorf("SocketStream.Close: got %v, want nil", err)
			}
			if err := c.Send(ctx, []byte("x")); !errors.Is(err, anyio.ErrClosedResource) {
				t.Errorf("Send after Close: got %v, want ErrClosedResource", err)
			}
			if data, err := c.Receive(ctx, 10); !errors.Is(err, anyio.ErrClosedResource) {
				t.Errorf("Receive after Close: got %q, %v, want ErrClosedResource", data, err)
			}

			c2, err := anyio.ConnectTCP(ctx, "127.0.0.1", port)
			if err != nil {
				return err
			}
			defer c2.Close()
			var recvErr error
			var receiving, done atomic.Bool
			tg.StartSoon(func(ctx context.Context) error {
				receiving.Store(true)
				_, recvErr = c2.Receive(ctx, 10)
				done.Store(true)
				return nil
			})
			if err := confWaitUntil(ctx, "the receiver is waiting", receiving.Load); err != nil {
				return err
			}
			if err := anyio.Sleep(ctx, confTick); err != nil {
				return err
			}
			c2.Close()
			if err := confWaitUntil(ctx, "the waiting Receive returned", done.Load); err != nil {
				return err
			}
			if !errors.Is(recvErr, anyio.ErrClosedResource) {
				t.Errorf("Receive waiting while another task closed the stream: got %v, want ErrClosedResource", recvErr)
			}
			return nil
		})
		if err != nil {
			return err
		}
		ln.Close()
		if s, err := ln.Accept(ctx); !errors.Is(err, anyio.ErrClosedResource) {
			t.Errorf("Accept after Close: got %v, want ErrClosedResource", err)
			if s != nil {
				s.Close()
			}
		}
		return nil
	})
}

// "Serve accepts until ctx is cancelled, running each handler as a task of its
// own task group, and closes each stream when its handler returns. Once ctx is
// cancelled it returns that cancellation, so a task group whose scope was
// cancelled around it returns nil."
func TestTCPListenerServe(t *testing.T) {
	confEachBackend(t, func(t *testing.T, ctx context.Context) error {
		ln, port, err := confListen(ctx, "127.0.0.1")
		if err != nil {
			return err
		}
		defer ln.Close()
		var serveErr error
		var handlers atomic.Int32
		var idle *anyio.SocketStream
		err = anyio.WithTaskGroup(ctx, func(ctx context.Context, tg *anyio.TaskGroup) error {
			tg.StartSoon(func(ctx context.Context) error {
				serveErr = ln.Serve(ctx, func(ctx context.Context, s *anyio.SocketStream) error {
					handlers.Add(1)
					if _, err := confTCPAddr("RemoteAddr() of a served stream", s.RemoteAddr()); err != nil {
						t.Error(err)
					}
					return confEcho(ctx, s)
				})
				return serveErr
			})
			// Clients at the same time, each served by its own handler.
			err := anyio.WithTaskGroup(ctx, func(ctx context.Context, clients *anyio.TaskGroup) error {
				for i := range 3 {
					clients.StartSoon(func(ctx context.Context) error {
						c, err := anyio.ConnectTCP(ctx, "127.0.0.1", port)
						if err != nil {
							return fmt.Errorf("client %d: ConnectTCP: %w", i, err)
						}
						defer c.Close()
						want := fmt.Sprintf("client %d", i)
						got, err := confRoundTrip(ctx, c, []byte(want))
						if err != nil || string(got) != want {
							return fmt.Errorf("client %d: echo: got %q, %v, want %q, nil", i, got, err, want)
						}
						return nil
					})
				}
				return nil
			})
			if err != nil {
				return err
			}
			// A client that sends nothing keeps its handler waiting.
			idle, err = anyio.ConnectTCP(ctx, "127.0.0.1", port)
			if err != nil {
				return err
			}
			if err := confWaitUntil(ctx, "four handlers ran", func() bool { return handlers.Load() == 4 }); err != nil {
				return err
			}
			tg.CancelScope().Cancel()
			return nil
		})
		if idle != nil {
			defer idle.Close()
		}
		if err != nil {
			t.Errorf("WithTaskGroup cancelled around Serve: got %v, want nil", err)
		}
		if !confIsCancellation(serveErr) {
			t.Errorf("Serve after its ctx was cancelled: got %v, want the cancellation", serveErr)
		}
		if idle != nil {
			// Its handler was cancelled and Serve closed the stream.
			var data []byte
			var recvErr error
			if err := anyio.FailAfter(ctx, confPrompt, func(ctx context.Context) error {
				data, recvErr = idle.Receive(ctx, 10)
				return nil
			}); err != nil {
				t.Errorf("Receive from a client whose handler was cancelled: %v", err)
			} else if !errors.Is(recvErr, anyio.ErrEndOfStream) && !errors.Is(recvErr, anyio.ErrBrokenResource) {
				t.Errorf("Receive from a client whose handler was cancelled: got %q, %v, want ErrEndOfStream (Serve closes the stream)", data, recvErr)
			}
		}
		return nil
	})
}

// Serve closes a stream when its handler returns, even when the handler did
// not.
func TestTCPListenerServeClosesStreamWhenHandlerReturns(t *testing.T) {
	confEachBackend(t, func(t *testing.T, ctx context.Context) error {
		ln, port, err := confListen(ctx, "127.0.0.1")
		if err != nil {
			return err
		}
		defer ln.Close()
		s := anyio.NewCancelScope()
		var serveErr error
		err = anyio.WithTaskGroup(ctx, func(ctx context.Context, tg *anyio.TaskGroup) error {
			tg.StartSoon(func(ctx context.Context) error {
				serveErr = s.Run(ctx, func(ctx context.Context) error {
					return ln.Serve(ctx, func(ctx context.Context, st *anyio.SocketStream) error {
						return st.Send(ctx, []byte("hi"))
					})
				})
				return serveErr
			})
			c, err := anyio.ConnectTCP(ctx, "127.0.0.1", port)
			if err != nil {
				return err
			}
			defer c.Close()
			var got []byte
			err = anyio.FailAfter(ctx, confPrompt, func(ctx context.Context) error {
				got, err = confReadAll(ctx, c)
				return err
			})
			if err != nil || string(got) != "hi" {
				t.Errorf("reading from a handler that sent hi and returned: got %q, %v, want hi, then ErrEndOfStream", got, err)
			}
			s.Cancel()
			return nil
		})
		if err != nil || serveErr != nil {
			t.Errorf("Serve in a scope cancelled from another task: group %v, scope Run %v, want nil, nil", err, serveErr)
		}
		return nil
	})
}

// "If all fail, the error holds each attempt's error": a refused connect
// keeps the refusal.
func TestConnectTCPRefused(t *testing.T) {
	confEachBackend(t, func(t *testing.T, ctx context.Context) error {
		port, err := confFreePort(ctx, "127.0.0.1")
		if err != nil {
			return err
		}
		c, err := anyio.ConnectTCP(ctx, "127.0.0.1", port)
		if err == nil {
			c.Close()
			return fmt.Errorf("ConnectTCP to a port nothing listens on: connected, want an error")
		}
		if !errors.Is(err, syscall.ECONNREFUSED) {
			t.Errorf("ConnectTCP to a port nothing listens on: got %v, want an error holding the attempt's ECONNREFUSED", err)
		}
		if confIsCancellation(err) {
			t.Errorf("ConnectTCP refused: got the cancellation %v, want a connection error", err)
		}
		if addr := fmt.Sprintf("127.0.0.1:%d", port); !strings.Contains(err.Error(), addr) {
			t.Errorf("ConnectTCP refused: error %q does not name the attempt's address %s", err, addr)
		}
		return nil
	})
}

// "Any blocking call cut short by its ctx (a Receive, a ConnectTCP, a Sleep)
// returns a cancellation, which the scope that was cancelled catches."
func TestConnectTCPCancelled(t *testing.T) {
	confEachBackend(t, func(t *testing.T, ctx context.Context) error {
		ln, port, err := confListen(ctx, "127.0.0.1")
		if err != nil {
			return err
		}
		defer ln.Close()
		s := anyio.NewCancelScope()
		var connErr error
		err = s.Run(ctx, func(ctx context.Context) error {
			s.Cancel()
			var c *anyio.SocketStream
			c, connErr = anyio.ConnectTCP(ctx, "127.0.0.1", port)
			if c != nil {
				c.Close()
			}
			return connErr
		})
		if !errors.Is(connErr, context.Canceled) {
			t.Errorf("ConnectTCP with a cancelled ctx to a live listener: got %v, want context.Canceled", connErr)
		}
		if err != nil || !s.CancelledCaught() {
			t.Errorf("scope around the cancelled ConnectTCP: got %v (CancelledCaught %v), want nil (true)", err, s.CancelledCaught())
		}

		// A Receive waiting on a quiet connection is cut short too.
		return anyio.WithTaskGroup(ctx, func(ctx context.Context, tg *anyio.TaskGroup) error {
			tg.StartSoon(func(ctx context.Context) error {
				peer, err := ln.Accept(ctx)
				if err != nil {
					return err
				}
				defer peer.Close()
				_, err = confReadAll(ctx, peer)
				return err
			})
			c, err := anyio.ConnectTCP(ctx, "127.0.0.1", port)
			if err != nil {
				return err
			}
			defer c.Close()
			var recvErr error
			scope, err := anyio.MoveOnAfter(ctx, confTick, func(ctx context.Context) error {
				_, recvErr = c.Receive(ctx, 10)
				return recvErr
			})
			if err != nil || !scope.CancelledCaught() || !errors.Is(recvErr, context.DeadlineExceeded) {
				t.Errorf("Receive on a quiet connection under MoveOnAfter: got %v, scope %v (CancelledCaught %v), want context.DeadlineExceeded, nil (true)", recvErr, err, scope.CancelledCaught())
			}
			return c.SendEOF()
		})
	})
}

// LocalHost picks the local address of the attempt.
func TestConnectTCPLocalHost(t *testing.T) {
	confEachBackend(t, func(t *testing.T, ctx context.Context) error {
		ln, port, err := confListen(ctx, "127.0.0.1")
		if err != nil {
			return err
		}
		defer ln.Close()
		return anyio.WithTaskGroup(ctx, func(ctx context.Context, tg *anyio.TaskGroup) error {
			tg.StartSoon(func(ctx context.Context) error {
				s, err := ln.Accept(ctx)
				if err != nil {
					return err
				}
				return s.Close()
			})
			c, err := anyio.ConnectTCP(ctx, "127.0.0.1", port, anyio.LocalHost("127.0.0.1"))
			if err != nil {
				return fmt.Errorf("ConnectTCP with LocalHost(127.0.0.1): %w", err)
			}
			defer c.Close()
			local, err := confTCPAddr("LocalAddr()", c.LocalAddr())
			if err != nil {
				return err
			}
			if !local.IP.Equal(net.IPv4(127, 0, 0, 1)) {
				t.Errorf("LocalAddr() with LocalHost(127.0.0.1): got %v, want 127.0.0.1", local)
			}
			return nil
		})
	})
}

func TestConnectTCPIPv6(t *testing.T) {
	confEachBackend(t, func(t *testing.T, ctx context.Context) error {
		ln, port, err := confListen(ctx, "::1")
		if err != nil {
			return confSkip("cannot listen on ::1: %v", err)
		}
		defer ln.Close()
		return anyio.WithTaskGroup(ctx, func(ctx context.Context, tg *anyio.TaskGroup) error {
			tg.StartSoon(func(ctx context.Context) error {
				s, err := ln.Accept(ctx)
				if err != nil {
					return err
				}
				defer s.Close()
				return confEcho(ctx, s)
			})
			c, err := anyio.ConnectTCP(ctx, "::1", port)
			if err != nil {
				return fmt.Errorf("ConnectTCP(::1, %d): %w", port, err)
			}
			defer c.Close()
			got, err := confRoundTrip(ctx, c, []byte("over IPv6"))
			if err != nil || string(got) != "over IPv6" {
				t.Errorf("echo over ::1: got %q, %v", got, err)
			}
			remote, err := confTCPAddr("RemoteAddr()", c.RemoteAddr())
			if err != nil {
				return err
			}
			if !remote.IP.Equal(net.IPv6loopback) || remote.Port != port {
				t.Errorf("RemoteAddr(): got %v, want [::1]:%d", remote, port)
			}
			return nil
		})
	})
}

// confLocalhostFamilies returns the addresses "localhost" resolves to, in
// order, when the checks below can rely on them: both loopback addresses, and
// ::1 listenable. On std the system resolver says; a simulated backend's
// default network is taken to know the conventional dual-stack localhost,
// ::1 first (RFC 8305 puts IPv6 first), which its tests can rely on.
func confLocalhostFamilies(ctx context.Context) ([]netip.Addr, error) {
	v4addr, v6addr := netip.MustParseAddr("127.0.0.1"), netip.IPv6Loopback()
	order := []netip.Addr{v6addr, v4addr}
	if anyio.CurrentBackend(ctx) == anyio.BackendStd {
		addrs, err := net.DefaultResolver.LookupNetIP(ctx, "ip", "localhost")
		if err != nil {
			return nil, confSkip("cannot resolve localhost: %v", err)
		}
		order = nil
		for _, a := range addrs {
			if a = a.Unmap(); (a == v4addr || a == v6addr) && !slices.Contains(order, a) {
				order = append(order, a)
			}
		}
		if len(order) != 2 {
			return nil, confSkip("localhost resolves to %v, want both 127.0.0.1 and ::1", addrs)
		}
	}
	ln, _, err := confListen(ctx, "::1")
	if err != nil {
		return nil, confSkip("cannot listen on ::1: %v", err)
	}
	ln.Close()
	return order, nil
}

// confListenBoth listens on the same free port on 127.0.0.1 and ::1.
func confListenBoth(ctx context.Context) (v4, v6 *anyio.TCPListener, port int, err error) {
	for range 20 {
		v4, port, err = confListen(ctx, "127.0.0.1")
		if err != nil {
			return nil, nil, 0, err
		}
		v6, err = anyio.ListenTCP(ctx, "::1", port)
		if err == nil {
			return v4, v6, port, nil
		}
		v4.Close()
	}
	return nil, nil, 0, fmt.Errorf("no port free on both 127.0.0.1 and ::1: %w", err)
}

// Happy eyeballs on a real loopback, with no blackhole: ConnectTCP("localhost")
// tries the resolved addresses as RFC 8305 says. Exact timings are the
// simulator's to check.
func TestConnectTCPHappyEyeballs(t *testing.T) {
	t.Run("first address wins when it answers", func(t *testing.T) {
		confEachBackend(t, func(t *testing.T, ctx context.Context) error {
			order, err := confLocalhostFamilies(ctx)
			if err != nil {
				return err
			}
			v4, v6, port, err := confListenBoth(ctx)
			if err != nil {
				return err
			}
			defer confCloseAll(v4, v6)
			c, err := anyio.ConnectTCP(ctx, "localhost", port, anyio.HappyEyeballsDelay(confForever))
			if err != nil {
				return fmt.Errorf("ConnectTCP(localhost, %d): %w", port, err)
			}
			defer c.Close()
			remote, err := confTCPAddr("RemoteAddr()", c.RemoteAddr())
			if err != nil {
				return err
			}
			if got, _ := netip.AddrFromSlice(remote.IP); got.Unmap() != order[0] {
				t.Errorf("RemoteAddr() with both families listening and a long delay: got %v, want the first resolved address %v", remote, order[0])
			}
			// The other family was never tried.
			other := v4
			if order[0] == netip.MustParseAddr("127.0.0.1") {
				other = v6
			}
			scope, err := anyio.MoveOnAfter(ctx, 3*confTick, func(ctx context.Context) error {
				s, err := other.Accept(ctx)
				if err == nil {
					s.Close()
					t.Errorf("the second address got a connection although the first answered within the delay")
				}
				return err
			})
			if err != nil || !scope.CancelledCaught() {
				t.Errorf("Accept on the other family: got %v, want it to time out", err)
			}
			return nil
		})
	})
	for _, listening := range []string{"127.0.0.1", "::1"} {
		t.Run("only "+listening+" answers", func(t *testing.T) {
			confEachBackend(t, func(t *testing.T, ctx context.Context) error {
				if _, err := confLocalhostFamilies(ctx); err != nil {
					return err
				}
				v4, v6, port, err := confListenBoth(ctx)
				if err != nil {
					return err
				}
				ln, refusing := v4, v6
				if listening == "::1" {
					ln, refusing = v6, v4
				}
				refusing.Close()
				defer ln.Close()
				return anyio.WithTaskGroup(ctx, func(ctx context.Context, tg *anyio.TaskGroup) error {
					tg.StartSoon(func(ctx context.Context) error {
						s, err := ln.Accept(ctx)
						if err != nil {
							return err
						}
						return s.Close()
					})
					start := anyio.Now(ctx)
					c, err := anyio.ConnectTCP(ctx, "localhost", port, anyio.HappyEyeballsDelay(confForever))
					if err != nil {
						return fmt.Errorf("ConnectTCP(localhost, %d) with only %s listening: %w", port, listening, err)
					}
					defer c.Close()
					if elapsed := anyio.Now(ctx).Sub(start); elapsed >= confPrompt {
						t.Errorf("ConnectTCP took %v with a %v delay; want the next attempt to start as soon as the previous one fails", elapsed, confForever)
					}
					remote, err := confTCPAddr("RemoteAddr()", c.RemoteAddr())
					if err != nil {
						return err
					}
					if got, _ := netip.AddrFromSlice(remote.IP); got.Unmap() != netip.MustParseAddr(listening) {
						t.Errorf("RemoteAddr(): got %v, want %s", remote, listening)
					}
					return nil
				})
			})
		})
	}
	t.Run("all refuse", func(t *testing.T) {
		confEachBackend(t, func(t *testing.T, ctx context.Context) error {
			if _, err := confLocalhostFamilies(ctx); err != nil {
				return err
			}
			v4, v6, port, err := confListenBoth(ctx)
			if err != nil {
				return err
			}
			confCloseAll(v4, v6)
			start := anyio.Now(ctx)
			c, err := anyio.ConnectTCP(ctx, "localhost", port, anyio.HappyEyeballsDelay(confForever))
			if err == nil {
				c.Close()
				return fmt.Errorf("ConnectTCP(localhost, %d) with nothing listening: connected, want an error", port)
			}
			if elapsed := anyio.Now(ctx).Sub(start); elapsed >= confPrompt {
				t.Errorf("ConnectTCP took %v to fail with a %v delay; want each attempt to start as soon as the previous one fails", elapsed, confForever)
			}
			if !errors.Is(err, syscall.ECONNREFUSED) {
				t.Errorf("ConnectTCP with every attempt refused: got %v, want an error holding ECONNREFUSED", err)
			}
			for _, addr := range []string{fmt.Sprintf("127.0.0.1:%d", port), fmt.Sprintf("[::1]:%d", port)} {
				if !strings.Contains(err.Error(), addr) {
					t.Errorf("ConnectTCP with every attempt refused: error %q does not hold the attempt to %s", err, addr)
				}
			}
			return nil
		})
	})
	t.Run("losers are closed", func(t *testing.T) {
		confEachBackend(t, func(t *testing.T, ctx context.Context) error {
			if _, err := confLocalhostFamilies(ctx); err != nil {
				return err
			}
			v4, v6, port, err := confListenBoth(ctx)
			if err != nil {
				return err
			}
			defer confCloseAll(v4, v6)
			for round := range 5 {
				c, err := anyio.ConnectTCP(ctx, "localhost", port, anyio.HappyEyeballsDelay(time.Microsecond))
				if err != nil {
					return fmt.Errorf("ConnectTCP(localhost, %d) with both listening: %w", port, err)
				}
				winner := c.LocalAddr().String()
				var winners int
				for _, ln := range []*anyio.TCPListener{v4, v6} {
					// Everything this listener got: the winner, or a loser
					// that must already be closed.
					for {
						var s *anyio.SocketStream
						if _, err := anyio.MoveOnAfter(ctx, 5*confTick, func(ctx context.Context) error {
							var err error
							s, err = ln.Accept(ctx)
							return err
						}); err != nil {
							c.Close()
							return fmt.Errorf("Accept: %w", err)
						}
						if s == nil {
							break
						}
						if s.RemoteAddr().String() == winner {
							winners++
						} else if err := anyio.FailAfter(ctx, confPrompt, func(ctx context.Context) error {
							data, err := s.Receive(ctx, 10)
							if !errors.Is(err, anyio.ErrEndOfStream) && !errors.Is(err, anyio.ErrBrokenResource) {
								t.Errorf("round %d: Receive on the connection of a losing attempt: got %q, %v, want ErrEndOfStream (the loser's socket is closed)", round, data, err)
							}
							return nil
						}); err != nil {
							t.Errorf("round %d: the losing attempt's connection stayed open: %v", round, err)
						}
						s.Close()
					}
				}
				c.Close()
				if winners != 1 {
					t.Errorf("round %d: connections from the returned stream's address: got %d, want 1", round, winners)
				}
			}
			return nil
		})
	})
}

// Two Receives on one stream at once: the second gets ErrBusyResource, as
// in AnyIO, rather than cutting the first short.
func TestSocketStreamConcurrentReceiveIsBusy(t *testing.T) {
	confEachBackend(t, func(t *testing.T, ctx context.Context) error {
		l, err := anyio.ListenTCP(ctx, "127.0.0.1", 0)
		if err != nil {
			return err
		}
		defer l.Close()
		return anyio.WithTaskGroup(ctx, func(ctx context.Context, tg *anyio.TaskGroup) error {
			tg.StartSoon(func(ctx context.Context) error {
				s, err := l.Accept(ctx)
				if err != nil {
					return err
				}
				defer s.Close()
				_, err = s.Receive(ctx, 10)
				if !errors.Is(err, anyio.ErrEndOfStream) {
					return fmt.Errorf("server Receive: got %v, want ErrEndOfStream", err)
				}
				return nil
			})
			s, err := anyio.ConnectTCP(ctx, "127.0.0.1", l.Addr().(*net.TCPAddr).Port)
			if err != nil {
				return err
			}
			defer s.Close()
			first := anyio.NewCancelScope()
			tg.StartSoon(func(ctx context.Context) error {
				return first.Run(ctx, func(ctx context.Context) error {
					_, err := s.Receive(ctx, 10)
					if errors.Is(err, anyio.ErrEndOfStream) {
						// On std the server's close can reach the socket
						// before the cancellation interrupts the read.
						return nil
					}
					return err
				})
			})
			if err := anyio.Sleep(ctx, confTick); err != nil {
				return err
			}
			if _, err := s.Receive(ctx, 10); !errors.Is(err, anyio.ErrBusyResource) {
				t.Errorf("a second concurrent Receive: got %v, want ErrBusyResource", err)
			}
			first.Cancel()
			return s.SendEOF()
		})
	})
}

// confPair connects a client to a listener on 127.0.0.1 and returns both
// ends; the caller closes them.
func confPair(ctx context.Context) (client, server *anyio.SocketStream, err error) {
	ln, port, err := confListen(ctx, "127.0.0.1")
	if err != nil {
		return nil, nil, err
	}
	defer ln.Close()
	err = anyio.WithTaskGroup(ctx, func(ctx context.Context, tg *anyio.TaskGroup) error {
		tg.StartSoon(func(ctx context.Context) error {
			var err error
			server, err = ln.Accept(ctx)
			return err
		})
		var err error
		client, err = anyio.ConnectTCP(ctx, "127.0.0.1", port)
		return err
	})
	if err != nil {
		if client != nil {
			client.Close()
		}
		if server != nil {
			server.Close()
		}
		return nil, nil, err
	}
	return client, server, nil
}

// AnyIO TestTCPStream::test_receive_invalid_max_bytes: maxBytes below 1 is
// an error at once, not a wait.
func TestReceiveInvalidMaxBytes(t *testing.T) {
	confEachBackend(t, func(t *testing.T, ctx context.Context) error {
		c, s, err := confPair(ctx)
		if err != nil {
			return err
		}
		defer c.Close()
		defer s.Close()
		for _, n := range []int{0, -1} {
			data, err := c.Receive(ctx, n)
			if err == nil || confIsCancellation(err) || !strings.Contains(err.Error(), "maxBytes must be a positive integer") {
				t.Errorf("Receive(ctx, %d) = %q, %v; want an error at once saying maxBytes must be a positive integer", n, data, err)
			}
		}
		return nil
	})
}

// "Every Send is a scheduling point": sends to a peer that has closed fail
// soon, on every backend, because the peer's reset gets its turn.
func TestSendAfterPeerClosedFails(t *testing.T) {
	confEachBackend(t, func(t *testing.T, ctx context.Context) error {
		c, s, err := confPair(ctx)
		if err != nil {
			return err
		}
		defer c.Close()
		if err := s.Close(); err != nil {
			return err
		}
		for i := range 1000 {
			if err := c.Send(ctx, []byte("x")); err != nil {
				if !errors.Is(err, anyio.ErrBrokenResource) {
					t.Errorf("Send %d to a closed peer: %v, want ErrBrokenResource", i, err)
				}
				return nil
			}
			if anyio.CurrentBackend(ctx) == "std" {
				time.Sleep(time.Millisecond) // the OS's reset needs a moment
			}
		}
		t.Errorf("1000 Sends to a peer that closed all succeeded")
		return nil
	})
}

// AnyIO TestTCPStream::test_concurrent_send: the second Send on one stream
// gets ErrBusyResource, saying what the first is doing.
func TestConcurrentSendIsBusy(t *testing.T) {
	confEachBackend(t, func(t *testing.T, ctx context.Context) error {
		c, s, err := confPair(ctx)
		if err != nil {
			return err
		}
		defer c.Close()
		defer s.Close()
		return anyio.WithTaskGroup(ctx, func(ctx context.Context, tg *anyio.TaskGroup) error {
			big := make([]byte, 64<<20) // more than any socket buffer: the Send blocks
			tg.StartSoon(func(ctx context.Context) error {
				for {
					err := c.Send(ctx, big)
					if errors.Is(err, anyio.ErrBusyResource) {
						// On std this task may start while the loop
						// below has its own short Send under way: that
						// Send ends soon, so try again.
						if err := anyio.Sleep(ctx, confTick/100); err != nil {
							return nil
						}
						continue
					}
					if confIsCancellation(err) {
						return nil
					}
					return err
				}
			})
			busy := false
			for range 200 {
				if err := anyio.Sleep(ctx, confTick/10); err != nil {
					return err
				}
				if err := c.Send(ctx, []byte("foo")); err != nil {
					if !errors.Is(err, anyio.ErrBusyResource) || !strings.Contains(err.Error(), "already writing to") {
						t.Errorf("second concurrent Send = %v, want ErrBusyResource saying another task is already writing to it", err)
					}
					busy = true
					break
				}
			}
			if !busy {
				t.Errorf("a second Send while a 64 MiB Send was under way never got ErrBusyResource")
			}
			tg.CancelScope().Cancel()
			return nil
		})
	})
}

// "A handler's panic reaches Serve's caller as a panic with one *PanicError
// naming the handler's task, not wrapped twice."
func TestServeHandlerPanicIsOnePanicError(t *testing.T) {
	confEachBackend(t, func(t *testing.T, ctx context.Context) error {
		ln, port, err := confListen(ctx, "127.0.0.1")
		if err != nil {
			return err
		}
		defer ln.Close()
		var recovered any
		func() {
			defer func() { recovered = recover() }()
			_ = anyio.WithTaskGroup(ctx, func(ctx context.Context, tg *anyio.TaskGroup) error {
				tg.StartSoon(func(ctx context.Context) error {
					return ln.Serve(ctx, func(ctx context.Context, s *anyio.SocketStream) error { panic("handler boom") })
				}, anyio.Name("server"))
				c, err := anyio.ConnectTCP(ctx, "127.0.0.1", port)
				if err != nil {
					return err
				}
				defer c.Close()
				_, err = c.Receive(ctx, 10)
				return err
			})
		}()
		pe, ok := recovered.(*anyio.PanicError)
		if !ok {
			t.Errorf("recovered %#v, want a *PanicError", recovered)
			return nil
		}
		if _, twice := pe.Value.(*anyio.PanicError); twice || pe.Value != "handler boom" {
			t.Errorf("PanicError.Value = %#v, want the handler's own value, not another *PanicError", pe.Value)
		}
		return nil
	})
}

// "A handler's panic reaches Serve's caller as a panic with one *PanicError
// naming the handler's task": Serve itself ends at once, with no
// OnHandlerError and nothing else to stop it (before, on sim
// Serve went on accepting until the run deadlocked).
func TestServeHandlerPanicEndsServe(t *testing.T) {
	confEachBackend(t, func(t *testing.T, ctx context.Context) error {
		ln, port, err := confListen(ctx, "127.0.0.1")
		if err != nil {
			return err
		}
		defer ln.Close()
		var recovered any
		var took time.Duration
		err = anyio.WithTaskGroup(ctx, func(ctx context.Context, tg *anyio.TaskGroup) error {
			// The client connects, then waits for the server to close it.
			tg.StartSoon(func(ctx context.Context) error {
				c, err := anyio.ConnectTCP(ctx, "127.0.0.1", port)
				if err != nil {
					return err
				}
				defer c.Close()
				_, err = c.Receive(ctx, 10)
				if !errors.Is(err, anyio.ErrEndOfStream) && !errors.Is(err, anyio.ErrBrokenResource) {
					return fmt.Errorf("client's Receive: got %v, want the end of the stream", err)
				}
				return nil
			}, anyio.Name("client"))
			start := anyio.Now(ctx)
			return anyio.FailAfter(ctx, 2*confPrompt, func(ctx context.Context) error {
				defer func() { recovered, took = recover(), anyio.Now(ctx).Sub(start) }()
				return ln.Serve(ctx, func(ctx context.Context, s *anyio.SocketStream) error { panic("handler boom") })
			})
		})
		if err != nil {
			return fmt.Errorf("Serve whose handler panicked: %w (want a panic with a *PanicError)", err)
		}
		pe, ok := recovered.(*anyio.PanicError)
		if !ok {
			return fmt.Errorf("Serve whose handler panicked: recovered %#v, want a *PanicError", recovered)
		}
		if took >= confPrompt {
			t.Errorf("Serve whose handler panicked ended after %v, want at once (not only when its ctx was cancelled)", took)
		}
		if _, twice := pe.Value.(*anyio.PanicError); twice || pe.Value != "handler boom" {
			t.Errorf("PanicError.Value = %#v, want the handler's own value", pe.Value)
		}
		if !strings.HasPrefix(pe.Task, "handler for ") {
			t.Errorf("PanicError.Task = %q, want the handler's task", pe.Task)
		}
		return nil
	})
}

// AnyIO's TestTCPListener.test_close_from_other_task: a listener closed by
// another task while Serve waits in Accept makes Serve fail with
// ErrClosedResource, even when Serve's group is cancelled right after.
func TestTCPListenerCloseFromOtherTask(t *testing.T) {
	confEachBackend(t, func(t *testing.T, ctx context.Context) error {
		ln, _, err := confListen(ctx, "127.0.0.1")
		if err != nil {
			return err
		}
		err = anyio.WithTaskGroup(ctx, func(ctx context.Context, tg *anyio.TaskGroup) error {
			tg.StartSoon(func(ctx context.Context) error {
				return ln.Serve(ctx, func(ctx context.Context, s *anyio.SocketStream) error { return nil })
			}, anyio.Name("server"))
			if err := anyio.WaitAllTasksBlocked(ctx); err != nil {
				return err
			}
			if err := ln.Close(); err != nil {
				return err
			}
			tg.CancelScope().Cancel()
			return nil
		})
		if !errors.Is(err, anyio.ErrClosedResource) {
			t.Errorf("task group around a Serve whose listener was closed: got %v, want ErrClosedResource", err)
		}
		return nil
	})
}

// The converse of test_close_from_other_task: a Serve whose group was
// cancelled before its listener was closed ends with the cancellation,
// which the group catches, whichever of the two reached the accept first.
func TestTCPListenerCancelThenCloseIsACancellation(t *testing.T) {
	confEachBackend(t, func(t *testing.T, ctx context.Context) error {
		ln, _, err := confListen(ctx, "127.0.0.1")
		if err != nil {
			return err
		}
		err = anyio.WithTaskGroup(ctx, func(ctx context.Context, tg *anyio.TaskGroup) error {
			tg.StartSoon(func(ctx context.Context) error {
				return ln.Serve(ctx, func(ctx context.Context, s *anyio.SocketStream) error { return nil })
			}, anyio.Name("server"))
			if err := anyio.WaitAllTasksBlocked(ctx); err != nil {
				return err
			}
			tg.CancelScope().Cancel()
			return ln.Close()
		})
		if err != nil {
			t.Errorf("task group cancelled, then its Serve's listener closed: got %v, want nil", err)
		}
		return nil
	})
}

// A StapledStream of the sending half of one connection and the receiving
// half of another is one stream whose SendEOF is a close of the first.
func TestStapledStreamOverSockets(t *testing.T) {
	var _ anyio.ByteSendStream = (*anyio.SocketStream)(nil)
	var _ anyio.ByteReceiveStream = (*anyio.SocketStream)(nil)
	confEachBackend(t, func(t *testing.T, ctx context.Context) error {
		ln, port, err := confListen(ctx, "127.0.0.1")
		if err != nil {
			return err
		}
		defer ln.Close()
		accepted := make([]*anyio.SocketStream, 0, 2)
		defer func() {
			for _, s := range accepted {
				s.Close()
			}
		}()
		dialed := make([]*anyio.SocketStream, 0, 2)
		for range 2 {
			err := anyio.WithTaskGroup(ctx, func(ctx context.Context, tg *anyio.TaskGroup) error {
				tg.StartSoon(func(ctx context.Context) error {
					s, err := ln.Accept(ctx)
					if err != nil {
						return fmt.Errorf("Accept: %w", err)
					}
					accepted = append(accepted, s)
					return nil
				})
				c, err := anyio.ConnectTCP(ctx, "127.0.0.1", port)
				if err != nil {
					return fmt.Errorf("ConnectTCP(127.0.0.1, %d): %w", port, err)
				}
				dialed = append(dialed, c)
				return nil
			})
			if err != nil {
				return err
			}
		}
		stapled := anyio.NewStapledStream(dialed[0], dialed[1])
		defer stapled.Close()
		if err := stapled.Send(ctx, []byte("ping")); err != nil {
			return fmt.Errorf("Send: %w", err)
		}
		if got, err := accepted[0].Receive(ctx, 64); err != nil || string(got) != "ping" {
			t.Errorf("the first connection's peer received %q, %v; want \"ping\"", got, err)
		}
		if err := accepted[1].Send(ctx, []byte("pong")); err != nil {
			return fmt.Errorf("peer Send: %w", err)
		}
		if got, err := stapled.Receive(ctx, 64); err != nil || string(got) != "pong" {
			t.Errorf("Receive = %q, %v; want \"pong\" from the second connection", got, err)
		}
		if err := stapled.SendEOF(); err != nil {
			t.Errorf("SendEOF = %v", err)
		}
		if got, err := accepted[0].Receive(ctx, 64); !errors.Is(err, anyio.ErrEndOfStream) {
			t.Errorf("after SendEOF the first peer received %q, %v; want ErrEndOfStream", got, err)
		}
		return nil
	})
}

// AnyIO test_multi_listener, over two TCP listeners: a MultiListener
// serves the connections of each, and its handler sees each client's
// address.
func TestMultiListener(t *testing.T) {
	var _ anyio.Listener = (*anyio.TCPListener)(nil)
	confEachBackend(t, func(t *testing.T, ctx context.Context) error {
		var ls []anyio.Listener
		var ports []int
		for range 2 {
			ln, port, err := confListen(ctx, "127.0.0.1")
			if err != nil {
				return err
			}
			ls = append(ls, ln)
			ports = append(ports, port)
		}
		multi := anyio.NewMultiListener(ls...)
		defer multi.Close()
		seen, seenRx := anyio.NewMemoryObjectStream[string](0)
		defer seenRx.Close()
		return anyio.WithTaskGroup(ctx, func(ctx context.Context, tg *anyio.TaskGroup) error {
			tg.StartSoon(func(ctx context.Context) error {
				return multi.Serve(ctx, func(ctx context.Context, s *anyio.SocketStream) error {
					defer s.Close()
					return seen.Send(ctx, s.RemoteAddr().String())
				})
			})
			for _, port := range ports {
				c, err := anyio.ConnectTCP(ctx, "127.0.0.1", port)
				if err != nil {
					return fmt.Errorf("ConnectTCP(127.0.0.1, %d): %w", port, err)
				}
				got, err := seenRx.Receive(ctx)
				c.Close()
				if err != nil {
					return fmt.Errorf("waiting for the handler of port %d: %w", port, err)
				}
				if got != c.LocalAddr().String() {
					t.Errorf("the handler for port %d saw a client at %s, want %s", port, got, c.LocalAddr())
				}
			}
			tg.CancelScope().Cancel()
			return nil
		})
	})
}

// A MultiListener among NewMultiListener's arguments gives up its
// listeners to the new one; Close closes them all.
func TestMultiListenerFlattensAndCloses(t *testing.T) {
	confEachBackend(t, func(t *testing.T, ctx context.Context) error {
		var tcp []*anyio.TCPListener
		for range 3 {
			ln, _, err := confListen(ctx, "127.0.0.1")
			if err != nil {
				return err
			}
			defer ln.Close()
			tcp = append(tcp, ln)
		}
		inner := anyio.NewMultiListener(tcp[0], tcp[1])
		outer := anyio.NewMultiListener(inner, tcp[2])
		if n := len(inner.Listeners()); n != 0 {
			t.Errorf("the nested MultiListener still holds %d listeners, want 0", n)
		}
		got := outer.Listeners()
		if len(got) != 3 || got[0] != anyio.Listener(tcp[0]) || got[1] != anyio.Listener(tcp[1]) || got[2] != anyio.Listener(tcp[2]) {
			t.Errorf("the outer MultiListener holds %v, want the three TCP listeners in order", got)
		}
		if err := outer.Close(); err != nil {
			t.Errorf("Close = %v", err)
		}
		for i, ln := range tcp {
			if _, err := ln.Accept(ctx); !errors.Is(err, anyio.ErrClosedResource) {
				t.Errorf("Accept on listener %d after the MultiListener's Close = %v, want ErrClosedResource", i, err)
			}
		}
		return nil
	})
}

// A nil listener, typed or not, is refused when the MultiListener is made,
// not when it serves.
func TestNewMultiListenerRefusesNil(t *testing.T) {
	for _, l := range []anyio.Listener{nil, (*anyio.MultiListener)(nil)} {
		func() {
			defer func() {
				if r := recover(); r == nil || !strings.Contains(fmt.Sprint(r), "nil listener") {
					t.Errorf("NewMultiListener(%#v) recovered %v, want a panic naming the nil listener", l, r)
				}
			}()
			anyio.NewMultiListener(l)
		}()
	}
}
