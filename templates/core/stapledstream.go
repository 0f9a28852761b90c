package core

import (
	"context"
	"errors"
	"fmt"
)

// ByteSendStream is what sends bytes: a SocketStream, a BufferedByteStream,
// or a user's own type. Close is idempotent; Send after Close fails with
// ErrClosedResource.
type ByteSendStream interface {
	Send(ctx context.Context, data []byte) error
	Close() error
}

// ByteReceiveStream is what receives bytes: at most maxBytes per call, and
// ErrEndOfStream once the peer has sent EOF.
type ByteReceiveStream interface {
	Receive(ctx context.Context, maxBytes int) ([]byte, error)
	Close() error
}

// StapledStream joins a send stream and a receive stream into one
// bidirectional byte stream, as AnyIO's StapledByteStream: a process's stdin
// and stdout, say, or two one-way pipes in a test.
type StapledStream struct {
	send ByteSendStream
	recv ByteReceiveStream
}

// NewStapledStream staples send and recv together. Neither may be nil.
func NewStapledStream(send ByteSendStream, recv ByteReceiveStream) *StapledStream {
	if send == nil || recv == nil {
		panic("anyio: NewStapledStream: the send and receive streams must not be nil")
	}
	return &StapledStream{send: send, recv: recv}
}

// Send sends data on the send stream.
func (s *StapledStream) Send(ctx context.Context, data []byte) error {
	return s.send.Send(ctx, data)
}

// Receive receives at most maxBytes from the receive stream. A maxBytes
// below 1 is an error at once, before the receive stream is touched.
func (s *StapledStream) Receive(ctx context.Context, maxBytes int) ([]byte, error) {
	if maxBytes < 1 {
		return nil, fmt.Errorf("anyio: StapledStream.Receive: maxBytes must be a positive integer, got %d", maxBytes)
	}
	return s.recv.Receive(ctx, maxBytes)
}

// SendEOF closes the send stream, which is how a one-way stream says it
// has no more to send; receiving goes on.
func (s *StapledStream) SendEOF() error {
	return s.send.Close()
}

// Close closes the send stream, then the receive stream, and reports what
// either returned.
func (s *StapledStream) Close() error {
	return errors.Join(s.send.Close(), s.recv.Close())
}

// SendStream is the stream Send writes to.
func (s *StapledStream) SendStream() ByteSendStream { return s.send }

// ReceiveStream is the stream Receive reads from.
func (s *StapledStream) ReceiveStream() ByteReceiveStream { return s.recv }
