package conformance

import (
	"context"
	"errors"
	"strings"
	"testing"

	anyio "github.com/anyiogen/anyiogen/generated/anyio"
)

// confBytesReceiver is AnyIO's DummyByteReceiveStream: it hands out its
// bytes, then ErrEndOfStream, and ErrClosedResource once closed.
type confBytesReceiver struct {
	buf    []byte
	closed bool
}

func (r *confBytesReceiver) Receive(ctx context.Context, maxBytes int) ([]byte, error) {
	if r.closed {
		return nil, anyio.ErrClosedResource
	}
	if len(r.buf) == 0 {
		return nil, anyio.ErrEndOfStream
	}
	n := min(maxBytes, len(r.buf))
	data := r.buf[:n:n]
	r.buf = r.buf[n:]
	return data, nil
}

func (r *confBytesReceiver) Close() error { r.closed = true; return nil }

// confBytesSender is AnyIO's DummyByteSendStream: it keeps what it is sent
// and refuses to send once closed.
type confBytesSender struct {
	buf    []byte
	closed bool
}

func (s *confBytesSender) Send(ctx context.Context, data []byte) error {
	if s.closed {
		return anyio.ErrClosedResource
	}
	s.buf = append(s.buf, data...)
	return nil
}

func (s *confBytesSender) Close() error { s.closed = true; return nil }

// confStapled staples a fresh sender to a receiver holding "hello, world",
// as the fixtures of AnyIO's TestStapledByteStream.
func confStapled() (*anyio.StapledStream, *confBytesSender, *confBytesReceiver) {
	send, recv := &confBytesSender{}, &confBytesReceiver{buf: []byte("hello, world")}
	return anyio.NewStapledStream(send, recv), send, recv
}

// AnyIO TestStapledByteStream::test_receive_send: receives come from the
// receive stream, sends go to the send stream.
func TestStapledByteStreamReceiveSend(t *testing.T) {
	confEachBackend(t, func(t *testing.T, ctx context.Context) error {
		stapled, send, recv := confStapled()
		if got, err := stapled.Receive(ctx, 3); err != nil || string(got) != "hel" {
			t.Errorf("Receive(3) = %q, %v; want \"hel\"", got, err)
		}
		if got, err := stapled.Receive(ctx, 65536); err != nil || string(got) != "lo, world" {
			t.Errorf("second Receive = %q, %v; want \"lo, world\"", got, err)
		}
		if got, err := stapled.Receive(ctx, 65536); !errors.Is(err, anyio.ErrEndOfStream) {
			t.Errorf("Receive past the end = %q, %v; want ErrEndOfStream", got, err)
		}
		for _, part := range []string{"how are you ", "today?"} {
			if err := stapled.Send(ctx, []byte(part)); err != nil {
				t.Errorf("Send(%q) = %v", part, err)
			}
		}
		if stapled.SendStream() != anyio.ByteSendStream(send) || stapled.ReceiveStream() != anyio.ByteReceiveStream(recv) {
			t.Errorf("SendStream/ReceiveStream are not the streams it was stapled from")
		}
		if string(send.buf) != "how are you today?" {
			t.Errorf("the send stream holds %q, want \"how are you today?\"", send.buf)
		}
		return nil
	})
}

// AnyIO TestStapledByteStream::test_send_eof: SendEOF closes the send
// stream (twice is harmless) and leaves receiving alone.
func TestStapledByteStreamSendEOF(t *testing.T) {
	confEachBackend(t, func(t *testing.T, ctx context.Context) error {
		stapled, _, _ := confStapled()
		for i := range 2 {
			if err := stapled.SendEOF(); err != nil {
				t.Errorf("SendEOF #%d = %v", i+1, err)
			}
		}
		if err := stapled.Send(ctx, []byte("world")); !errors.Is(err, anyio.ErrClosedResource) {
			t.Errorf("Send after SendEOF = %v, want ErrClosedResource", err)
		}
		if got, err := stapled.Receive(ctx, 65536); err != nil || string(got) != "hello, world" {
			t.Errorf("Receive after SendEOF = %q, %v; want \"hello, world\"", got, err)
		}
		return nil
	})
}

// AnyIO TestStapledByteStream::test_aclose: Close closes both streams.
func TestStapledByteStreamAclose(t *testing.T) {
	confEachBackend(t, func(t *testing.T, ctx context.Context) error {
		stapled, _, _ := confStapled()
		if err := stapled.Close(); err != nil {
			t.Errorf("Close = %v", err)
		}
		if _, err := stapled.Receive(ctx, 65536); !errors.Is(err, anyio.ErrClosedResource) {
			t.Errorf("Receive after Close = %v, want ErrClosedResource", err)
		}
		if err := stapled.Send(ctx, nil); !errors.Is(err, anyio.ErrClosedResource) {
			t.Errorf("Send after Close = %v, want ErrClosedResource", err)
		}
		return nil
	})
}

// AnyIO TestStapledByteStream::test_receive_invalid_max_bytes: a maxBytes
// of 0 or -1 is refused, and the receive stream keeps its bytes.
func TestStapledByteStreamReceiveInvalidMaxBytes(t *testing.T) {
	confEachBackend(t, func(t *testing.T, ctx context.Context) error {
		for _, maxBytes := range []int{0, -1} {
			stapled, _, recv := confStapled()
			_, err := stapled.Receive(ctx, maxBytes)
			if err == nil || !strings.Contains(err.Error(), "maxBytes must be a positive integer") {
				t.Errorf("Receive(%d) = %v, want an error saying maxBytes must be a positive integer", maxBytes, err)
			}
			if string(recv.buf) != "hello, world" {
				t.Errorf("Receive(%d) took %q from the receive stream", maxBytes, "hello, world"[len(recv.buf):])
			}
		}
		return nil
	})
}

// A StapledStream of closers that fail reports both failures.
func TestStapledStreamCloseReportsBoth(t *testing.T) {
	errSend, errRecv := errors.New("send side"), errors.New("receive side")
	stapled := anyio.NewStapledStream(&confFailingCloser{confBytesSender{}, errSend}, &confFailingReceiver{confBytesReceiver{}, errRecv})
	if err := stapled.Close(); !errors.Is(err, errSend) || !errors.Is(err, errRecv) {
		t.Errorf("Close = %v, want both streams' errors", err)
	}
}

type confFailingCloser struct {
	confBytesSender
	err error
}

func (c *confFailingCloser) Close() error { return c.err }

type confFailingReceiver struct {
	confBytesReceiver
	err error
}

func (c *confFailingReceiver) Close() error { return c.err }
