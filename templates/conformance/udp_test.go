package conformance

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"strings"
	"testing"

	anyio "github.com/anyiogen/anyiogen/generated/anyio"
)

// confUDPAddr is a UDP socket's bound address, unmapped.
func confUDPAddr(t *testing.T, addr net.Addr) netip.AddrPort {
	t.Helper()
	ua, ok := addr.(*net.UDPAddr)
	if !ok {
		t.Fatalf("LocalAddr() = %T, want *net.UDPAddr", addr)
	}
	ap := ua.AddrPort()
	return netip.AddrPortFrom(ap.Addr().Unmap(), ap.Port())
}

// AnyIO TestUDPSocket::test_send_receive: a socket sends to itself, and
// the sender's address comes back unmapped.
func TestUDPSocketSendReceive(t *testing.T) {
	confEachBackend(t, func(t *testing.T, ctx context.Context) error {
		sock, err := anyio.CreateUDPSocket(ctx, "127.0.0.1", 0)
		if err != nil {
			return err
		}
		defer sock.Close()
		self := confUDPAddr(t, sock.LocalAddr())
		if self.Port() == 0 || !self.Addr().Is4() {
			t.Errorf("LocalAddr = %v, want 127.0.0.1 with a port", self)
		}
		for _, msg := range []string{"blah", "halb", ""} {
			if err := sock.SendTo(ctx, []byte(msg), self); err != nil {
				return err
			}
			data, from, err := sock.Receive(ctx)
			if err != nil || string(data) != msg || from != self || data == nil {
				t.Errorf("Receive = %q (nil %v), %v, %v; want %q from %v (an empty datagram as an empty slice)", data, data == nil, from, err, msg, self)
			}
		}
		return nil
	})
}

// AnyIO TestUDPSocket::test_iterate: a server answers each datagram to its
// sender.
func TestUDPSocketIterate(t *testing.T) {
	confEachBackend(t, func(t *testing.T, ctx context.Context) error {
		server, err := anyio.CreateUDPSocket(ctx, "127.0.0.1", 0)
		if err != nil {
			return err
		}
		defer server.Close()
		client, err := anyio.CreateUDPSocket(ctx, "127.0.0.1", 0)
		if err != nil {
			return err
		}
		defer client.Close()
		serverAddr := confUDPAddr(t, server.LocalAddr())
		return anyio.WithTaskGroup(ctx, func(ctx context.Context, tg *anyio.TaskGroup) error {
			tg.StartSoon(func(ctx context.Context) error {
				for {
					data, from, err := server.Receive(ctx)
					if err != nil {
						return err
					}
					reversed := []byte(data)
					for i, j := 0, len(reversed)-1; i < j; i, j = i+1, j-1 {
						reversed[i], reversed[j] = reversed[j], reversed[i]
					}
					if err := server.SendTo(ctx, reversed, from); err != nil {
						return err
					}
				}
			})
			for in, want := range map[string]string{"FOOBAR": "RABOOF", "123456": "654321"} {
				if err := client.SendTo(ctx, []byte(in), serverAddr); err != nil {
					return err
				}
				data, from, err := client.Receive(ctx)
				if err != nil || string(data) != want || from != serverAddr {
					t.Errorf("reply to %q = %q from %v, %v; want %q from %v", in, data, from, err, want, serverAddr)
				}
			}
			tg.CancelScope().Cancel()
			return nil
		})
	})
}

// AnyIO TestUDPSocket::test_concurrent_receive.
func TestUDPSocketConcurrentReceive(t *testing.T) {
	confEachBackend(t, func(t *testing.T, ctx context.Context) error {
		sock, err := anyio.CreateUDPSocket(ctx, "127.0.0.1", 0)
		if err != nil {
			return err
		}
		defer sock.Close()
		return anyio.WithTaskGroup(ctx, func(ctx context.Context, tg *anyio.TaskGroup) error {
			tg.StartSoon(func(ctx context.Context) error {
				_, _, err := sock.Receive(ctx)
				return err
			})
			if err := anyio.WaitAllTasksBlocked(ctx); err != nil {
				return err
			}
			_, _, err := sock.Receive(ctx)
			if !errors.Is(err, anyio.ErrBusyResource) || !strings.Contains(err.Error(), "already reading from") {
				t.Errorf("a second concurrent Receive = %v, want ErrBusyResource saying another task is already reading from it", err)
			}
			tg.CancelScope().Cancel()
			return nil
		})
	})
}

// AnyIO TestUDPSocket::test_close_during_receive, test_receive_after_close
// and test_send_after_close.
func TestUDPSocketClose(t *testing.T) {
	confEachBackend(t, func(t *testing.T, ctx context.Context) error {
		sock, err := anyio.CreateUDPSocket(ctx, "127.0.0.1", 0)
		if err != nil {
			return err
		}
		self := confUDPAddr(t, sock.LocalAddr())
		err = anyio.WithTaskGroup(ctx, func(ctx context.Context, tg *anyio.TaskGroup) error {
			tg.StartSoon(func(ctx context.Context) error {
				if err := anyio.WaitAllTasksBlocked(ctx); err != nil {
					return err
				}
				return sock.Close()
			})
			if _, _, err := sock.Receive(ctx); !errors.Is(err, anyio.ErrClosedResource) {
				t.Errorf("a Receive waiting when the socket closed = %v, want ErrClosedResource", err)
			}
			return nil
		})
		if err != nil {
			return err
		}
		if _, _, err := sock.Receive(ctx); !errors.Is(err, anyio.ErrClosedResource) {
			t.Errorf("Receive after Close = %v, want ErrClosedResource", err)
		}
		if err := sock.SendTo(ctx, []byte("foo"), self); !errors.Is(err, anyio.ErrClosedResource) {
			t.Errorf("SendTo after Close = %v, want ErrClosedResource", err)
		}
		if err := sock.Close(); err != nil {
			t.Errorf("a second Close = %v, want nil", err)
		}
		return nil
	})
}

