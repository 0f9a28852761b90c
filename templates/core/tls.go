package core

import (
	"context"
	"crypto/tls"
	"fmt"
	"net"
	"time"

	anyiort "github.com/anyiogen/anyiogen/runtime"
)

// clientTLS runs a TLS client handshake over conn. The backend's
// connection must expose a net.Conn, which both backends' do.
func clientTLS(ctx context.Context, conn anyiort.Conn, host string, cfg *tls.Config) (anyiort.Conn, error) {
	if cfg.ServerName == "" {
		cfg = cfg.Clone()
		cfg.ServerName = host
	}
	c, err := handshakeTLS(ctx, conn, func(raw net.Conn) *tls.Conn { return tls.Client(raw, cfg) })
	if err != nil && !anyiort.IsCancellation(err) {
		return nil, fmt.Errorf("anyio: connect to %s: %w", host, err)
	}
	return c, err
}

// serverTLS runs a TLS server handshake over conn, as clientTLS does the
// client's.
func serverTLS(ctx context.Context, conn anyiort.Conn, cfg *tls.Config) (anyiort.Conn, error) {
	remote := conn.RemoteAddr()
	c, err := handshakeTLS(ctx, conn, func(raw net.Conn) *tls.Conn { return tls.Server(raw, cfg) })
	if err != nil && !anyiort.IsCancellation(err) {
		return nil, fmt.Errorf("anyio: accept from %v: %w", remote, err)
	}
	return c, err
}

// handshakeTLS wraps conn's net.Conn with side and runs the handshake under
// ctx. On failure conn is closed.
func handshakeTLS(ctx context.Context, conn anyiort.Conn, side func(net.Conn) *tls.Conn) (anyiort.Conn, error) {
	nc, ok := conn.(interface{ NetConn() net.Conn })
	if !ok {
		conn.Close()
		return nil, fmt.Errorf("this backend's connections do not support TLS")
	}
	raw := nc.NetConn()
	tc := side(raw)
	c := &tlsConn{tc: tc}
	c.bind, _ = raw.(contextBinder)
	if _, err := c.do(ctx, tc.SetDeadline, func() (int, error) { return 0, c.handshake(ctx) }); err != nil {
		conn.Close()
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, fmt.Errorf("TLS handshake: %w", err)
	}
	return c, nil
}

// contextBinder is a net.Conn whose blocking calls can take a context
// instead of deadlines: a simulated backend's, which must learn of a
// cancellation through the context to stay deterministic.
type contextBinder interface {
	BindContext(ctx context.Context) (restore func())
}

// tlsConn adapts a *tls.Conn to the backend contract. A cancelled ctx
// interrupts a read or write through the connection's context when it
// takes one, else through its deadline.
type tlsConn struct {
	tc   *tls.Conn
	bind contextBinder // nil: interrupt through deadlines
}

func (c *tlsConn) handshake(ctx context.Context) error {
	if c.bind != nil {
		return c.tc.Handshake() // ctx reaches the reads through the binding
	}
	return c.tc.HandshakeContext(ctx)
}

// do runs op, cut short when ctx is cancelled.
func (c *tlsConn) do(ctx context.Context, setDeadline func(time.Time) error, op func() (int, error)) (int, error) {
	if c.bind == nil {
		return anyiort.Interruptible(ctx, setDeadline, op)
	}
	restore := c.bind.BindContext(ctx)
	defer restore()
	n, err := op()
	if err != nil && ctx.Err() != nil {
		return n, ctx.Err()
	}
	return n, err
}

func (c *tlsConn) Read(ctx context.Context, p []byte) (int, error) {
	return c.do(ctx, c.tc.SetReadDeadline, func() (int, error) { return c.tc.Read(p) })
}

func (c *tlsConn) Write(ctx context.Context, p []byte) (int, error) {
	return c.do(ctx, c.tc.SetWriteDeadline, func() (int, error) { return c.tc.Write(p) })
}

func (c *tlsConn) CloseWrite() error    { return c.tc.CloseWrite() }
func (c *tlsConn) Close() error         { return c.tc.Close() }
func (c *tlsConn) LocalAddr() net.Addr  { return c.tc.LocalAddr() }
func (c *tlsConn) RemoteAddr() net.Addr { return c.tc.RemoteAddr() }

// connectionState is the TLS state of a connection; false when it is not
// TLS.
func connectionState(conn anyiort.Conn) (tls.ConnectionState, bool) {
	if c, ok := conn.(*tlsConn); ok {
		return c.tc.ConnectionState(), true
	}
	return tls.ConnectionState{}, false
}
