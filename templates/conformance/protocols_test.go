package conformance

import (
	"bufio"
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"net/textproto"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	anyio "github.com/anyiogen/anyiogen/generated/anyio"
)

// confTLS is confTLSConfigs for a test: a fresh self-signed certificate
// for localhost and 127.0.0.1, and a client config that trusts it and asks
// for localhost.
func confTLS(t *testing.T) (server, client *tls.Config) {
	t.Helper()
	server, client, err := confTLSConfigs()
	if err != nil {
		t.Fatal(err)
	}
	client.ServerName = "localhost"
	return server, client
}

// "LookupHost: the backend's resolver"; an IP literal resolves to itself.
func TestLookupHost(t *testing.T) {
	confEachBackend(t, func(t *testing.T, ctx context.Context) error {
		addrs, err := anyio.LookupHost(ctx, "localhost")
		if err != nil || len(addrs) == 0 {
			t.Errorf("LookupHost(localhost) = %v, %v; want addresses", addrs, err)
		}
		for _, a := range addrs {
			if !a.IsLoopback() || a.Is4In6() {
				t.Errorf("LookupHost(localhost) gave %v, want unmapped loopback addresses", a)
			}
		}
		addrs, err = anyio.LookupHost(ctx, "192.0.2.7")
		if err != nil || len(addrs) != 1 || addrs[0] != netip.MustParseAddr("192.0.2.7") {
			t.Errorf("LookupHost of an IP literal = %v, %v; want itself", addrs, err)
		}
		return nil
	})
}

// confTLSEcho listens with serverCfg, echoes one accepted stream (after
// check, if any, looks at it), and runs client against the port.
func confTLSEcho(ctx context.Context, serverCfg *tls.Config, check func(s *anyio.SocketStream), client func(ctx context.Context, port int) error) error {
	l, err := anyio.ListenTCP(ctx, "127.0.0.1", 0, anyio.ListenTLS(serverCfg))
	if err != nil {
		return err
	}
	defer l.Close()
	port := l.Addr().(*net.TCPAddr).Port
	return anyio.WithTaskGroup(ctx, func(ctx context.Context, tg *anyio.TaskGroup) error {
		tg.StartSoon(func(ctx context.Context) error {
			s, err := l.Accept(ctx)
			if err != nil {
				return err
			}
			defer s.Close()
			if check != nil {
				check(s)
			}
			return confEcho(ctx, s)
		})
		return client(ctx, port)
	})
}

// AnyIO tests/streams/test_tls.py test_send_receive and the connection
// state: a TLS listener's streams come with the handshake done, both ends
// report their TLS state, and a plain stream reports none.
func TestListenTLS(t *testing.T) {
	serverCfg, clientCfg := confTLS(t)
	confEachBackend(t, func(t *testing.T, ctx context.Context) error {
		checkServer := func(s *anyio.SocketStream) {
			if st, ok := s.ConnectionState(); !ok || !st.HandshakeComplete {
				t.Errorf("server end: ConnectionState = %+v, %v; want a complete handshake", st.HandshakeComplete, ok)
			}
		}
		return confTLSEcho(ctx, serverCfg, checkServer, func(ctx context.Context, port int) error {
			c, err := anyio.ConnectTCP(ctx, "127.0.0.1", port, anyio.TLS(clientCfg))
			if err != nil {
				return err
			}
			defer c.Close()
			if st, ok := c.ConnectionState(); !ok || !st.HandshakeComplete || st.ServerName != "localhost" {
				t.Errorf("client end: ConnectionState = complete %v, server name %q, %v", st.HandshakeComplete, st.ServerName, ok)
			}
			got, err := confRoundTrip(ctx, c, []byte("hello over tls"))
			if err != nil || string(got) != "hello over tls" {
				t.Errorf("echo over TLS = %q, %v", got, err)
			}
			plain, server, err := confPair(ctx)
			if err != nil {
				return err
			}
			defer plain.Close()
			defer server.Close()
			if _, ok := plain.ConnectionState(); ok {
				t.Errorf("a plain stream reports a TLS state")
			}
			return nil
		})
	})
}

