package core

import (
	"context"
	"crypto/tls"
	"fmt"
	"net"

	anyiort "github.com/anyiogen/anyiogen/runtime"
)

// clientTLS runs a TLS handshake over conn. The backend's connection must
// expose a net.Conn, which the std backend's does.
func clientTLS(ctx context.Context, conn anyiort.Conn, host string, cfg *tls.Config) (anyiort.Conn, error) {
	nc, ok := conn.(interface{ NetConn() net.Conn })
	if !ok {
		conn.Close()
		return nil, fmt.Errorf("anyio: connect to %s: this backend's connections do not support TLS", host)
	}
	if cfg.ServerName == "" {
		cfg = cfg.Clone()
		cfg.ServerName = host
	}
	tc := tls.Client(nc.NetConn(), cfg)
	if err := tc.HandshakeContext(ctx); err != nil {
		conn.Close()
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, fmt.Errorf("anyio: connect to %s: TLS handshake: %w", host, err)
	}
	return &tlsConn{tc: tc}, nil
}

// tlsConn adapts a *tls.Conn to the backend contract; a cancelled ctx
// interrupts a read or write through the connection's deadline.
type tlsConn struct{ tc *tls.Conn }

func (c *tlsConn) Read(ctx context.Context, p []byte) (int, error) {
	return anyiort.Interruptible(ctx, c.tc.SetReadDeadline, func() (int, error) { return c.tc.Read(p) })
}

func (c *tlsConn) Write(ctx context.Context, p []byte) (int, error) {
	return anyiort.Interruptible(ctx, c.tc.SetWriteDeadline, func() (int, error) { return c.tc.Write(p) })
}

func (c *tlsConn) CloseWrite() error    { return c.tc.CloseWrite() }
func (c *tlsConn) Close() error         { return c.tc.Close() }
func (c *tlsConn) LocalAddr() net.Addr  { return c.tc.LocalAddr() }
func (c *tlsConn) RemoteAddr() net.Addr { return c.tc.RemoteAddr() }
