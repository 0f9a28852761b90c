package core

import (
	"context"
	"time"

	anyiort "github.com/anyiogen/anyiogen/runtime"
)

// ServeOption configures Serve.
type ServeOption func(*serveConfig)

type serveConfig struct {
	onError  func(ctx context.Context, s *SocketStream, err error) error
	drain    time.Duration
	hasDrain bool
}

// OnHandlerError makes Serve call f with a handler's error instead of
// stopping: nil from f, and the server goes on; an error, and Serve stops
// and returns it.
func OnHandlerError(f func(ctx context.Context, s *SocketStream, err error) error) ServeOption {
	return func(c *serveConfig) { c.onError = f }
}

// Drain makes Serve, once its ctx is cancelled, stop accepting and give the
// running handlers d before it cancels them.
func Drain(d time.Duration) ServeOption {
	return func(c *serveConfig) { c.drain, c.hasDrain = d, true }
}

// Serve accepts until ctx is cancelled, each handler a task of its own.
//
// The handlers run in a task group of their own, inside a scope that a
// Drain shields from ctx: when ctx is cancelled the accept loop stops, and
// the scope's deadline, d later, cancels whatever still runs. A handler
// failure that should stop the server cancels the accept loop through its
// own scope, since the loop waits on ctx and not on the handlers' group.
func (l *TCPListener) Serve(ctx context.Context, handler func(ctx context.Context, s *SocketStream) error, opts ...ServeOption) error {
	var cfg serveConfig
	for _, opt := range opts {
		opt(&cfg)
	}
	var scopeOpts []ScopeOption
	if cfg.hasDrain {
		scopeOpts = append(scopeOpts, Shielded())
	}
	handlers := NewCancelScope(scopeOpts...)
	accepting := NewCancelScope()
	var acceptErr error
	err := handlers.Run(ctx, func(hctx context.Context) error {
		return WithTaskGroup(hctx, func(hctx context.Context, tg *TaskGroup) error {
			acceptErr = accepting.Run(ctx, func(actx context.Context) error {
				return l.acceptLoop(actx, tg, handler, &cfg, accepting)
			})
			switch {
			case ctx.Err() == nil:
				// The listener closed, or a handler stopped the server:
				// the handlers go too.
				tg.CancelScope().Cancel()
			case cfg.hasDrain:
				handlers.SetDeadline(Now(ctx).Add(cfg.drain))
			}
			return nil
		})
	})
	switch {
	case err != nil:
		return err // a handler's failure, or a panic's cancellation
	case acceptErr != nil && !isCancellationOnly(acceptErr):
		// The listener failed or was closed: that is Serve's answer even
		// when ctx was cancelled right after (AnyIO's
		// test_close_from_other_task).
		return acceptErr
	case ctx.Err() != nil:
		return ctx.Err()
	}
	return acceptErr
}

// acceptLoop accepts until actx is cancelled or the listener fails, and
// starts a handler task in tg for each stream.
func (l *TCPListener) acceptLoop(actx context.Context, tg *TaskGroup, handler func(ctx context.Context, s *SocketStream) error, cfg *serveConfig, accepting *CancelScope) error {
	exit, err := l.enterAccepting(actx)
	if err != nil {
		return err
	}
	defer exit()
	for {
		conn, err := l.acceptConn(actx)
		if err != nil {
			return err
		}
		tg.StartSoon(func(hctx context.Context) error {
			return l.serveOne(hctx, conn, handler, cfg, accepting)
		}, Name("handler for "+conn.RemoteAddr().String()))
	}
}

// serveOne runs the handler of one connection (after its TLS handshake, in
// the handler's own task so that a slow client holds up nobody else) and
// closes the stream when the handler returns.
func (l *TCPListener) serveOne(ctx context.Context, conn anyiort.Conn, handler func(ctx context.Context, s *SocketStream) error, cfg *serveConfig, accepting *CancelScope) error {
	if l.tls != nil {
		var err error
		if conn, err = serverTLS(ctx, conn, l.tls); err != nil {
			return nil // a client that fails its handshake is dropped
		}
	}
	s := newSocketStream(conn)
	defer s.Close()
	returned := false
	defer func() {
		if !returned {
			// The handler panicked: the server stops as for an error, and
			// the panic goes on up to the task group, which raises it.
			accepting.Cancel()
		}
	}()
	err := handler(ctx, s)
	returned = true
	if err == nil || isCancellationOnly(err) {
		return err
	}
	if cfg.onError != nil {
		if err = cfg.onError(ctx, s, err); err == nil {
			return nil // the server goes on
		}
	}
	accepting.Cancel() // the server stops: no more accepts
	return err
}