// A client that fails its TLS handshake is dropped; the next one is served.
func TestListenTLSDropsBadClient(t *testing.T) {
	serverCfg, clientCfg := confTLS(t)
	confEachBackend(t, func(t *testing.T, ctx context.Context) error {
		l, err := anyio.ListenTCP(ctx, "127.0.0.1", 0, anyio.ListenTLS(serverCfg))
		if err != nil {
			return err
		}
		defer l.Close()
		port := l.Addr().(*net.TCPAddr).Port
		return anyio.WithTaskGroup(ctx, func(ctx context.Context, tg *anyio.TaskGroup) error {
			tg.StartSoon(func(ctx context.Context) error {
				return l.Serve(ctx, confEcho)
			})
			bad, err := anyio.ConnectTCP(ctx, "127.0.0.1", port) // speaks no TLS
			if err != nil {
				return err
			}
			if err := bad.Send(ctx, []byte("GET / HTTP/1.0\r\n\r\n")); err != nil {
				return err
			}
			good, err := anyio.ConnectTCP(ctx, "127.0.0.1", port, anyio.TLS(clientCfg))
			if err != nil {
				bad.Close()
				return err
			}
			got, err := confRoundTrip(ctx, good, []byte("still served"))
			if err != nil || string(got) != "still served" {
				t.Errorf("echo after a bad client = %q, %v", got, err)
			}
			bad.Close()
			good.Close()
			tg.CancelScope().Cancel()
			return nil
		})
	})
}

// "OnHandlerError: nil from f, the server goes on; an error: Serve stops
// and returns it."
func TestServeOnHandlerError(t *testing.T) {
	confEachBackend(t, func(t *testing.T, ctx context.Context) error {
		l, port, err := confListen(ctx, "127.0.0.1")
		if err != nil {
			return err
		}
		defer l.Close()
		var seen atomic.Int32
		handler := func(ctx context.Context, s *anyio.SocketStream) error {
			data, err := s.Receive(ctx, 100)
			if err != nil {
				return err
			}
			if string(data) == "fail" {
				return errConfBoom
			}
			return s.Send(ctx, data)
		}
		var serveErr error
		err = anyio.WithTaskGroup(ctx, func(ctx context.Context, tg *anyio.TaskGroup) error {
			tg.StartSoon(func(ctx context.Context) error {
				serveErr = l.Serve(ctx, handler, anyio.OnHandlerError(func(ctx context.Context, s *anyio.SocketStream, err error) error {
					if seen.Add(1) == 2 {
						return errConfLater // the second failure stops the server
					}
					if !errors.Is(err, errConfBoom) {
						t.Errorf("OnHandlerError got %v, want the handler's error", err)
					}
					return nil
				}))
				return nil
			})
			first, err := anyio.ConnectTCP(ctx, "127.0.0.1", port)
			if err != nil {
				return err
			}
			defer first.Close()
			if err := first.Send(ctx, []byte("fail")); err != nil {
				return err
			}
			if err := confWaitUntil(ctx, "the first failure was seen", func() bool { return seen.Load() == 1 }); err != nil {
				return err
			}
			second, err := anyio.ConnectTCP(ctx, "127.0.0.1", port)
			if err != nil {
				return err
			}
			defer second.Close()
			got, err := confRoundTrip(ctx, second, []byte("ok"))
			if err != nil || string(got) != "ok" {
				t.Errorf("after a handler failed, another client got %q, %v; want the server to go on", got, err)
			}
			third, err := anyio.ConnectTCP(ctx, "127.0.0.1", port)
			if err != nil {
				return err
			}
			defer third.Close()
			return third.Send(ctx, []byte("fail"))
		})
		if err != nil {
			return err
		}
		if serveErr != errConfLater {
			t.Errorf("Serve = %v, want the error OnHandlerError returned", serveErr)
		}
		return nil
	})
}

