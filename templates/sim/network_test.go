package sim

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	anyiort "github.com/anyiogen/anyiogen/runtime"
)

var (
	simTestV4   = netip.MustParseAddr("127.0.0.1")
	simTestHole = netip.MustParseAddr("192.0.2.1")
)

// simTestNet is a network with a 10 ms latency and one blackholed address.
func simTestNet() *SimNetwork {
	n := NewSimNetwork()
	n.SetLatency(10 * time.Millisecond)
	n.AddHost("example.test", netip.MustParseAddr("2001:db8::1"), netip.MustParseAddr("192.0.2.7"))
	n.Blackhole(simTestHole)
	return n
}

// simListen listens on 127.0.0.1 at port 0 and returns the listener and its port.
func simListen(ctx context.Context, b *simBackend) (anyiort.Listener, netip.AddrPort, error) {
	l, err := b.ListenTCP(ctx, "127.0.0.1", 0)
	if err != nil {
		return nil, netip.AddrPort{}, err
	}
	return l, l.Addr().(*net.TCPAddr).AddrPort(), nil
}

func TestLookupHost(t *testing.T) {
	ctx := context.Background()
	err := simMustRun(t, func(b *simBackend) error {
		cases := []struct {
			host string
			want []string
		}{
			{"localhost", []string{"::1", "127.0.0.1"}},
			{"Example.Test.", []string{"2001:db8::1", "192.0.2.7"}},
			{"10.1.2.3", []string{"10.1.2.3"}},
			{"::1", []string{"::1"}},
		}
		for _, c := range cases {
			addrs, err := b.LookupHost(ctx, c.host)
			got := make([]string, len(addrs))
			for i, a := range addrs {
				got[i] = a.String()
			}
			if err != nil || !slices.Equal(got, c.want) {
				return fmt.Errorf("LookupHost(%q) = %v, %v; want %v", c.host, got, err, c.want)
			}
		}
		_, err := b.LookupHost(ctx, "nowhere.test")
		var dnsErr *net.DNSError
		if !errors.As(err, &dnsErr) || !dnsErr.IsNotFound || !strings.Contains(err.Error(), "nowhere.test") {
			return fmt.Errorf("LookupHost(unknown) = %v, want a not-found *net.DNSError naming the host", err)
		}
		if d := simElapsed(b); d != 0 {
			return fmt.Errorf("resolving took %v of virtual time", d)
		}
		return nil
	}, Network(simTestNet()))
	if err != nil {
		t.Fatal(err)
	}
}

func TestDialRefusedAfterRoundTrip(t *testing.T) {
	err := simMustRun(t, func(b *simBackend) error {
		_, err := b.DialTCP(context.Background(), netip.Addr{}, netip.AddrPortFrom(simTestV4, 80))
		if !errors.Is(err, syscall.ECONNREFUSED) {
			return fmt.Errorf("DialTCP to a closed port = %v, want ECONNREFUSED", err)
		}
		if d := simElapsed(b); d != 20*time.Millisecond {
			return fmt.Errorf("refused after %v, want 20ms (one round trip)", d)
		}
		return nil
	}, Network(simTestNet()))
	if err != nil {
		t.Fatal(err)
	}
}

func TestDialAcceptTiming(t *testing.T) {
	ctx := context.Background()
	err := simMustRun(t, func(b *simBackend) error {
		l, addr, err := simListen(ctx, b)
		if err != nil {
			return err
		}
		defer l.Close()
		if addr.Port() != simFirstPort {
			return fmt.Errorf("the first port 0 listener got port %d, want %d", addr.Port(), simFirstPort)
		}
		accepted := b.NewWaiter()
		var server anyiort.Conn
		var acceptedAt time.Duration
		b.Go("server", func() {
			server, err = l.Accept(ctx)
			acceptedAt = simElapsed(b)
			accepted.Wake()
		})
		client, err := b.DialTCP(ctx, netip.Addr{}, addr)
		if err != nil {
			return err
		}
		defer client.Close()
		if d := simElapsed(b); d != 20*time.Millisecond {
			return fmt.Errorf("DialTCP returned after %v, want 20ms", d)
		}
		if err := accepted.Wait(ctx, "accept"); err != nil {
			return err
		}
		if err != nil {
			return err
		}
		defer server.Close()
		if acceptedAt != 10*time.Millisecond {
			return fmt.Errorf("Accept returned after %v, want 10ms", acceptedAt)
		}
		local := client.LocalAddr().(*net.TCPAddr).AddrPort()
		if want := netip.AddrPortFrom(simTestV4, simFirstPort+1); local != want {
			return fmt.Errorf("client LocalAddr = %v, want %v", local, want)
		}
		if got := server.RemoteAddr().(*net.TCPAddr).AddrPort(); got != local {
			return fmt.Errorf("server RemoteAddr = %v, want the client's %v", got, local)
		}
		if got := server.LocalAddr().(*net.TCPAddr).AddrPort(); got != addr {
			return fmt.Errorf("server LocalAddr = %v, want %v", got, addr)
		}
		return nil
	}, Network(simTestNet()))
	if err != nil {
		t.Fatal(err)
	}
}

