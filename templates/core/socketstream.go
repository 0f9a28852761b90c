package core

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"sync/atomic"

	anyiort "github.com/anyiogen/anyiogen/runtime"
)

// SocketStream is a connected TCP byte stream.
type SocketStream struct {
	conn   anyiort.Conn
	closed atomic.Bool
	// One Send and one Receive at a time: a cancelled call interrupts the
	// socket through its deadline, which would cut a concurrent one short.
	sending, receiving *ResourceGuard
}

func newSocketStream(conn anyiort.Conn) *SocketStream {
	return &SocketStream{conn: conn, sending: NewResourceGuard("writing to"), receiving: NewResourceGuard("reading from")}
}

// Send writes all of data.
func (s *SocketStream) Send(ctx context.Context, data []byte) error {
	if s.closed.Load() {
		return ErrClosedResource
	}
	exit, err := s.sending.Enter()
	if err != nil {
		return err
	}
	defer exit()
	// Every Send is a scheduling point, as in AnyIO: on a simulated
	// backend, a peer's reset or another task gets its turn here.
	if err := schedulingPoint(ctx); err != nil {
		return err
	}
	_, err = s.conn.Write(ctx, data)
	return s.mapErr(ctx, err)
}

// Receive reads at most maxBytes bytes, at least one.
func (s *SocketStream) Receive(ctx context.Context, maxBytes int) ([]byte, error) {
	if maxBytes < 1 {
		return nil, fmt.Errorf("anyio: SocketStream.Receive: maxBytes must be a positive integer, got %d", maxBytes)
	}
	if s.closed.Load() {
		return nil, ErrClosedResource
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	exit, err := s.receiving.Enter()
	if err != nil {
		return nil, err
	}
	defer exit()
	buf := make([]byte, maxBytes)
	n, err := s.conn.Read(ctx, buf)
	if n > 0 {
		return buf[:n], nil // an error comes again on the next call
	}
	if errors.Is(err, io.EOF) {
		return nil, ErrEndOfStream
	}
	if err == nil {
		return nil, ErrEndOfStream
	}
	return nil, s.mapErr(ctx, err)
}

// mapErr turns a backend error into the portable ones. A call that its ctx
// cut short returns the cancellation, whatever else happened meanwhile.
func (s *SocketStream) mapErr(ctx context.Context, err error) error {
	switch {
	case err == nil || anyiort.IsCancellation(err):
		return err
	case ctx.Err() != nil:
		return ctx.Err()
	case s.closed.Load() || errors.Is(err, net.ErrClosed):
		return ErrClosedResource
	}
	return fmt.Errorf("%w: %w", ErrBrokenResource, err)
}

// SendEOF tells the peer that nothing more will be sent.
func (s *SocketStream) SendEOF() error {
	if s.closed.Load() {
		return ErrClosedResource
	}
	return s.mapErr(context.Background(), s.conn.CloseWrite())
}

// Close closes the stream; closing it again does nothing.
func (s *SocketStream) Close() error {
	if s.closed.Swap(true) {
		return nil
	}
	return s.conn.Close()
}

// LocalAddr is the local address, a *net.TCPAddr.
func (s *SocketStream) LocalAddr() net.Addr { return s.conn.LocalAddr() }

// RemoteAddr is the peer's address, a *net.TCPAddr.
func (s *SocketStream) RemoteAddr() net.Addr { return s.conn.RemoteAddr() }