// "Drain(d): on cancellation, stop accepting, give running handlers d, then
// cancel them."
func TestServeDrain(t *testing.T) {
	for _, drain := range []bool{false, true} {
		name := "without drain"
		if drain {
			name = "with drain"
		}
		t.Run(name, func(t *testing.T) {
			confEachBackend(t, func(t *testing.T, ctx context.Context) error {
				l, port, err := confListen(ctx, "127.0.0.1")
				if err != nil {
					return err
				}
				defer l.Close()
				started := anyio.NewEvent()
				var opts []anyio.ServeOption
				if drain {
					opts = append(opts, anyio.Drain(confPrompt))
				}
				var reply []byte
				var replyErr error
				err = anyio.WithTaskGroup(ctx, func(ctx context.Context, tg *anyio.TaskGroup) error {
					serve := anyio.NewCancelScope()
					tg.StartSoon(func(ctx context.Context) error {
						return serve.Run(ctx, func(ctx context.Context) error {
							return l.Serve(ctx, func(ctx context.Context, s *anyio.SocketStream) error {
								started.Set()
								if err := anyio.Sleep(ctx, 3*confTick); err != nil {
									return err
								}
								return s.Send(ctx, []byte("done"))
							}, opts...)
						})
					})
					c, err := anyio.ConnectTCP(ctx, "127.0.0.1", port)
					if err != nil {
						return err
					}
					defer c.Close()
					if err := started.Wait(ctx); err != nil {
						return err
					}
					serve.Cancel()
					reply, replyErr = confReadAll(ctx, c)
					return nil
				})
				if err != nil {
					return err
				}
				if drain && (string(reply) != "done" || replyErr != nil) {
					t.Errorf("with Drain the running handler was cut short: got %q, %v", reply, replyErr)
				}
				if !drain && string(reply) == "done" {
					t.Errorf("without Drain the handler finished after Serve was cancelled")
				}
				return nil
			})
		})
	}
}

// "Drain(d) ... then cancel them": a handler that outlives d is cancelled.
func TestServeDrainCancelsAfterD(t *testing.T) {
	confEachBackend(t, func(t *testing.T, ctx context.Context) error {
		l, port, err := confListen(ctx, "127.0.0.1")
		if err != nil {
			return err
		}
		defer l.Close()
		started := anyio.NewEvent()
		var handlerErr atomic.Value
		return anyio.WithTaskGroup(ctx, func(ctx context.Context, tg *anyio.TaskGroup) error {
			serve := anyio.NewCancelScope()
			tg.StartSoon(func(ctx context.Context) error {
				return serve.Run(ctx, func(ctx context.Context) error {
					return l.Serve(ctx, func(ctx context.Context, s *anyio.SocketStream) error {
						started.Set()
						err := anyio.Sleep(ctx, confForever)
						handlerErr.Store(errors.Join(err))
						return err
					}, anyio.Drain(2*confTick))
				})
			})
			c, err := anyio.ConnectTCP(ctx, "127.0.0.1", port)
			if err != nil {
				return err
			}
			defer c.Close()
			if err := started.Wait(ctx); err != nil {
				return err
			}
			start := anyio.Now(ctx)
			serve.Cancel()
			if _, err := confReadAll(ctx, c); err != nil {
				return err
			}
			if err := confCheckElapsed("the drained handler's end", anyio.Now(ctx).Sub(start), 2*confTick); err != nil {
				t.Error(err)
			}
			if err, _ := handlerErr.Load().(error); !confIsCancellation(err) {
				t.Errorf("a handler past the drain: %v, want a cancellation", err)
			}
			return nil
		})
	})
}

