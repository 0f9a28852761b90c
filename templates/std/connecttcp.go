package std

import (
	"context"
	"net"
	"net/netip"
	"strconv"
	"time"

	anyiort "github.com/anyiogen/anyiogen/runtime"
)

func (stdBackend) LookupHost(ctx context.Context, host string) ([]netip.Addr, error) {
	if a, err := netip.ParseAddr(host); err == nil {
		return []netip.Addr{a}, nil
	}
	addrs, err := net.DefaultResolver.LookupNetIP(ctx, "ip", host)
	if err != nil && ctx.Err() != nil {
		return nil, ctx.Err()
	}
	return addrs, err
}

func (b stdBackend) DialTCP(ctx context.Context, local netip.Addr, remote netip.AddrPort) (anyiort.Conn, error) {
	var d net.Dialer
	if local.IsValid() {
		d.LocalAddr = net.TCPAddrFromAddrPort(netip.AddrPortFrom(local, 0))
	}
	c, err := d.DialContext(ctx, "tcp", remote.String())
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, err
	}
	return newStdConn(c.(*net.TCPConn), b.run), nil
}

func (b stdBackend) ListenTCP(ctx context.Context, host string, port int) (anyiort.Listener, error) {
	var lc net.ListenConfig
	l, err := lc.Listen(ctx, "tcp", net.JoinHostPort(host, strconv.Itoa(port)))
	if err != nil {
		return nil, err
	}
	return stdListener{l.(*net.TCPListener), b.run}, nil
}

// stdSocket is a connected stream socket of the OS: TCP, or Unix.
type stdSocket interface {
	net.Conn
	CloseWrite() error
}

// stdAcceptor is a listening socket of the OS: TCP, or Unix.
type stdAcceptor interface {
	Accept() (net.Conn, error)
	SetDeadline(t time.Time) error
	Close() error
	Addr() net.Addr
}

// stdConn is an OS socket; a cancelled ctx interrupts it through deadlines.
type stdConn struct {
	c      stdSocket
	run    *stdRun // counts a read as a blocked task, for WaitAllTasksBlocked
	rd, wr stdInterrupter
}

func newStdConn(c stdSocket, run *stdRun) *stdConn {
	sc := &stdConn{c: c, run: run}
	sc.rd.setDeadline = c.SetReadDeadline
	sc.wr.setDeadline = c.SetWriteDeadline
	return sc
}

func (c *stdConn) Read(ctx context.Context, p []byte) (int, error) {
	defer c.run.blockedIn()()
	return c.rd.do(ctx, func() (int, error) { return c.c.Read(p) })
}

func (c *stdConn) Write(ctx context.Context, p []byte) (int, error) {
	return c.wr.do(ctx, func() (int, error) { return c.c.Write(p) })
}

func (c *stdConn) CloseWrite() error { return c.c.CloseWrite() }

func (c *stdConn) Close() error {
	c.rd.close()
	c.wr.close()
	return c.c.Close()
}

func (c *stdConn) LocalAddr() net.Addr  { return c.c.LocalAddr() }
func (c *stdConn) RemoteAddr() net.Addr { return c.c.RemoteAddr() }

// NetConn exposes the socket, so that TLS can run over it.
func (c *stdConn) NetConn() net.Conn { return c.c }

type stdListener struct {
	l   stdAcceptor
	run *stdRun
}

func (l stdListener) Accept(ctx context.Context) (anyiort.Conn, error) {
	defer l.run.blockedIn()()
	var c net.Conn
	_, err := anyiort.Interruptible(ctx, l.l.SetDeadline, func() (int, error) {
		var err error
		c, err = l.l.Accept()
		return 0, err
	})
	if err != nil {
		return nil, err
	}
	return newStdConn(c.(stdSocket), l.run), nil
}

func (l stdListener) Close() error   { return l.l.Close() }
func (l stdListener) Addr() net.Addr { return l.l.Addr() }