// simConnect returns both ends of a new connection on 127.0.0.1.
func simConnect(ctx context.Context, b *simBackend) (client, server anyiort.Conn, err error) {
	l, addr, err := simListen(ctx, b)
	if err != nil {
		return nil, nil, err
	}
	defer l.Close()
	client, err = b.DialTCP(ctx, netip.Addr{}, addr)
	if err != nil {
		return nil, nil, err
	}
	server, err = l.Accept(ctx)
	return client, server, err
}

func TestDataIntegrityAndEOF(t *testing.T) {
	ctx := context.Background()
	want := make([]byte, 1<<16)
	for i := range want {
		want[i] = byte(i * 7 % 251)
	}
	err := simMustRun(t, func(b *simBackend) error {
		client, server, err := simConnect(ctx, b)
		if err != nil {
			return err
		}
		defer client.Close()
		defer server.Close()
		b.Go("writer", func() {
			for rest, n := want, 1; len(rest) > 0; n = n*3%4093 + 1 {
				n = min(n, len(rest))
				client.Write(ctx, rest[:n])
				rest = rest[n:]
				b.Yield()
			}
			client.CloseWrite()
		})
		var got bytes.Buffer
		buf := make([]byte, 1000)
		for {
			n, err := server.Read(ctx, buf)
			got.Write(buf[:n])
			if err == io.EOF {
				break
			}
			if err != nil {
				return err
			}
		}
		if !bytes.Equal(got.Bytes(), want) {
			return fmt.Errorf("read %d bytes that differ from the %d written", got.Len(), len(want))
		}
		// The other direction is still open after the client's CloseWrite.
		if _, err := server.Write(ctx, []byte("reply")); err != nil {
			return fmt.Errorf("Write after the peer's CloseWrite = %v", err)
		}
		n, err := client.Read(ctx, buf)
		if string(buf[:n]) != "reply" || err != nil {
			return fmt.Errorf("client Read = %q, %v; want \"reply\"", buf[:n], err)
		}
		return nil
	}, Network(simTestNet()))
	if err != nil {
		t.Fatal(err)
	}
}

func TestDataArrivesAfterLatency(t *testing.T) {
	ctx := context.Background()
	err := simMustRun(t, func(b *simBackend) error {
		client, server, err := simConnect(ctx, b)
		if err != nil {
			return err
		}
		defer client.Close()
		defer server.Close()
		start := b.Now()
		client.Write(ctx, []byte("ping"))
		buf := make([]byte, 10)
		n, err := server.Read(ctx, buf)
		if err != nil || string(buf[:n]) != "ping" {
			return fmt.Errorf("Read = %q, %v", buf[:n], err)
		}
		if d := b.Now().Sub(start); d != 10*time.Millisecond {
			return fmt.Errorf("data arrived after %v, want 10ms", d)
		}
		return nil
	}, Network(simTestNet()))
	if err != nil {
		t.Fatal(err)
	}
}

