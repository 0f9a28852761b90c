package core

import (
	"context"

	anyiort "github.com/anyiogen/anyiogen/runtime"
)

// SendStream is the sending end of a memory object stream.
type SendStream[T any] struct {
	state  *streamState[T]
	closed bool // guarded by state.mu
}

// Send delivers item to a receiver or the buffer, blocking while neither
// has room.
func (s *SendStream[T]) Send(ctx context.Context, item T) error {
	// A scheduling point even when there is room, as AnyIO's send
	// checkpoints first.
	if err := schedulingPoint(ctx); err != nil {
		return err
	}
	st := s.state
	st.mu.Lock()
	if wake, err := s.sendNowaitLocked(item); err != ErrWouldBlock {
		st.mu.Unlock()
		wakeUp(wake)
		return err
	}
	w := st.newSendWaiter(ctx, s, item)
	st.sendWaiters.push(w)
	st.mu.Unlock()
	err := w.waiter.Wait(ctx, "send on a memory object stream")
	if err == nil {
		// Every Wake of a stream waiter follows the outcome it reports,
		// and the wake-up orders that write before this read.
		err := w.outcome()
		if !w.closed { // a closed handle's waiter is still queued: not reusable
			var zero T
			w.item = zero
			w.ctx = nil // the next Wait brings its own
			st.spareSend.Store(w)
		}
		return err
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	if w.taken || w.broken || w.closed {
		return w.outcome() // the wake-up won the race with ctx
	}
	// Not taken, so the item goes back to the caller: nothing lost.
	bury(&st.sendWaiters, w, func(w *sendWaiter[T]) bool { return w.cancelled }, func(w *sendWaiter[T]) {
		var zero T
		w.cancelled, w.item = true, zero // the caller keeps the item; the queue must not
	})
	return err
}

func (w *sendWaiter[T]) outcome() error {
	switch {
	case w.broken:
		return ErrBrokenResource
	case w.closed:
		return ErrClosedResource
	}
	return nil // taken
}

// SendNowait sends item if that needs no waiting, else ErrWouldBlock.
func (s *SendStream[T]) SendNowait(item T) error {
	s.state.mu.Lock()
	wake, err := s.sendNowaitLocked(item)
	s.state.mu.Unlock()
	wakeUp(wake)
	return err
}

// sendNowaitLocked returns the waiter of the receiver it handed item to:
// the caller wakes it after unlocking, so that it does not wake straight
// into a held lock.
func (s *SendStream[T]) sendNowaitLocked(item T) (anyiort.Waiter, error) {
	st := s.state
	switch {
	case s.closed:
		return nil, ErrClosedResource
	case st.openReceive == 0:
		return nil, ErrBrokenResource
	}
	if rw := popLive(&st.recvWaiters, (*recvWaiter[T]).gone); rw != nil {
		rw.item, rw.given = item, true
		return rw.waiter, nil
	}
	if st.buf.len() < st.max {
		st.buf.push(item)
		return nil, nil
	}
	return nil, ErrWouldBlock
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
			w.closed = true
			w.waiter.Wake()
		}
	})
	st.sendWaiters.dropIf(func(w *sendWaiter[T]) bool { return w.cancelled || w.closed })
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
