package core

import "context"

// SendStream is the sending end of a memory object stream.
type SendStream[T any] struct {
	state  *streamState[T]
	closed bool // guarded by state.mu
}

// Send delivers item to a receiver or the buffer, blocking while neither
// has room.
func (s *SendStream[T]) Send(ctx context.Context, item T) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	st := s.state
	st.mu.Lock()
	if err := s.sendNowaitLocked(item); err != ErrWouldBlock {
		st.mu.Unlock()
		return err
	}
	w := &sendWaiter[T]{waiter: waiterFor(ctx), item: item, handle: s}
	st.sendWaiters.push(w)
	st.mu.Unlock()
	for {
		err := w.waiter.Wait(ctx, "send on a memory object stream")
		st.mu.Lock()
		switch {
		case w.taken:
			st.mu.Unlock()
			return nil
		case w.broken:
			st.mu.Unlock()
			return ErrBrokenResource
		case w.closed:
			st.mu.Unlock()
			return ErrClosedResource
		case err != nil:
			// Not taken, so the item goes back to the caller: nothing lost.
			w.cancelled = true
			st.mu.Unlock()
			return err
		}
		st.mu.Unlock()
	}
}

// SendNowait sends item if that needs no waiting, else ErrWouldBlock.
func (s *SendStream[T]) SendNowait(item T) error {
	s.state.mu.Lock()
	defer s.state.mu.Unlock()
	return s.sendNowaitLocked(item)
}

func (s *SendStream[T]) sendNowaitLocked(item T) error {
	st := s.state
	switch {
	case s.closed:
		return ErrClosedResource
	case st.openReceive == 0:
		return ErrBrokenResource
	}
	if rw := popLive(&st.recvWaiters, func(w *recvWaiter[T]) bool { return w.cancelled }); rw != nil {
		rw.item, rw.given = item, true
		rw.waiter.Wake()
		return nil
	}
	if st.buf.len() < st.max {
		st.buf.push(item)
		return nil
	}
	return ErrWouldBlock
}

// Clone returns another sending end; the stream ends when all are closed.
func (s *SendStream[T]) Clone() (*SendStream[T], error) {
	s.state.mu.Lock()
	defer s.state.mu.Unlock()
	if s.closed {
		return nil, ErrClosedResource
	}
	s.state.openSend++
	return &SendStream[T]{state: s.state}, nil
}

// Close closes this end; closing it again does nothing.
func (s *SendStream[T]) Close() error {
	st := s.state
	st.mu.Lock()
	defer st.mu.Unlock()
	if s.closed {
		return nil
	}
	s.closed = true
	st.openSend--
	st.sendWaiters.each(func(w *sendWaiter[T]) {
		if w.handle == s && !w.cancelled {
			w.closed, w.cancelled = true, true
			w.waiter.Wake()
		}
	})
	if st.openSend == 0 {
		for st.recvWaiters.len() > 0 {
			if w := st.recvWaiters.pop(); !w.cancelled {
				w.ended = true
				w.waiter.Wake()
			}
		}
	}
	return nil
}

// Statistics describes the stream now.
func (s *SendStream[T]) Statistics() StreamStatistics { return s.state.statistics() }