func TestCloseSemantics(t *testing.T) {
	ctx := context.Background()
	err := simMustRun(t, func(b *simBackend) error {
		client, server, err := simConnect(ctx, b)
		if err != nil {
			return err
		}
		defer server.Close()
		client.Write(ctx, []byte("last words"))
		if err := client.Close(); err != nil {
			return err
		}
		start := b.Now()
		got, err := io.ReadAll(simReader{ctx, server})
		if string(got) != "last words" || err != nil {
			return fmt.Errorf("peer read %q, %v before EOF; want the data written before Close", got, err)
		}
		if d := b.Now().Sub(start); d != 10*time.Millisecond {
			return fmt.Errorf("peer saw EOF after %v, want 10ms", d)
		}
		if _, err := server.Write(ctx, []byte("x")); !errors.Is(err, syscall.EPIPE) && !errors.Is(err, syscall.ECONNRESET) {
			return fmt.Errorf("Write to a closed peer = %v, want EPIPE or ECONNRESET", err)
		}
		_, readErr := client.Read(ctx, make([]byte, 1))
		_, writeErr := client.Write(ctx, []byte("x"))
		for _, c := range []struct {
			op  string
			err error
		}{{"Read", readErr}, {"Write", writeErr}, {"CloseWrite", client.CloseWrite()}, {"Close", client.Close()}} {
			if !errors.Is(c.err, net.ErrClosed) {
				return fmt.Errorf("%s on a closed conn = %v, want net.ErrClosed", c.op, c.err)
			}
		}
		return nil
	}, Network(simTestNet()))
	if err != nil {
		t.Fatal(err)
	}
}

// simReader adapts a Conn to io.Reader for io.ReadAll.
type simReader struct {
	ctx context.Context
	c   anyiort.Conn
}

func (r simReader) Read(p []byte) (int, error) { return r.c.Read(r.ctx, p) }

func TestBlackholeUntilCancelled(t *testing.T) {
	scope := simNewTestScope()
	err := simMustRun(t, func(b *simBackend) error {
		b.AfterFunc(5*time.Second, scope.cancel)
		_, err := b.DialTCP(scope, netip.Addr{}, netip.AddrPortFrom(simTestHole, 443))
		if !errors.Is(err, context.Canceled) {
			return fmt.Errorf("DialTCP to a blackhole = %v, want context.Canceled", err)
		}
		if d := simElapsed(b); d != 5*time.Second {
			return fmt.Errorf("DialTCP returned after %v, want 5s (when cancelled)", d)
		}
		return nil
	}, Network(simTestNet()))
	if err != nil {
		t.Fatal(err)
	}
	err = simMustRun(t, func(b *simBackend) error {
		_, err := b.DialTCP(context.Background(), netip.Addr{}, netip.AddrPortFrom(simTestHole, 443))
		return err
	}, Network(simTestNet()))
	if !errors.Is(err, anyiort.ErrDeadlock) || !strings.Contains(err.Error(), "192.0.2.1:443, which is blackholed") {
		t.Fatalf("an uncancellable dial to a blackhole: Run = %v, want a deadlock naming it", err)
	}
}

func TestCancelledDialClosesServerSide(t *testing.T) {
	err := simMustRun(t, func(b *simBackend) error {
		ctx := context.Background()
		l, addr, err := simListen(ctx, b)
		if err != nil {
			return err
		}
		defer l.Close()
		scope := simNewTestScope()
		b.AfterFunc(15*time.Millisecond, scope.cancel) // after the SYN, before the SYN-ACK
		if _, err := b.DialTCP(scope, netip.Addr{}, addr); !errors.Is(err, context.Canceled) {
			return fmt.Errorf("DialTCP = %v, want context.Canceled", err)
		}
		server, err := l.Accept(ctx)
		if err != nil {
			return err
		}
		defer server.Close()
		if n, err := server.Read(ctx, make([]byte, 1)); n != 0 || err != io.EOF {
			return fmt.Errorf("server Read after the dialer gave up = %d, %v; want EOF", n, err)
		}
		return nil
	}, Network(simTestNet()))
	if err != nil {
		t.Fatal(err)
	}
}

func TestReadHonoursContext(t *testing.T) {
	err := simMustRun(t, func(b *simBackend) error {
		client, server, err := simConnect(context.Background(), b)
		if err != nil {
			return err
		}
		defer client.Close()
		defer server.Close()
		scope := simNewTestScope()
		start := b.Now()
		b.AfterFunc(time.Second, scope.cancel)
		if _, err := server.Read(scope, make([]byte, 1)); !errors.Is(err, context.Canceled) {
			return fmt.Errorf("Read = %v, want context.Canceled", err)
		}
		if d := b.Now().Sub(start); d != time.Second {
			return fmt.Errorf("Read returned after %v, want 1s", d)
		}
		return nil
	}, Network(simTestNet()))
	if err != nil {
		t.Fatal(err)
	}
}