// AnyIO tests/streams/test_buffered.py: receive_exactly, receive_until, and
// their incomplete variants, over a TCP stream.
func TestBufferedByteStream(t *testing.T) {
	confEachBackend(t, func(t *testing.T, ctx context.Context) error {
		c, s, err := confPair(ctx)
		if err != nil {
			return err
		}
		b := anyio.NewBufferedByteStream(c)
		defer b.Close()
		defer s.Close()
		if err := s.Send(ctx, []byte("abcd")); err != nil {
			return err
		}
		if err := s.Send(ctx, []byte("efgh")); err != nil {
			return err
		}
		if got, err := b.ReceiveExactly(ctx, 2); string(got) != "ab" || err != nil {
			t.Errorf("ReceiveExactly(2) = %q, %v; want ab", got, err)
		}
		if got, err := b.ReceiveUntil(ctx, []byte("de"), 10); string(got) != "c" || err != nil {
			t.Errorf("ReceiveUntil(de) = %q, %v; want c", got, err)
		}
		if got, err := b.ReceiveUntil(ctx, []byte("h"), 10); string(got) != "fg" || err != nil {
			t.Errorf("ReceiveUntil(h) = %q, %v; want fg", got, err)
		}
		if err := s.Send(ctx, []byte("xyz")); err != nil {
			return err
		}
		if _, err := b.ReceiveUntil(ctx, []byte("!"), 2); !errors.Is(err, anyio.ErrDelimiterNotFound) {
			t.Errorf("ReceiveUntil past maxBytes = %v, want ErrDelimiterNotFound", err)
		}
		if err := s.SendEOF(); err != nil {
			return err
		}
		if _, err := b.ReceiveUntil(ctx, []byte("!"), 10); !errors.Is(err, anyio.ErrIncompleteRead) {
			t.Errorf("ReceiveUntil at EOF = %v, want ErrIncompleteRead", err)
		}
		// What came before the end stays buffered (AnyIO test_receive_until_incomplete).
		if got, err := b.Receive(ctx, 100); string(got) != "xyz" || err != nil {
			t.Errorf("Receive after the incomplete read = %q, %v; want xyz", got, err)
		}
		if _, err := b.ReceiveExactly(ctx, 1); !errors.Is(err, anyio.ErrIncompleteRead) {
			t.Errorf("ReceiveExactly at EOF = %v, want ErrIncompleteRead", err)
		}
		for _, n := range []int{0, -1} {
			if _, err := b.Receive(ctx, n); err == nil || !strings.Contains(err.Error(), "maxBytes must be a positive integer") {
				t.Errorf("Receive(%d) = %v, want an error about maxBytes", n, err)
			}
		}
		return nil
	})
}

// AnyIO test_buffered_stream: SendEOF closes only the sending side; Close
// closes the wrapped stream.
func TestBufferedByteStreamSendEOFAndClose(t *testing.T) {
	confEachBackend(t, func(t *testing.T, ctx context.Context) error {
		c, s, err := confPair(ctx)
		if err != nil {
			return err
		}
		defer s.Close()
		b := anyio.NewBufferedByteStream(c)
		if err := b.Send(ctx, []byte("ping")); err != nil {
			return err
		}
		if err := b.SendEOF(); err != nil {
			return err
		}
		if got, err := confReadAll(ctx, s); string(got) != "ping" || err != nil {
			t.Errorf("the peer read %q, %v; want ping and the end", got, err)
		}
		if err := s.Send(ctx, []byte("pong")); err != nil {
			return err
		}
		if got, err := b.ReceiveExactly(ctx, 4); string(got) != "pong" || err != nil {
			t.Errorf("receiving after SendEOF = %q, %v; want pong", got, err)
		}
		if err := b.Close(); err != nil {
			return err
		}
		if _, err := c.Receive(ctx, 1); !errors.Is(err, anyio.ErrClosedResource) {
			t.Errorf("the wrapped stream after Close: %v, want ErrClosedResource", err)
		}
		return nil
	})
}

