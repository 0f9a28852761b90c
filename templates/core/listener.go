package core

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"sync/atomic"

	anyiort "github.com/anyiogen/anyiogen/runtime"
)

// TCPListener accepts TCP connections.
type TCPListener struct {
	l         anyiort.Listener
	accepting *ResourceGuard // one Accept at a time, as for SocketStream
	tls       *tls.Config    // nil: plain TCP
	// accepting's ctx is that of the Accept or Serve under way, if any;
	// closedFirst, that Close came while that ctx was still live, so that
	// the accept says ErrClosedResource even if the ctx's cancellation
	// reached it first, and a close after the cancellation does not.
	acceptCtx   atomic.Pointer[context.Context]
	closedFirst atomic.Bool
}

// ListenOption configures ListenTCP.
type ListenOption func(*listenConfig)

type listenConfig struct{ tls *tls.Config }

// ListenTLS makes the listener's streams TLS: Accept returns them with
// their handshake done.
func ListenTLS(cfg *tls.Config) ListenOption { return func(c *listenConfig) { c.tls = cfg } }

// ListenTCP listens on host and port; port 0 picks a free port.
func ListenTCP(ctx context.Context, host string, port int, opts ...ListenOption) (*TCPListener, error) {
	var cfg listenConfig
	for _, opt := range opts {
		opt(&cfg)
	}
	if port < 0 || port > 65535 {
		return nil, fmt.Errorf("anyio: listen on %s: port %d is not between 0 and 65535", host, port)
	}
	nw, err := networkOf(ctx)
	if err != nil {
		return nil, err
	}
	l, err := nw.ListenTCP(ctx, host, port)
	if err != nil {
		return nil, fmt.Errorf("anyio: listen on %s port %d: %w", host, port, err)
	}
	return &TCPListener{l: l, accepting: NewResourceGuard("accepting connections from"), tls: cfg.tls}, nil
}

// Accept waits for the next connection.
func (l *TCPListener) Accept(ctx context.Context) (*SocketStream, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	exit, err := l.enterAccepting(ctx)
	if err != nil {
		return nil, err
	}
	defer exit()
	for {
		conn, err := l.acceptConn(ctx)
		if err == nil && l.tls != nil {
			if conn, err = serverTLS(ctx, conn, l.tls); err != nil && !anyiort.IsCancellation(err) {
				continue // a client that fails its handshake is dropped, and the next one served
			}
		}
		if err != nil {
			return nil, err
		}
		return newSocketStream(conn), nil
	}
}

// enterAccepting takes the accept guard for an Accept or a Serve under
// ctx, which a Close then judges itself against.
func (l *TCPListener) enterAccepting(ctx context.Context) (exit func(), err error) {
	leave, err := l.accepting.Enter()
	if err != nil {
		return nil, err
	}
	l.acceptCtx.Store(&ctx)
	return func() {
		l.acceptCtx.Store(nil)
		leave()
	}, nil
}

// acceptConn accepts the next connection, its errors made portable.
func (l *TCPListener) acceptConn(ctx context.Context) (anyiort.Conn, error) {
	conn, err := l.l.Accept(ctx)
	switch {
	case err == nil:
		return conn, nil
	case l.closedFirst.Load():
		// Closed before the cancellation: the close is what ended it,
		// whichever reached the accept first (AnyIO's
		// test_close_from_other_task).
		return nil, ErrClosedResource
	case ctx.Err() != nil:
		return nil, ctx.Err() // cancelled before any close
	case anyiort.IsCancellation(err):
		return nil, err
	case errors.Is(err, net.ErrClosed):
		return nil, ErrClosedResource
	}
	return nil, fmt.Errorf("anyio: accept: %w", err)
}

// Addr is the listening address, a *net.TCPAddr.
func (l *TCPListener) Addr() net.Addr { return l.l.Addr() }

// Close stops listening.
func (l *TCPListener) Close() error {
	if ctx := l.acceptCtx.Load(); ctx != nil && (*ctx).Err() == nil {
		l.closedFirst.Store(true)
	}
	return l.l.Close()
}