// AnyIO TestUDPSocket::test_create_unbound_socket: no host binds every
// address, on a free port.
func TestUDPSocketCreateUnbound(t *testing.T) {
	confEachBackend(t, func(t *testing.T, ctx context.Context) error {
		sock, err := anyio.CreateUDPSocket(ctx, "", 0)
		if err != nil {
			return err
		}
		defer sock.Close()
		if addr := confUDPAddr(t, sock.LocalAddr()); addr.Port() == 0 || !addr.Addr().IsUnspecified() {
			t.Errorf("LocalAddr of an unbound socket = %v, want an unspecified address with a port", addr)
		}
		return nil
	})
}

// AnyIO TestConnectedUDPSocket::test_send_receive: a connected socket talks
// to its peer, and the peer sees its address.
func TestConnectedUDPSocketSendReceive(t *testing.T) {
	confEachBackend(t, func(t *testing.T, ctx context.Context) error {
		udp1, err := anyio.CreateUDPSocket(ctx, "127.0.0.1", 0)
		if err != nil {
			return err
		}
		defer udp1.Close()
		addr1 := confUDPAddr(t, udp1.LocalAddr())
		udp2, err := anyio.CreateConnectedUDPSocket(ctx, "127.0.0.1", int(addr1.Port()), anyio.LocalHost("127.0.0.1"))
		if err != nil {
			return err
		}
		defer udp2.Close()
		addr2 := confUDPAddr(t, udp2.LocalAddr())
		if ra, ok := udp2.RemoteAddr().(*net.UDPAddr); !ok || ra.AddrPort() != addr1 {
			t.Errorf("RemoteAddr = %v, want the *net.UDPAddr %v", udp2.RemoteAddr(), addr1)
		}
		if err := udp2.Send(ctx, []byte("blah")); err != nil {
			return err
		}
		data, from, err := udp1.Receive(ctx)
		if err != nil || string(data) != "blah" || from != addr2 {
			t.Errorf("udp1.Receive = %q from %v, %v; want blah from %v", data, from, err, addr2)
		}
		// A stranger's datagram is not the peer's: it is dropped.
		stranger, err := anyio.CreateUDPSocket(ctx, "127.0.0.1", 0)
		if err != nil {
			return err
		}
		defer stranger.Close()
		if err := stranger.SendTo(ctx, []byte("noise"), addr2); err != nil {
			return err
		}
		if err := udp1.SendTo(ctx, []byte("halb"), addr2); err != nil {
			return err
		}
		if got, err := udp2.Receive(ctx); string(got) != "halb" || err != nil {
			t.Errorf("udp2.Receive = %q, %v; want halb", got, err)
		}
		return nil
	})
}

// A connected socket made with no local host is bound where its datagrams
// come from, as connect(2) binds one: its LocalAddr is the source its peer
// sees, not a wildcard.
func TestConnectedUDPSocketLocalAddrIsItsSource(t *testing.T) {
	confEachBackend(t, func(t *testing.T, ctx context.Context) error {
		for _, host := range []string{"127.0.0.1", "::1"} {
			server, err := anyio.CreateUDPSocket(ctx, host, 0)
			if err != nil {
				return err
			}
			defer server.Close()
			client, err := anyio.CreateConnectedUDPSocket(ctx, host, int(confUDPAddr(t, server.LocalAddr()).Port()))
			if err != nil {
				return err
			}
			defer client.Close()
			if err := client.Send(ctx, []byte("hello")); err != nil {
				return err
			}
			_, from, err := server.Receive(ctx)
			if err != nil {
				return err
			}
			if local := confUDPAddr(t, client.LocalAddr()); local != from {
				t.Errorf("connected to %s: LocalAddr = %v, but its datagram came from %v", host, local, from)
			}
		}
		return nil
	})
}

// AnyIO TestConnectedUDPSocket::test_close_during_receive and
// test_receive_after_close.
func TestConnectedUDPSocketClose(t *testing.T) {
	confEachBackend(t, func(t *testing.T, ctx context.Context) error {
		udp, err := anyio.CreateConnectedUDPSocket(ctx, "127.0.0.1", 9)
		if err != nil {
			return err
		}
		err = anyio.WithTaskGroup(ctx, func(ctx context.Context, tg *anyio.TaskGroup) error {
			tg.StartSoon(func(ctx context.Context) error {
				if err := anyio.WaitAllTasksBlocked(ctx); err != nil {
					return err
				}
				return udp.Close()
			})
			if _, err := udp.Receive(ctx); !errors.Is(err, anyio.ErrClosedResource) {
				t.Errorf("a Receive waiting when the socket closed = %v, want ErrClosedResource", err)
			}
			return nil
		})
		if _, err := udp.Receive(ctx); !errors.Is(err, anyio.ErrClosedResource) {
			t.Errorf("Receive after Close = %v, want ErrClosedResource", err)
		}
		if err := udp.Send(ctx, []byte("x")); !errors.Is(err, anyio.ErrClosedResource) {
			t.Errorf("Send after Close = %v, want ErrClosedResource", err)
		}
		return err
	})
}