// "NetConn(ctx) satisfies net.Conn": bufio, encoding/json and
// net/textproto work over it, and Read returns io.EOF at the end.
func TestNetConnProtocols(t *testing.T) {
	confEachBackend(t, func(t *testing.T, ctx context.Context) error {
		c, s, err := confPair(ctx)
		if err != nil {
			return err
		}
		defer c.Close()
		return anyio.WithTaskGroup(ctx, func(ctx context.Context, tg *anyio.TaskGroup) error {
			tg.StartSoon(func(ctx context.Context) error {
				defer s.Close()
				conn := s.NetConn(ctx)
				r := bufio.NewReader(conn)
				line, err := r.ReadString('\n')
				if err != nil {
					return err
				}
				if _, err := io.WriteString(conn, "echo: "+line); err != nil {
					return err
				}
				var msg map[string]int
				if err := json.NewDecoder(r).Decode(&msg); err != nil { // the client sends nothing after it
					return err
				}
				msg["n"]++
				if err := json.NewEncoder(conn).Encode(msg); err != nil {
					return err
				}
				tp := textproto.NewConn(conn)
				return tp.PrintfLine("250 %s", "done")
			})
			conn := c.NetConn(ctx)
			r := bufio.NewReader(conn)
			if _, err := io.WriteString(conn, "hello\n"); err != nil {
				return err
			}
			if line, err := r.ReadString('\n'); line != "echo: hello\n" || err != nil {
				t.Errorf("bufio line = %q, %v", line, err)
			}
			if err := json.NewEncoder(conn).Encode(map[string]int{"n": 41}); err != nil {
				return err
			}
			var got map[string]int
			dec := json.NewDecoder(r)
			if err := dec.Decode(&got); err != nil || got["n"] != 42 {
				t.Errorf("json = %v, %v; want n=42", got, err)
			}
			// The decoder may have read past the value: go on from there.
			r = bufio.NewReader(io.MultiReader(dec.Buffered(), r))
			if b, err := r.ReadByte(); err == nil && b != '\n' { // Encode ends its value with a newline
				_ = r.UnreadByte()
			}
			code, msg, err := textproto.NewReader(r).ReadCodeLine(250)
			if code != 250 || msg != "done" || err != nil {
				t.Errorf("textproto = %d %q, %v", code, msg, err)
			}
			if n, err := r.Read(make([]byte, 1)); n != 0 || err != io.EOF {
				t.Errorf("Read at the end = %d, %v; want io.EOF", n, err)
			}
			return nil
		})
	})
}

// "deadlines on the backend's clock ...; a passed deadline:
// os.ErrDeadlineExceeded (a net.Error with Timeout())".
func TestNetConnDeadline(t *testing.T) {
	confEachBackend(t, func(t *testing.T, ctx context.Context) error {
		c, s, err := confPair(ctx)
		if err != nil {
			return err
		}
		defer c.Close()
		defer s.Close()
		conn := c.NetConn(ctx)
		start := anyio.Now(ctx)
		if err := conn.SetReadDeadline(start.Add(confTick)); err != nil {
			return err
		}
		_, err = conn.Read(make([]byte, 10))
		var ne net.Error
		if !errors.Is(err, os.ErrDeadlineExceeded) || !errors.As(err, &ne) || !ne.Timeout() {
			t.Errorf("Read past its deadline = %v, want os.ErrDeadlineExceeded as a timeout net.Error", err)
		}
		if err := confCheckElapsed("Read under a deadline", anyio.Now(ctx).Sub(start), confTick); err != nil {
			t.Error(err)
		}
		if anyio.CurrentBackend(ctx) != "std" && anyio.Now(ctx).Sub(start) != confTick {
			t.Errorf("on the virtual clock the deadline passed after %v, want exactly %v", anyio.Now(ctx).Sub(start), confTick)
		}
		if _, err := conn.Read(make([]byte, 10)); !errors.Is(err, os.ErrDeadlineExceeded) {
			t.Errorf("a later Read = %v, want the deadline error at once", err)
		}
		if err := conn.SetReadDeadline(time.Time{}); err != nil {
			return err
		}
		if err := s.Send(ctx, []byte("late")); err != nil {
			return err
		}
		buf := make([]byte, 10)
		if n, err := conn.Read(buf); string(buf[:n]) != "late" || err != nil {
			t.Errorf("Read after clearing the deadline = %q, %v", buf[:n], err)
		}
		return nil
	})
}

