package core

import (
	"context"
	"errors"
	"io"
	"net"
	"os"
	"sync"
	"time"

	anyiort "github.com/anyiogen/anyiogen/runtime"
)

// NetConn returns a net.Conn view of the stream for code that wants one
// (bufio, encoding/json, crypto/tls, net/textproto): its Read and Write are
// Receive and Send under ctx.
func (s *SocketStream) NetConn(ctx context.Context) net.Conn {
	c := &netConn{s: s, ctx: ctx, adopter: adopterFor(ctx)}
	if c.adopter != nil {
		c.route = s.LocalAddr().String() + "->" + s.RemoteAddr().String()
	}
	return c
}

// netConn is SocketStream.NetConn. Calls of one direction take turns
// (netTurn). Its deadlines are on the backend's clock (virtual on sim): an
// operation under a deadline runs in a cancel scope with that deadline,
// which SetReadDeadline and SetWriteDeadline move while it waits; one that
// began without a deadline runs under the direction's own cancellable ctx,
// which a deadline set meanwhile cancels when it passes, as net.Conn
// allows.
type netConn struct {
	s       *SocketStream
	ctx     context.Context
	adopter anyiort.Adopter // nil unless the backend hosts library goroutines
	route   string          // "local->remote", which each call names to the adopter

	readTurn, writeTurn netTurn

	mu     sync.Mutex // guards read, write and closed
	read   netDeadline
	write  netDeadline
	closed bool
}

// netDeadline is one direction's deadline and the operation under way in
// that direction: its scope, when it began under a deadline, or else the
// direction's cancellable ctx, made at the first call and made again only
// after a deadline cut a call short.
type netDeadline struct {
	at    time.Time
	scope *CancelScope

	free     context.Context // the ctx of calls without a deadline
	cut      context.CancelFunc
	inFlight bool          // a call runs under free
	timer    anyiort.Timer // cuts it when a deadline set meanwhile passes
	expired  bool          // that deadline passed: free is spent
}

func (c *netConn) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	if err := c.enter("read from"); err != nil {
		return 0, c.opError("read", err)
	}
	if err := c.readTurn.take(c.ctx, "its turn to read from a net.Conn view"); err != nil {
		return 0, c.opError("read", err)
	}
	defer c.readTurn.give()
	return c.do("read", &c.read, func(ctx context.Context) (int, error) {
		n, err := c.s.readGuarded(ctx, p)
		if err == ErrEndOfStream {
			return 0, io.EOF
		}
		return n, err
	})
}

