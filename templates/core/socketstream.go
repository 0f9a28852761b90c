package core

import (
	"context"
	"crypto/tls"
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
	scratch            []byte // Receive's read buffer; guarded by receiving
}

func newSocketStream(conn anyiort.Conn) *SocketStream {
	return &SocketStream{conn: conn, sending: NewResourceGuard("writing to"), receiving: NewResourceGuard("reading from")}
}

// Send writes all of data.
func (s *SocketStream) Send(ctx context.Context, data []byte) error {
	_, err := s.writeGuarded(ctx, data)
	return err
}

// writeGuarded sends data under the send guard and says how much of it went
// out, for NetConn, whose Write must report a short write exactly.
func (s *SocketStream) writeGuarded(ctx context.Context, data []byte) (int, error) {
	if s.closed.Load() {
		return 0, ErrClosedResource
	}
	exit, err := s.sending.Enter()
	if err != nil {
		return 0, err
	}
	defer exit()
	// Every Send is a scheduling point, as in AnyIO: on a simulated
	// backend, a peer's reset or another task gets its turn here.
	if err := schedulingPoint(ctx); err != nil {
		return 0, err
	}
	n, err := s.conn.Write(ctx, data)
	return n, s.mapErr(ctx, err)
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
	// Read into the stream's scratch buffer and return a copy of what came:
	// a Receive allocates only what it returns, not maxBytes.
	if cap(s.scratch) < min(maxBytes, scratchSize) {
		s.scratch = make([]byte, min(maxBytes, scratchSize))
	}
	n, err := s.read(ctx, s.scratch[:min(maxBytes, cap(s.scratch))])
	if err != nil {
		return nil, err
	}
	return append([]byte(nil), s.scratch[:n]...), nil
}

// scratchSize caps a stream's scratch buffer: a larger maxBytes reads at
// most this much at once, as AnyIO's default receive size.
const scratchSize = 65536

// read reads into p, at least one byte, with the receive guard held by
// the caller: ErrEndOfStream at EOF, portable errors otherwise.
func (s *SocketStream) read(ctx context.Context, p []byte) (int, error) {
	n, err := s.conn.Read(ctx, p)
	switch {
	case n > 0:
		return n, nil // an error comes again on the next call
	case err == nil || errors.Is(err, io.EOF):
		return 0, ErrEndOfStream
	}
	return 0, s.mapErr(ctx, err)
}

// mapErr turns a backend error into the portable ones. A call that its ctx
// cut short returns the cancellation, whatever else happened meanwhile.
func (s *SocketStream) mapErr(ctx context.Context, err error) error {
	return portableErr(ctx, s.closed.Load(), err)
}

// portableErr turns a socket's error into the portable ones: the call's
// cancellation if its ctx cut it short, whatever else happened meanwhile;
// ErrClosedResource once the handle (closed) or the socket was closed;
// otherwise ErrBrokenResource wrapping the cause.
func portableErr(ctx context.Context, closed bool, err error) error {
	switch {
	case err == nil || anyiort.IsCancellation(err):
		return err
	case ctx.Err() != nil:
		return ctx.Err()
	case closed || errors.Is(err, net.ErrClosed):
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

// ConnectionState is the stream's TLS state; false when it is not TLS.
func (s *SocketStream) ConnectionState() (tls.ConnectionState, bool) {
	return connectionState(s.conn)
}

// readGuarded reads into p with the receive guard, for a wrapper that keeps
// its own buffer.
func (s *SocketStream) readGuarded(ctx context.Context, p []byte) (int, error) {
	if s.closed.Load() {
		return 0, ErrClosedResource
	}
	exit, err := s.receiving.Enter()
	if err != nil {
		return 0, err
	}
	defer exit()
	return s.read(ctx, p)
}
