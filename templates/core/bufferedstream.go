package core

import (
	"bytes"
	"context"
	"fmt"
)

// BufferedByteStream wraps a SocketStream with a receive buffer, for
// protocols framed by length or by delimiter.
type BufferedByteStream struct {
	s         *SocketStream
	buf       []byte // received and not yet returned: buf[off:]
	off       int
	receiving *ResourceGuard
}

// NewBufferedByteStream wraps s.
func NewBufferedByteStream(s *SocketStream) *BufferedByteStream {
	return &BufferedByteStream{s: s, receiving: NewResourceGuard("reading from")}
}

func (b *BufferedByteStream) buffered() []byte { return b.buf[b.off:] }

// take removes and returns a copy of the first n buffered bytes.
func (b *BufferedByteStream) take(n int) []byte {
	out := append([]byte(nil), b.buf[b.off:b.off+n]...)
	b.skip(n)
	return out
}

func (b *BufferedByteStream) skip(n int) {
	b.off += n
	if b.off == len(b.buf) {
		b.buf, b.off = b.buf[:0], 0
	}
}

// fill reads at least one more byte into the buffer, at most max (at
// least 1).
func (b *BufferedByteStream) fill(ctx context.Context, max int) error {
	if b.off > 0 && b.off >= len(b.buf)/2 {
		n := copy(b.buf, b.buf[b.off:])
		b.buf, b.off = b.buf[:n], 0
	}
	if cap(b.buf)-len(b.buf) < max {
		grown := make([]byte, len(b.buf), len(b.buf)+max)
		copy(grown, b.buf)
		b.buf = grown
	}
	n, err := b.s.readGuarded(ctx, b.buf[len(b.buf):len(b.buf)+max])
	b.buf = b.buf[:len(b.buf)+n]
	return err
}

// Receive returns the buffered bytes, at most maxBytes, or, when nothing is
// buffered, what the stream receives.
func (b *BufferedByteStream) Receive(ctx context.Context, maxBytes int) ([]byte, error) {
	if maxBytes < 1 {
		return nil, fmt.Errorf("anyio: BufferedByteStream.Receive: maxBytes must be a positive integer, got %d", maxBytes)
	}
	exit, err := b.enter(ctx)
	if err != nil {
		return nil, err
	}
	defer exit()
	if n := len(b.buffered()); n > 0 {
		return b.take(min(n, maxBytes)), nil
	}
	return b.s.Receive(ctx, maxBytes)
}

// ReceiveExactly returns exactly n bytes; ErrIncompleteRead when the stream
// ends first (the bytes that came stay buffered).
func (b *BufferedByteStream) ReceiveExactly(ctx context.Context, n int) ([]byte, error) {
	if n < 0 {
		return nil, fmt.Errorf("anyio: BufferedByteStream.ReceiveExactly: n must not be negative, got %d", n)
	}
	exit, err := b.enter(ctx)
	if err != nil {
		return nil, err
	}
	defer exit()
	for len(b.buffered()) < n {
		if err := b.fill(ctx, n-len(b.buffered())); err != nil {
			return nil, incomplete(err)
		}
	}
	return b.take(n), nil
}

// ReceiveUntil returns the bytes before delim, consuming delim too.
// ErrDelimiterNotFound once maxBytes are buffered without it;
// ErrIncompleteRead when the stream ends first (what came stays buffered).
func (b *BufferedByteStream) ReceiveUntil(ctx context.Context, delim []byte, maxBytes int) ([]byte, error) {
	if len(delim) == 0 {
		return nil, fmt.Errorf("anyio: BufferedByteStream.ReceiveUntil: the delimiter is empty")
	}
	exit, err := b.enter(ctx)
	if err != nil {
		return nil, err
	}
	defer exit()
	offset := 0 // where the delimiter may start, as far as is known
	for {
		data := b.buffered()
		if i := bytes.Index(data[offset:], delim); i >= 0 {
			found := b.take(offset + i)
			b.skip(len(delim))
			return found, nil
		}
		if len(data) >= maxBytes {
			return nil, fmt.Errorf("%w: not within %d bytes", ErrDelimiterNotFound, maxBytes)
		}
		offset = max(len(data)-len(delim)+1, 0)
		if err := b.fill(ctx, scratchSize); err != nil {
			return nil, incomplete(err)
		}
	}
}

// incomplete turns the end of the stream into ErrIncompleteRead.
func incomplete(err error) error {
	if err == ErrEndOfStream {
		return ErrIncompleteRead
	}
	return err
}

// enter checks the stream and claims the receiving side.
func (b *BufferedByteStream) enter(ctx context.Context) (exit func(), err error) {
	if b.s.closed.Load() {
		return nil, ErrClosedResource
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return b.receiving.Enter()
}

// Send sends data on the wrapped stream.
func (b *BufferedByteStream) Send(ctx context.Context, data []byte) error { return b.s.Send(ctx, data) }

// SendEOF sends EOF on the wrapped stream.
func (b *BufferedByteStream) SendEOF() error { return b.s.SendEOF() }

// Close closes the wrapped stream.
func (b *BufferedByteStream) Close() error { return b.s.Close() }
