package core

import (
	"context"
	"errors"
	"fmt"
	"net"

	anyiort "github.com/anyiogen/anyiogen/runtime"
)

// TCPListener accepts TCP connections.
type TCPListener struct {
	l         anyiort.Listener
	accepting *ResourceGuard // one Accept at a time, as for SocketStream
}

// ListenTCP listens on host and port; port 0 picks a free port.
func ListenTCP(ctx context.Context, host string, port int) (*TCPListener, error) {
	if port < 0 || port > 65535 {
		return nil, fmt.Errorf("anyio: listen on %s: port %d is not between 0 and 65535", host, port)
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	nw, err := networkOf(ctx)
	if err != nil {
		return nil, err
	}
	l, err := nw.ListenTCP(ctx, host, port)
	if err != nil {
		return nil, fmt.Errorf("anyio: listen on %s port %d: %w", host, port, err)
	}
	return &TCPListener{l: l, accepting: NewResourceGuard("accepting connections from")}, nil
}

// Accept waits for the next connection.
func (l *TCPListener) Accept(ctx context.Context) (*SocketStream, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	exit, err := l.accepting.Enter()
	if err != nil {
		return nil, err
	}
	defer exit()
	conn, err := l.l.Accept(ctx)
	switch {
	case err == nil:
		return newSocketStream(conn), nil
	case anyiort.IsCancellation(err):
		return nil, err
	case errors.Is(err, net.ErrClosed):
		return nil, ErrClosedResource
	}
	return nil, fmt.Errorf("anyio: accept: %w", err)
}

// Serve accepts until ctx is cancelled, each handler a task of its own.
func (l *TCPListener) Serve(ctx context.Context, handler func(ctx context.Context, s *SocketStream) error) error {
	return WithTaskGroup(ctx, func(ctx context.Context, tg *TaskGroup) error {
		for {
			s, err := l.Accept(ctx)
			if err != nil {
				return err
			}
			tg.StartSoon(func(ctx context.Context) error {
				defer s.Close()
				return handler(ctx, s)
			})
		}
	})
}

// Addr is the listening address, a *net.TCPAddr.
func (l *TCPListener) Addr() net.Addr { return l.l.Addr() }

// Close stops listening.
func (l *TCPListener) Close() error { return l.l.Close() }