// "Write ... returns the number of bytes written from p": a Write cut short
// by its deadline says exactly how much the peer will receive, so a caller
// that retries the rest duplicates nothing (before, on sim it
// said 0 while the peer then read a buffer's worth).
func TestNetConnWriteDeadlineCountsWhatWasSent(t *testing.T) {
	confEachBackend(t, func(t *testing.T, ctx context.Context) error {
		c, s, err := confPair(ctx)
		if err != nil {
			return err
		}
		defer s.Close()
		conn := c.NetConn(ctx)
		if err := conn.SetWriteDeadline(anyio.Now(ctx).Add(confTick)); err != nil {
			return err
		}
		// More than any socket buffer holds, and nobody reads meanwhile.
		n, err := conn.Write(make([]byte, 16<<20))
		if !errors.Is(err, os.ErrDeadlineExceeded) {
			c.Close()
			return confSkip("a 16 MiB Write finished before its deadline (%d bytes, %v): no short write to count", n, err)
		}
		if err := c.Close(); err != nil {
			return err
		}
		got, err := confReadAll(ctx, s)
		if err != nil {
			return fmt.Errorf("reading what the cut-short Write sent: %w", err)
		}
		if len(got) != n {
			t.Errorf("Write cut short by its deadline reported %d bytes, the peer received %d", n, len(got))
		}
		return nil
	})
}

// "The view's calls run under the ctx it was made with": a view made
// inside a FailAfter, from its ctx, is cut short by the timeout, on every
// backend (before, the view made outside is the shape that
// hung; anyiovet's netconn check reports it).
func TestNetConnMadeInsideFailAfterIsCutShort(t *testing.T) {
	confEachBackend(t, func(t *testing.T, ctx context.Context) error {
		c, s, err := confPair(ctx)
		if err != nil {
			return err
		}
		defer c.Close()
		defer s.Close()
		start := anyio.Now(ctx)
		var readErr error
		err = anyio.FailAfter(ctx, confTick, func(ctx context.Context) error {
			conn := c.NetConn(ctx)
			_, readErr = bufio.NewReader(conn).ReadString('\n')
			return readErr
		})
		if !confIsTimeout(err) {
			t.Errorf("FailAfter around a read of a view made inside it = %v (the read: %v), want ErrTimeout", err, readErr)
		}
		return confCheckElapsed("the read under FailAfter", anyio.Now(ctx).Sub(start), confTick)
	})
}

// crypto/tls runs over the net.Conn view: a TLS client over NetConn
// against a TLS listener.
func TestNetConnTLS(t *testing.T) {
	serverCfg, clientCfg := confTLS(t)
	confEachBackend(t, func(t *testing.T, ctx context.Context) error {
		return confTLSEcho(ctx, serverCfg, nil, func(ctx context.Context, port int) error {
			raw, err := anyio.ConnectTCP(ctx, "127.0.0.1", port)
			if err != nil {
				return err
			}
			tc := tls.Client(raw.NetConn(ctx), clientCfg)
			defer tc.Close()
			if _, err := tc.Write([]byte("over tls.Client")); err != nil {
				return err
			}
			if err := tc.CloseWrite(); err != nil {
				return err
			}
			got, err := io.ReadAll(tc)
			if string(got) != "over tls.Client" || err != nil {
				t.Errorf("echo through tls.Client over NetConn = %q, %v", got, err)
			}
			return nil
		})
	})
}

