package core

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"

	anyiort "github.com/anyiogen/anyiogen/runtime"
)

// NetListener returns a net.Listener view of the listener, for code that
// wants one (http.Server.Serve, grpc.Server.Serve): Accept waits under ctx
// and returns each stream's NetConn(ctx); Close closes l.
func (l *TCPListener) NetListener(ctx context.Context) net.Listener {
	return &netListener{l: l, ctx: ctx, adopter: adopterFor(ctx)}
}

// adopterFor is ctx's backend as an anyiort.Adopter, told that a view
// that libraries call from goroutines of their own is handed out; nil
// when the backend hosts no such goroutines.
func adopterFor(ctx context.Context) anyiort.Adopter {
	a, ok := backendOf(ctx).(anyiort.Adopter)
	if !ok {
		return nil
	}
	a.Adopt()
	return a
}

// enterView lets the calling goroutine, which may be a library's, act in
// ctx's run before a call of a view (Adopter.Enter).
func enterView(a anyiort.Adopter, ctx context.Context, what string) error {
	if a == nil {
		return nil
	}
	return a.Enter(ctx, what)
}

// netListener is TCPListener.NetListener.
type netListener struct {
	l       *TCPListener
	ctx     context.Context
	adopter anyiort.Adopter
}

func (v *netListener) Accept() (net.Conn, error) {
	if err := enterView(v.adopter, v.ctx, "Accept on "+v.l.Addr().String()); err != nil {
		return nil, &net.OpError{Op: "accept", Net: "tcp", Addr: v.l.Addr(), Err: err}
	}
	s, err := v.l.Accept(v.ctx)
	switch {
	case err == nil:
		return s.NetConn(v.ctx), nil
	case errors.Is(err, ErrClosedResource):
		err = net.ErrClosed // what http.Server and kin look for
	}
	return nil, &net.OpError{Op: "accept", Net: "tcp", Addr: v.l.Addr(), Err: err}
}

func (v *netListener) Close() error {
	if err := enterView(v.adopter, v.ctx, "Close of "+v.l.Addr().String()); err != nil {
		return err
	}
	return v.l.Close()
}

func (v *netListener) Addr() net.Addr { return v.l.Addr() }

// DialContext returns a dial function for http.Transport.DialContext,
// grpc.WithContextDialer and the like: it connects with ConnectTCP on ctx's
// backend, cut short by either its own ctx or ctx, and returns the stream's
// NetConn(ctx), whose calls then run under ctx. On a simulated backend
// only ctx cuts the dial short.
func DialContext(ctx context.Context) func(ctx context.Context, network, address string) (net.Conn, error) {
	adopter := adopterFor(ctx)
	return func(dialCtx context.Context, network, address string) (net.Conn, error) {
		if err := enterView(adopter, ctx, "dial "+address); err != nil {
			return nil, &net.OpError{Op: "dial", Net: network, Err: err}
		}
		switch network {
		case "tcp", "tcp4", "tcp6":
		default:
			return nil, &net.OpError{Op: "dial", Net: network, Err: fmt.Errorf("anyio: DialContext dials TCP, not %q", network)}
		}
		host, portText, err := net.SplitHostPort(address)
		if err != nil {
			return nil, &net.OpError{Op: "dial", Net: network, Err: err}
		}
		port, err := strconv.Atoi(portText)
		if err != nil {
			return nil, &net.OpError{Op: "dial", Net: network, Err: fmt.Errorf("anyio: DialContext: port %q is not a number", portText)}
		}
		if err := dialCtx.Err(); err != nil {
			return nil, &net.OpError{Op: "dial", Net: network, Err: err}
		}
		var s *SocketStream
		err = WithTaskGroup(ctx, func(gctx context.Context, tg *TaskGroup) error {
			// The dial's own ctx (a request's, say) cuts it short too, from
			// its own goroutine; a simulated run, which cannot let another
			// goroutine decide when, honours ctx alone.
			if o, ok := backendOf(ctx).(anyiort.OneAtATime); !ok || !o.OneAtATime() {
				stop := context.AfterFunc(dialCtx, tg.CancelScope().Cancel)
				defer stop()
			}
			var err error
			s, err = ConnectTCP(gctx, host, port)
			if err != nil && dialCtx.Err() != nil {
				return dialCtx.Err()
			}
			return err
		})
		if err != nil {
			return nil, &net.OpError{Op: "dial", Net: network, Err: err}
		}
		return s.NetConn(ctx), nil
	}
}