func TestListenerClaims(t *testing.T) {
	ctx := context.Background()
	err := simMustRun(t, func(b *simBackend) error {
		l, err := b.ListenTCP(ctx, "", 8080)
		if err != nil {
			return err
		}
		if got := l.Addr().String(); got != "[::]:8080" {
			return fmt.Errorf("Addr() = %s, want [::]:8080", got)
		}
		for _, host := range []string{"", "0.0.0.0", "127.0.0.1", "localhost"} {
			if _, err := b.ListenTCP(ctx, host, 8080); !errors.Is(err, syscall.EADDRINUSE) {
				return fmt.Errorf("ListenTCP(%q, 8080) over a wildcard listener = %v, want EADDRINUSE", host, err)
			}
		}
		// A listener on every address accepts on any of them.
		for _, addr := range []string{"::1", "127.0.0.1", "192.0.2.7"} {
			c, err := b.DialTCP(ctx, netip.Addr{}, netip.AddrPortFrom(netip.MustParseAddr(addr), 8080))
			if err != nil {
				return fmt.Errorf("DialTCP(%s) to a wildcard listener = %v", addr, err)
			}
			c.Close()
		}
		if err := l.Close(); err != nil {
			return err
		}
		if err := l.Close(); !errors.Is(err, net.ErrClosed) {
			return fmt.Errorf("second Close = %v, want net.ErrClosed", err)
		}
		if _, err := l.Accept(ctx); !errors.Is(err, net.ErrClosed) {
			return fmt.Errorf("Accept on a closed listener = %v, want net.ErrClosed", err)
		}
		if _, err := b.DialTCP(ctx, netip.Addr{}, netip.AddrPortFrom(simTestV4, 8080)); !errors.Is(err, syscall.ECONNREFUSED) {
			return fmt.Errorf("DialTCP after the listener closed = %v, want ECONNREFUSED", err)
		}
		// The port is free again, and a name claims each of its addresses.
		l, err = b.ListenTCP(ctx, "localhost", 8080)
		if err != nil {
			return fmt.Errorf("ListenTCP after Close = %v", err)
		}
		defer l.Close()
		if got := l.Addr().String(); got != "[::1]:8080" {
			return fmt.Errorf("Addr() = %s, want [::1]:8080 (the name's first address)", got)
		}
		if _, err := b.ListenTCP(ctx, "127.0.0.1", 8080); !errors.Is(err, syscall.EADDRINUSE) {
			return fmt.Errorf("ListenTCP(127.0.0.1, 8080) beside localhost:8080 = %v, want EADDRINUSE", err)
		}
		return nil
	}, Network(simTestNet()))
	if err != nil {
		t.Fatal(err)
	}
}

func TestCloseWakesPendingAccept(t *testing.T) {
	ctx := context.Background()
	err := simMustRun(t, func(b *simBackend) error {
		l, _, err := simListen(ctx, b)
		if err != nil {
			return err
		}
		b.Go("closer", func() {
			simSleep(ctx, b, time.Second)
			l.Close()
		})
		if _, err := l.Accept(ctx); !errors.Is(err, net.ErrClosed) {
			return fmt.Errorf("pending Accept after Close = %v, want net.ErrClosed", err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestPortsAreDeterministic(t *testing.T) {
	ports := func() []string {
		var got []string
		err := simMustRun(t, func(b *simBackend) error {
			ctx := context.Background()
			l, addr, err := simListen(ctx, b)
			if err != nil {
				return err
			}
			defer l.Close()
			got = append(got, addr.String())
			done := b.NewWaiter()
			left := 3
			for range 3 {
				b.Go("client", func() {
					if c, err := b.DialTCP(ctx, netip.Addr{}, addr); err == nil {
						got = append(got, c.LocalAddr().String())
						c.Close()
					}
					if left--; left == 0 {
						done.Wake()
					}
				})
			}
			return done.Wait(ctx, "clients")
		}, Network(simTestNet()), Seed(7))
		if err != nil {
			t.Fatal(err)
		}
		return got
	}
	first := ports()
	if len(first) != 4 || first[0] != "127.0.0.1:49152" {
		t.Fatalf("ports = %v, want the listener on 127.0.0.1:49152 and three clients", first)
	}
	if again := ports(); !slices.Equal(again, first) {
		t.Fatalf("ports changed between identical runs: %v, then %v", first, again)
	}
}
