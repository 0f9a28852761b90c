package core

import (
	"context"
	"fmt"
	"net"

	anyiort "github.com/anyiogen/anyiogen/runtime"
)

// UnixListener accepts connections on a Unix domain socket, as a
// TCPListener does on TCP.
type UnixListener struct {
	l *TCPListener // the accepting and serving are TCP's, over a Unix socket
}

// unixOf is the Unix sockets of ctx's backend, or an error that says the
// backend has none.
func unixOf(ctx context.Context) (anyiort.UnixNetwork, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if err := outsideTheRun(ctx, "a Unix socket"); err != nil {
		return nil, err
	}
	b := backendOf(ctx)
	u, ok := b.(anyiort.UnixNetwork)
	if !ok {
		return nil, fmt.Errorf("anyio: backend %q has no Unix sockets", b.Name())
	}
	return u, nil
}

// ConnectUnix connects to the Unix socket at path.
func ConnectUnix(ctx context.Context, path string) (*SocketStream, error) {
	u, err := unixOf(ctx)
	if err != nil {
		return nil, err
	}
	conn, err := u.DialUnix(ctx, path)
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, fmt.Errorf("anyio: connect to the Unix socket %s: %w", path, err)
	}
	return newSocketStream(conn), nil
}

// ListenUnix makes a Unix socket at path and listens on it.
func ListenUnix(ctx context.Context, path string) (*UnixListener, error) {
	u, err := unixOf(ctx)
	if err != nil {
		return nil, err
	}
	l, err := u.ListenUnix(ctx, path)
	if err != nil {
		return nil, fmt.Errorf("anyio: listen on the Unix socket %s: %w", path, err)
	}
	return &UnixListener{l: &TCPListener{l: l, accepting: NewResourceGuard("accepting connections from")}}, nil
}

// Accept waits for the next connection.
func (l *UnixListener) Accept(ctx context.Context) (*SocketStream, error) { return l.l.Accept(ctx) }

// Serve accepts connections until ctx is cancelled, as TCPListener.Serve.
func (l *UnixListener) Serve(ctx context.Context, handler func(ctx context.Context, s *SocketStream) error, opts ...ServeOption) error {
	return l.l.Serve(ctx, handler, opts...)
}

// Close stops listening and removes the socket.
func (l *UnixListener) Close() error { return l.l.Close() }

// Addr is the socket's address, a *net.UnixAddr.
func (l *UnixListener) Addr() net.Addr { return l.l.Addr() }