func (c *netConn) Write(p []byte) (int, error) {
	if err := c.enter("write to"); err != nil {
		return 0, c.opError("write", err)
	}
	if err := c.writeTurn.take(c.ctx, "its turn to write to a net.Conn view"); err != nil {
		return 0, c.opError("write", err)
	}
	defer c.writeTurn.give()
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
	if at.IsZero() {
		ctx := c.freeCtxLocked(d)
		c.mu.Unlock()
		n, err := f(ctx)
		c.mu.Lock()
		expired := d.endFreeLocked()
		if c.closed {
			d.releaseFreeLocked()
		}
		c.mu.Unlock()
		if expired && c.ctx.Err() == nil && err != nil {
			return n, c.opError(op, os.ErrDeadlineExceeded)
		}
		return n, c.opError(op, err)
	}
	c.mu.Unlock()
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

func (c *netConn) Close() error {
	err := c.enter("close of")
	if err == nil {
		err = c.s.Close()
	}
	c.mu.Lock()
	c.closed = true
	c.read.releaseFreeLocked()
	c.write.releaseFreeLocked()
	c.mu.Unlock()
	return err
}

// releaseFreeLocked lets go of the direction's cancellable ctx once the
// view is closed and no call runs under it: a ctx.WithCancel of a ctx the
// context package does not know holds a goroutine until it is cancelled.
func (d *netDeadline) releaseFreeLocked() {
	if d.cut != nil && !d.inFlight {
		d.cut()
		d.free, d.cut = nil, nil
	}
}

// enter lets the calling goroutine, which may be a library's, act in the
// run before it does what (Adopter.Enter), naming the connection, as
// "read from 10.0.0.2:49152->10.0.0.1:80".
func (c *netConn) enter(what string) error {
	if c.adopter == nil {
		return nil
	}
	return c.adopter.Enter(c.ctx, what+" "+c.route)
}

func (c *netConn) LocalAddr() net.Addr  { return c.s.LocalAddr() }
func (c *netConn) RemoteAddr() net.Addr { return c.s.RemoteAddr() }

func (c *netConn) SetDeadline(t time.Time) error {
	if c.unchanged(&c.read, t) && c.unchanged(&c.write, t) {
		return nil
	}
	if err := c.enter("SetDeadline of"); err != nil {
		return err
	}
	c.setDeadline(&c.read, t)
	c.setDeadline(&c.write, t)
	return nil
}

func (c *netConn) SetReadDeadline(t time.Time) error {
	return c.setOne("SetReadDeadline of", &c.read, t)
}

func (c *netConn) SetWriteDeadline(t time.Time) error {
	return c.setOne("SetWriteDeadline of", &c.write, t)
}

// setOne sets one direction's deadline, as a call into the run (what), unless
// it is t already.
func (c *netConn) setOne(what string, d *netDeadline, t time.Time) error {
	if c.unchanged(d, t) {
		return nil
	}
	if err := c.enter(what); err != nil {
		return err
	}
	c.setDeadline(d, t)
	return nil
}

// unchanged reports whether d's deadline is t already, so that setting it
// changes nothing (net/http clears its deadlines on every request).
func (c *netConn) unchanged(d *netDeadline, t time.Time) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return d.at.Equal(t)
}

// noDeadline stands for "none" on a scope whose deadline cannot be cleared.
var noDeadline = time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC)

func (c *netConn) setDeadline(d *netDeadline, t time.Time) {
	c.mu.Lock()
	d.at = t
	scope := d.scope
	if d.inFlight && !t.IsZero() {
		c.cutFreeAtLocked(d, t)
	}
	c.mu.Unlock()
	if scope != nil {
		if t.IsZero() {
			t = noDeadline
		}
		scope.SetDeadline(t) // moves the wait under way
	}
}

// freeCtxLocked is the ctx of a call of d without a deadline: made at the
// first such call, and again after a deadline cut one short.
func (c *netConn) freeCtxLocked(d *netDeadline) context.Context {
	if d.free == nil || d.expired {
		ctx, cut := context.WithCancel(c.ctx)
		d.free, d.cut = netFreeCtx{ctx}, cut
		d.expired = false
	}
	d.inFlight = true
	return d.free
}

// cutFreeAtLocked makes the call under way in d, which began without a
// deadline, end at t: now if t has passed, else by a timer on the
// backend's clock.
func (c *netConn) cutFreeAtLocked(d *netDeadline, t time.Time) {
	if d.timer != nil {
		d.timer.Stop()
		d.timer = nil
	}
	wait := t.Sub(Now(c.ctx))
	if wait <= 0 {
		d.expired = true
		d.cut()
		return
	}
	cut := d.cut
	d.timer = backendOf(c.ctx).AfterFunc(wait, func() {
		c.mu.Lock()
		d.expired = true
		c.mu.Unlock()
		cut()
	})
}

// netFreeCtx is the ctx of a call without a deadline: the view's ctx,
// which it follows (a cancel scope's cancellation reaches it at once,
// through AfterFunc), and which the view may cut short. It reports no
// deadline of its own: the view's scope keeps its deadline, on the
// backend's clock, where a simulated backend would take a context's
// deadline for the wall clock's.
type netFreeCtx struct{ context.Context }

func (netFreeCtx) Deadline() (time.Time, bool) { return time.Time{}, false }

// endFreeLocked ends a call without a deadline and reports whether a
// deadline set meanwhile cut it short.
func (d *netDeadline) endFreeLocked() bool {
	d.inFlight = false
	if d.timer != nil {
		d.timer.Stop()
		d.timer = nil
	}
	return d.expired
}

var _ net.Conn = (*netConn)(nil)
