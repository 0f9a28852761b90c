package anyiort

import "context"

type backendKey struct{}

// WithBackend returns a copy of ctx that carries b.
func WithBackend(ctx context.Context, b Backend) context.Context {
	return context.WithValue(ctx, backendKey{}, b)
}

// FromContext returns the backend ctx carries, or nil when no Run made ctx.
func FromContext(ctx context.Context) Backend {
	b, _ := ctx.Value(backendKey{}).(Backend)
	return b
}

// CancelNotifier is implemented by the context a cancel scope hands to its
// body. A simulated backend uses it to learn, synchronously and therefore
// deterministically, that a blocked task's context was cancelled.
type CancelNotifier interface {
	Done() <-chan struct{}
	// NotifyCancel arranges for f to run in the goroutine that cancels, as
	// soon as the context is cancelled, or at once if it already is. stop
	// undoes it and reports whether it did so before f ran. f must not block.
	NotifyCancel(f func()) (stop func() bool)
}

type notifierKey struct{}

// NotifierKey is the context key under which a scope's context answers with
// its CancelNotifier.
func NotifierKey() any { return notifierKey{} }

// FindNotifier returns the notifier whose cancellation is exactly ctx's (ctx
// itself, or ctx wrapped only by context.WithValue), or nil.
func FindNotifier(ctx context.Context) CancelNotifier {
	n, _ := ctx.Value(notifierKey{}).(CancelNotifier)
	if n == nil || n.Done() != ctx.Done() {
		return nil
	}
	return n
}