// "TCPListener.NetListener(ctx) net.Listener: Accept honours ctx; Close
// closes l" and "DialContext(ctx): dials with ConnectTCP on ctx's backend":
// the views talk to each other, and refuse what is not theirs.
func TestNetListenerAndDialContext(t *testing.T) {
	confEachBackend(t, func(t *testing.T, ctx context.Context) error {
		ln, port, err := confListen(ctx, "127.0.0.1")
		if err != nil {
			return err
		}
		nl := ln.NetListener(ctx)
		dial := anyio.DialContext(ctx)
		err = anyio.WithTaskGroup(ctx, func(ctx context.Context, tg *anyio.TaskGroup) error {
			tg.StartSoon(func(ctx context.Context) error {
				c, err := nl.Accept()
				if err != nil {
					return fmt.Errorf("NetListener.Accept: %w", err)
				}
				defer c.Close()
				line, err := bufio.NewReader(c).ReadString('\n')
				if err != nil {
					return err
				}
				_, err = c.Write([]byte("echo " + line))
				return err
			})
			c, err := dial(ctx, "tcp", net.JoinHostPort("127.0.0.1", fmt.Sprint(port)))
			if err != nil {
				return fmt.Errorf("DialContext: %w", err)
			}
			defer c.Close()
			if _, err := c.Write([]byte("hi\n")); err != nil {
				return err
			}
			got, err := bufio.NewReader(c).ReadString('\n')
			if err != nil || got != "echo hi\n" {
				t.Errorf("through the views: got %q, %v; want echo hi", got, err)
			}
			return nil
		})
		if err != nil {
			return err
		}
		if nl.Addr().String() != ln.Addr().String() {
			t.Errorf("NetListener.Addr = %v, want the listener's %v", nl.Addr(), ln.Addr())
		}
		if err := nl.Close(); err != nil {
			return err
		}
		if _, err := nl.Accept(); !errors.Is(err, net.ErrClosed) {
			t.Errorf("Accept after Close = %v, want net.ErrClosed", err)
		}
		if _, err := dial(ctx, "udp", "127.0.0.1:53"); err == nil {
			t.Errorf("DialContext of udp succeeded, want an error")
		}
		done, cancel := context.WithCancel(context.Background())
		cancel()
		if _, err := dial(done, "tcp", net.JoinHostPort("127.0.0.1", fmt.Sprint(port))); !confIsCancellation(err) {
			t.Errorf("DialContext with its own ctx cancelled = %v, want the cancellation", err)
		}
		return nil
	})
}

// net/http's server and client over the views, with the server's Serve in
// a plain goroutine.
func TestNetHTTPOverTheViews(t *testing.T) {
	confEachBackendWithLibraries(t, func(t *testing.T, ctx context.Context) error {
		ln, port, err := confListen(ctx, "127.0.0.1")
		if err != nil {
			return err
		}
		srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprintf(w, "hello %s", r.URL.Path)
		})}
		// http.Server.Serve runs in a plain goroutine, as net/http's
		// users run it; on std that is what a task is anyway, and on sim
		// the goroutine becomes a task when it calls Accept.
		served := make(chan struct{})
		var serveErr error
		go func() {
			defer close(served)
			serveErr = srv.Serve(ln.NetListener(ctx))
		}()
		client := &http.Client{Transport: &http.Transport{DialContext: anyio.DialContext(ctx)}}
		resp, err := client.Get(fmt.Sprintf("http://127.0.0.1:%d/world", port))
		if err == nil {
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if string(body) != "hello /world" {
				t.Errorf("GET /world = %q, want hello /world", body)
			}
		} else {
			t.Errorf("GET over DialContext: %v", err)
		}
		client.CloseIdleConnections()
		srv.Close()
		if err := confAwaitForeign(served, "http.Server.Serve to return"); err != nil {
			return err
		}
		if !errors.Is(serveErr, http.ErrServerClosed) {
			t.Errorf("http.Server.Serve on a NetListener = %v, want ErrServerClosed", serveErr)
		}
		return nil
	})
}
