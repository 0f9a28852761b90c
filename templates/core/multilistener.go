package core

import (
	"context"
	"errors"
	"slices"
)

// Listener is what serves connections: a TCPListener, a MultiListener, or
// a user's own type.
type Listener interface {
	Serve(ctx context.Context, handler func(ctx context.Context, s *SocketStream) error, opts ...ServeOption) error
	Close() error
}

// MultiListener serves the connections of several listeners at once, as
// AnyIO's MultiListener.
type MultiListener struct {
	ls []Listener
}

// NewMultiListener combines ls. The listeners of a MultiListener among
// them move into the new one, which leaves the old one empty.
func NewMultiListener(ls ...Listener) *MultiListener {
	m := &MultiListener{}
	for _, l := range ls {
		nested, isMulti := l.(*MultiListener)
		if l == nil || isMulti && nested == nil {
			panic("anyio: NewMultiListener: a nil listener")
		}
		if isMulti {
			m.ls = append(m.ls, nested.ls...)
			nested.ls = nil
			continue
		}
		m.ls = append(m.ls, l)
	}
	return m
}

// Listeners are the listeners m serves, in the order given.
func (m *MultiListener) Listeners() []Listener { return slices.Clone(m.ls) }

// Serve serves every listener with handler and opts, each as a task of one
// task group: when one Serve fails, the others are cancelled, and Serve
// returns once all have ended.
func (m *MultiListener) Serve(ctx context.Context, handler func(ctx context.Context, s *SocketStream) error, opts ...ServeOption) error {
	return WithTaskGroup(ctx, func(ctx context.Context, tg *TaskGroup) error {
		for _, l := range m.ls {
			tg.StartSoon(func(ctx context.Context) error {
				return l.Serve(ctx, handler, opts...)
			})
		}
		return nil
	})
}

// Close closes every listener and reports what any of them returned.
func (m *MultiListener) Close() error {
	var errs []error
	for _, l := range m.ls {
		errs = append(errs, l.Close())
	}
	return errors.Join(errs...)
}
