package core

import (
	"context"
	"math"
	"sync"
	"sync/atomic"

	anyiort "github.com/anyiogen/anyiogen/runtime"
)

// StreamStatistics describes a memory object stream at one moment.
type StreamStatistics struct {
	CurrentBufferUsed, MaxBufferSize      int // MaxBufferSize is Unbounded for an unbounded stream
	OpenSendStreams, OpenReceiveStreams   int
	TasksWaitingSend, TasksWaitingReceive int
}

// NewMemoryObjectStream returns the two ends of a new stream of T.
func NewMemoryObjectStream[T any](maxBufferSize int) (*SendStream[T], *ReceiveStream[T]) {
	if maxBufferSize < 0 && maxBufferSize != Unbounded {
		panic("anyio: NewMemoryObjectStream: maxBufferSize must be 0 or more, or Unbounded")
	}
	st := &streamState[T]{max: maxBufferSize, openSend: 1, openReceive: 1}
	if maxBufferSize == Unbounded {
		st.max = math.MaxInt
	}
	return &SendStream[T]{state: st}, &ReceiveStream[T]{state: st}
}

// streamState is shared by every clone of both ends. The invariant that
// keeps items from being lost or duplicated: an item is always in exactly
// one place — a sender's hands, the buffer, or a receiver's hands — and it
// moves only under mu.
type streamState[T any] struct {
	mu          sync.Mutex
	buf         streamQueue[T]
	max         int // math.MaxInt when unbounded
	openSend    int
	openReceive int
	sendWaiters streamQueue[*sendWaiter[T]]
	recvWaiters streamQueue[*recvWaiter[T]]

	// A waiter that was woken is out of every queue and drained: the next
	// blocking call may reuse it, which keeps a busy stream from
	// allocating on every hand-over.
	spareSend atomic.Pointer[sendWaiter[T]]
	spareRecv atomic.Pointer[recvWaiter[T]]
}

type sendWaiter[T any] struct {
	ctx       context.Context // of the waiting Send
	waiter    anyiort.Waiter
	backend   anyiort.Backend // where waiter came from
	item      T
	handle    *SendStream[T]
	taken     bool // a receiver has the item
	cancelled bool // gave up: skip it
	broken    bool // every receiver closed
	closed    bool // its own handle was closed
}

type recvWaiter[T any] struct {
	ctx       context.Context // of the waiting Receive
	waiter    anyiort.Waiter
	backend   anyiort.Backend // where waiter came from
	item      T
	handle    *ReceiveStream[T]
	given     bool // a sender handed over an item
	cancelled bool // gave up: skip it
	ended     bool // every sender closed
	closed    bool // its own handle was closed
}

func (st *streamState[T]) statistics() StreamStatistics {
	st.mu.Lock()
	defer st.mu.Unlock()
	max := st.max
	if max == math.MaxInt {
		max = Unbounded
	}
	return StreamStatistics{
		CurrentBufferUsed:   st.buf.len(),
		MaxBufferSize:       max,
		OpenSendStreams:     st.openSend,
		OpenReceiveStreams:  st.openReceive,
		TasksWaitingSend:    st.sendWaiters.countLive(func(w *sendWaiter[T]) bool { return !w.cancelled }),
		TasksWaitingReceive: st.recvWaiters.countLive(func(w *recvWaiter[T]) bool { return !w.cancelled }),
	}
}

// reuseWaiter returns old if the calling task may wait on it again: it came
// from b and b's waiters are not bound to a task (they report Reusable).
// Otherwise it asks b for a new one.
func reuseWaiter(ctx context.Context, old anyiort.Waiter, from anyiort.Backend) (anyiort.Waiter, anyiort.Backend) {
	b := backendOf(ctx)
	if r, ok := old.(interface{ Reusable() bool }); ok && from == b && r.Reusable() {
		return old, b
	}
	return b.NewWaiter(), b
}

func (st *streamState[T]) newSendWaiter(ctx context.Context, s *SendStream[T], item T) *sendWaiter[T] {
	w := st.spareSend.Swap(nil)
	if w == nil {
		w = new(sendWaiter[T])
	}
	waiter, b := reuseWaiter(ctx, w.waiter, w.backend)
	*w = sendWaiter[T]{ctx: ctx, waiter: waiter, backend: b, item: item, handle: s}
	return w
}

func (st *streamState[T]) newRecvWaiter(ctx context.Context, r *ReceiveStream[T]) *recvWaiter[T] {
	w := st.spareRecv.Swap(nil)
	if w == nil {
		w = new(recvWaiter[T])
	}
	waiter, b := reuseWaiter(ctx, w.waiter, w.backend)
	*w = recvWaiter[T]{ctx: ctx, waiter: waiter, backend: b, handle: r}
	return w
}

// gone reports whether a waiting Send can no longer take part: it gave up,
// or its ctx is cancelled and it will give up as soon as it runs. Skipping
// the latter keeps cancellation level-triggered, as AnyIO skips a receiver
// with a pending cancellation: an item goes to the next live waiter or the
// buffer, in order, and never into the hands of one that is leaving.
func (w *sendWaiter[T]) gone() bool { return w.cancelled || w.ctx.Err() != nil }

// gone is sendWaiter.gone for a waiting Receive.
func (w *recvWaiter[T]) gone() bool { return w.cancelled || w.ctx.Err() != nil }

func wakeUp(w anyiort.Waiter) {
	if w != nil {
		w.Wake()
	}
}
