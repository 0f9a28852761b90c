package core

import (
	"context"
	"errors"
	"iter"

	anyiort "github.com/anyiogen/anyiogen/runtime"
)

// ReceiveStream is the receiving end of a memory object stream.
type ReceiveStream[T any] struct {
	state  *streamState[T]
	closed bool // guarded by state.mu
}

// Receive returns the next item, blocking until there is one.
func (r *ReceiveStream[T]) Receive(ctx context.Context) (T, error) {
	var zero T
	if err := schedulingPoint(ctx); err != nil {
		return zero, err
	}
	st := r.state
	st.mu.Lock()
	if item, wake, err := r.receiveNowaitLocked(); err != ErrWouldBlock {
		st.mu.Unlock()
		wakeUp(wake)
		return item, err
	}
	w := st.newRecvWaiter(ctx, r)
	st.recvWaiters.push(w)
	st.mu.Unlock()
	err := w.waiter.Wait(ctx, "receive on a memory object stream")
	if err == nil {
		// Every Wake of a stream waiter follows the outcome it reports,
		// and the wake-up orders that write before this read.
		item, err := w.outcome()
		if !w.closed { // a closed handle's waiter is still queued: not reusable
			w.item = zero
			w.ctx = nil // the next Wait brings its own
			st.spareRecv.Store(w)
		}
		return item, err
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	if w.given || w.ended || w.closed {
		// Handed over before the cancellation: the hand-over won, as in
		// AnyIO, and the item is kept, not lost.
		return w.outcome()
	}
	bury(&st.recvWaiters, w, func(w *recvWaiter[T]) bool { return w.cancelled }, func(w *recvWaiter[T]) { w.cancelled = true })
	return zero, err
}

func (w *recvWaiter[T]) outcome() (T, error) {
	var zero T
	switch {
	case w.given:
		return w.item, nil
	case w.ended:
		return zero, ErrEndOfStream
	}
	return zero, ErrClosedResource
}

// ReceiveNowait returns an item if one is ready, else ErrWouldBlock.
func (r *ReceiveStream[T]) ReceiveNowait() (T, error) {
	r.state.mu.Lock()
	item, wake, err := r.receiveNowaitLocked()
	r.state.mu.Unlock()
	wakeUp(wake)
	return item, err
}

// receiveNowaitLocked returns the waiter of the sender whose item it took,
// for the caller to wake after unlocking.
func (r *ReceiveStream[T]) receiveNowaitLocked() (T, anyiort.Waiter, error) {
	var zero T
	st := r.state
	if r.closed {
		return zero, nil, ErrClosedResource
	}
	notLive := (*sendWaiter[T]).gone
	if st.buf.len() > 0 {
		item := st.buf.pop()
		if sw := popLive(&st.sendWaiters, notLive); sw != nil {
			st.buf.push(sw.item)
			sw.taken = true
			return item, sw.waiter, nil
		}
		return item, nil, nil
	}
	if sw := popLive(&st.sendWaiters, notLive); sw != nil {
		sw.taken = true
		return sw.item, sw.waiter, nil
	}
	if st.openSend == 0 {
		return zero, nil, ErrEndOfStream
	}
	return zero, nil, ErrWouldBlock
}

// Clone returns another receiving end; senders see a broken stream only
// when all are closed.
func (r *ReceiveStream[T]) Clone() (*ReceiveStream[T], error) {
	r.state.mu.Lock()
	defer r.state.mu.Unlock()
	if r.closed {
		return nil, ErrClosedResource
	}
	r.state.openReceive++
	return &ReceiveStream[T]{state: r.state}, nil
}

// Close closes this end; closing it again does nothing.
func (r *ReceiveStream[T]) Close() error {
	st := r.state
	st.mu.Lock()
	defer st.mu.Unlock()
	if r.closed {
		return nil
	}
	r.closed = true
	st.openReceive--
	st.recvWaiters.each(func(w *recvWaiter[T]) {
		if w.handle == r && !w.cancelled {
			w.closed = true
			w.waiter.Wake()
		}
	})
	st.recvWaiters.dropIf(func(w *recvWaiter[T]) bool { return w.cancelled || w.closed })
	if st.openReceive == 0 {
		for st.sendWaiters.len() > 0 {
			if w := st.sendWaiters.pop(); !w.cancelled {
				w.broken = true
				w.waiter.Wake()
			}
		}
	}
	return nil
}

// Statistics describes the stream now.
func (r *ReceiveStream[T]) Statistics() StreamStatistics { return r.state.statistics() }

// All yields every item until the stream ends.
func (r *ReceiveStream[T]) All(ctx context.Context) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		for {
			item, err := r.Receive(ctx)
			if errors.Is(err, ErrEndOfStream) {
				return
			}
			if err != nil {
				var zero T
				yield(zero, err)
				return
			}
			if !yield(item, nil) {
				return
			}
		}
	}
}
