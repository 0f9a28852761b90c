package sim

import (
	"context"
	"net"
	"os"
	"sync"
	"time"
)

// NetConn exposes the connection as a net.Conn, so that crypto/tls can run
// over it (ConnectTCP's TLS option). Its reads and writes block the calling
// task through the simulator like any other. Deadlines are on the wall
// clock, which a simulated run does not follow, so only what portable code
// uses them for is supported: a deadline in the past interrupts the read or
// write under way and fails later ones, and the zero time clears it; a
// deadline in the future is ignored.
func (c *simConn) NetConn() net.Conn { return &simNetConn{c: c} }

type simNetConn struct {
	c *simConn

	mu    sync.Mutex // guards the fields below
	ctx   context.Context
	read  simDeadline
	write simDeadline
}

// BindContext makes ctx the context of the reads and writes made until
// restore is called, so that crypto/tls's calls are cancelled through the
// simulator like any other, at a deterministic moment, rather than through
// deadlines set from another goroutine.
func (a *simNetConn) BindContext(ctx context.Context) (restore func()) {
	a.mu.Lock()
	old := a.ctx
	a.ctx = ctx
	a.mu.Unlock()
	return func() {
		a.mu.Lock()
		a.ctx = old
		a.mu.Unlock()
	}
}

// simDeadline is one direction's interruption state.
type simDeadline struct {
	past   bool               // a deadline in the past is set
	cancel context.CancelFunc // interrupts the operation under way
}

func (a *simNetConn) Read(p []byte) (int, error) {
	return a.do(&a.read, func(ctx context.Context) (int, error) { return a.c.Read(ctx, p) })
}

func (a *simNetConn) Write(p []byte) (int, error) {
	return a.do(&a.write, func(ctx context.Context) (int, error) { return a.c.Write(ctx, p) })
}

// do runs op with a context that a past deadline cancels.
func (a *simNetConn) do(d *simDeadline, op func(ctx context.Context) (int, error)) (int, error) {
	a.mu.Lock()
	if d.past {
		a.mu.Unlock()
		return 0, os.ErrDeadlineExceeded
	}
	if bound := a.ctx; bound != nil {
		// The caller's context is the interruption: used as it is, a scope's
		// context wakes the task synchronously, deterministically.
		a.mu.Unlock()
		n, err := op(bound)
		if err != nil && bound.Err() != nil {
			err = os.ErrDeadlineExceeded // a timeout, which crypto/tls forgives
		}
		return n, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	d.cancel = cancel
	a.mu.Unlock()
	n, err := op(ctx)
	a.mu.Lock()
	d.cancel = nil
	a.mu.Unlock()
	cancel()
	if err != nil && ctx.Err() != nil {
		// A timeout, which crypto/tls does not hold against the connection.
		return n, os.ErrDeadlineExceeded
	}
	return n, err
}

func (a *simNetConn) setDeadline(d *simDeadline, t time.Time) {
	a.mu.Lock()
	defer a.mu.Unlock()
	d.past = !t.IsZero() && !t.After(time.Now())
	if d.past && d.cancel != nil {
		d.cancel()
	}
}

func (a *simNetConn) SetReadDeadline(t time.Time) error {
	a.setDeadline(&a.read, t)
	return nil
}

func (a *simNetConn) SetWriteDeadline(t time.Time) error {
	a.setDeadline(&a.write, t)
	return nil
}

func (a *simNetConn) SetDeadline(t time.Time) error {
	a.setDeadline(&a.read, t)
	a.setDeadline(&a.write, t)
	return nil
}

func (a *simNetConn) Close() error         { return a.c.Close() }
func (a *simNetConn) LocalAddr() net.Addr  { return a.c.LocalAddr() }
func (a *simNetConn) RemoteAddr() net.Addr { return a.c.RemoteAddr() }
