package core

import (
	"context"
	"errors"
	"io"
	"net"
	"os"
	"sync"
	"time"
)

// NetConn returns a net.Conn view of the stream for code that wants one
// (bufio, encoding/json, crypto/tls, net/textproto): its Read and Write are
// Receive and Send under ctx.
func (s *SocketStream) NetConn(ctx context.Context) net.Conn {
	return &netConn{s: s, ctx: ctx}
}

// netConn is SocketStream.NetConn. Its deadlines are on the backend's clock
// (virtual on sim): an operation under a deadline runs in a cancel scope
// with that deadline, which SetReadDeadline and SetWriteDeadline move while
// it waits, as net.Conn allows.
type netConn struct {
	s   *SocketStream
	ctx context.Context

	mu    sync.Mutex // guards read and write
	read  netDeadline
	write netDeadline
}

// netDeadline is one direction's deadline and the scope of the operation
// under way in that direction, if it has one.
type netDeadline struct {
	at    time.Time
	scope *CancelScope
}

func (c *netConn) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	return c.do("read", &c.read, func(ctx context.Context) (int, error) {
		n, err := c.s.readGuarded(ctx, p)
		if err == ErrEndOfStream {
			return 0, io.EOF
		}
		return n, err
	})
}

func (c *netConn) Write(p []byte) (int, error) {
	return c.do("write", &c.write, func(ctx context.Context) (int, error) {
		return c.s.writeGuarded(ctx, p)
	})
}

// do runs op under c's ctx and the direction's deadline, and makes its
// errors a net.Conn's: os.ErrDeadlineExceeded when the deadline passed,
// net.ErrClosed after Close.
func (c *netConn) do(op string, d *netDeadline, f func(ctx context.Context) (int, error)) (int, error) {
	c.mu.Lock()
	at := d.at
	c.mu.Unlock()
	if at.IsZero() {
		n, err := f(c.ctx)
		return n, c.opError(op, err)
	}
	if !Now(c.ctx).Before(at) {
		return 0, c.opError(op, os.ErrDeadlineExceeded)
	}
	scope := NewCancelScope(Deadline(at))
	c.mu.Lock()
	d.scope = scope
	c.mu.Unlock()
	var n int
	var opErr error
	err := scope.Run(c.ctx, func(ctx context.Context) error {
		n, opErr = f(ctx)
		return opErr
	})
	c.mu.Lock()
	d.scope = nil
	c.mu.Unlock()
	if scope.CancelledCaught() {
		return n, c.opError(op, os.ErrDeadlineExceeded)
	}
	if err == nil {
		err = opErr
	}
	return n, c.opError(op, err)
}

// opError wraps err as the net package does, leaving io.EOF and a
// cancellation of the view's ctx as they are.
func (c *netConn) opError(op string, err error) error {
	switch {
	case err == nil || err == io.EOF:
		return err
	case c.ctx.Err() != nil && isCancellationOnly(err):
		return err
	case errors.Is(err, ErrClosedResource):
		err = net.ErrClosed
	}
	return &net.OpError{Op: op, Net: "tcp", Source: c.s.LocalAddr(), Addr: c.s.RemoteAddr(), Err: err}
}

func (c *netConn) Close() error         { return c.s.Close() }
func (c *netConn) LocalAddr() net.Addr  { return c.s.LocalAddr() }
func (c *netConn) RemoteAddr() net.Addr { return c.s.RemoteAddr() }

func (c *netConn) SetDeadline(t time.Time) error {
	c.SetReadDeadline(t)
	return c.SetWriteDeadline(t)
}

func (c *netConn) SetReadDeadline(t time.Time) error  { c.setDeadline(&c.read, t); return nil }
func (c *netConn) SetWriteDeadline(t time.Time) error { c.setDeadline(&c.write, t); return nil }

// noDeadline stands for "none" on a scope whose deadline cannot be cleared.
var noDeadline = time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC)

func (c *netConn) setDeadline(d *netDeadline, t time.Time) {
	c.mu.Lock()
	d.at = t
	scope := d.scope
	c.mu.Unlock()
	if scope != nil {
		if t.IsZero() {
			t = noDeadline
		}
		scope.SetDeadline(t) // moves the wait under way
	}
}

var _ net.Conn = (*netConn)(nil)
