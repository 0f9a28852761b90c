package core

import (
	"context"
	"sync"

	anyiort "github.com/anyiogen/anyiogen/runtime"
)

// syncWaiter is one task waiting in a synchronization primitive: for a
// lock, a token, a permit, an event or a notification.
type syncWaiter struct {
	ctx      context.Context // of the waiting call
	waiter   anyiort.Waiter
	task     *anyiort.Task // the waiting task; nil for task 0
	borrower any           // a CapacityLimiter's borrower: its key
	granted  bool          // handed what it waits for; guarded by the primitive's mutex
	left     bool          // gave up; guarded likewise
}

// gone reports whether w can no longer take what it waits for: it left, or
// its ctx is cancelled and it will leave as soon as it runs. Hand-overs
// skip such waiters, which keeps cancellation level-triggered and a wait
// cut short by its ctx free of any trace, as AnyIO skips a waiter with a
// pending cancellation.
func (w *syncWaiter) gone() bool { return w.left || w.ctx.Err() != nil }

func newSyncWaiter(ctx context.Context, task *anyiort.Task) *syncWaiter {
	return &syncWaiter{ctx: ctx, waiter: backendOf(ctx).NewWaiter(), task: task}
}

// waitQueue is a FIFO of waiters.
type waitQueue struct {
	items []*syncWaiter
	head  int
}

func (q *waitQueue) push(w *syncWaiter) { q.items = append(q.items, w) }

// empty reports whether no waiter that has not left is queued. A waiter
// whose ctx is cancelled still counts until it leaves: a nowait call
// fails while anyone waits, so nobody barges in.
func (q *waitQueue) empty() bool {
	for q.head < len(q.items) && q.items[q.head].left {
		q.pop()
	}
	return q.head == len(q.items)
}

func (q *waitQueue) pop() *syncWaiter {
	w := q.items[q.head]
	q.items[q.head] = nil
	q.head++
	if q.head == len(q.items) {
		q.items, q.head = q.items[:0], 0
	} else if q.head > 32 && q.head > len(q.items)/2 {
		n := copy(q.items, q.items[q.head:])
		clear(q.items[n:])
		q.items, q.head = q.items[:n], 0
	}
	return w
}

// popLive removes and returns the oldest waiter that is not gone, or nil.
func (q *waitQueue) popLive() *syncWaiter {
	for q.head < len(q.items) {
		if w := q.pop(); !w.gone() {
			return w
		}
	}
	return nil
}

// remove takes w out of the queue, wherever it is.
func (q *waitQueue) remove(w *syncWaiter) {
	for i := q.head; i < len(q.items); i++ {
		if q.items[i] == w {
			copy(q.items[i:], q.items[i+1:])
			q.items[len(q.items)-1] = nil
			q.items = q.items[:len(q.items)-1]
			return
		}
	}
}

// waiting counts the waiters that have not left.
func (q *waitQueue) waiting() int {
	n := 0
	for _, w := range q.items[q.head:] {
		if !w.left {
			n++
		}
	}
	return n
}

// afterUncontended is the scheduling point of an acquire that did not have
// to wait: on a backend that runs one task at a time it lets others run
// (uncancellably: what was acquired is kept); on std it costs nothing, as
// AnyIO's fast_acquire.
func afterUncontended(ctx context.Context) {
	if b, one := oneAtATime(ctx); one {
		b.Yield()
	}
}

// waitReason says what a waiter waits on, for deadlock and misuse reports,
// naming the holders when the backend reports tasks by name; elsewhere it
// is not worth formatting.
func waitReason(ctx context.Context, what string, holders func() string) string {
	if n, ok := backendOf(ctx).(anyiort.TaskNamer); ok && n.NamesTasks() {
		if h := holders(); h != "" {
			return what + " held by " + h
		}
	}
	return what
}

// taskLabel names a task as a report does: `task "db" (task 3)`.
func taskLabel(t *anyiort.Task) string {
	if t == nil {
		return "code outside any task"
	}
	return t.Label()
}

// grantWait is how a primitive settles a wait on its queue, the same way
// for every one of them: a grant that found the ctx still live is taken;
// a grant that came with a cancellation is handed on (a lock, a permit, a
// token) or kept (an Event's set, a notification: passOn nil); a wait that
// ended without a grant leaves the queue and returns its error.
type grantWait struct {
	mu     *sync.Mutex // guards the queue and the grants
	queue  *waitQueue
	passOn func() []*syncWaiter // hands a grant on, with mu held; who gets it is woken
	left   func()               // after a waiter left the queue, with mu held; may be nil
}

// wait waits on w, queued in g.queue, and settles the outcome. granted
// reports a grant kept.
func (g grantWait) wait(ctx context.Context, w *syncWaiter, reason string) (granted bool, err error) {
	err = w.waiter.Wait(ctx, reason)
	g.mu.Lock()
	if w.granted {
		cerr := ctx.Err()
		if cerr == nil || g.passOn == nil {
			g.mu.Unlock()
			return true, nil
		}
		// Granted, then cancelled before it could run: the cancellation
		// wins, and the grant goes on to the next waiter.
		wake := g.passOn()
		g.mu.Unlock()
		wakeAll(wake)
		return false, cerr
	}
	w.left = true
	g.queue.remove(w)
	if g.left != nil {
		g.left()
	}
	g.mu.Unlock()
	if err == nil {
		err = ctx.Err()
	}
	return false, err
}

// waitersOf is w as a list: none when w is nil.
func waitersOf(w *syncWaiter) []*syncWaiter {
	if w == nil {
		return nil
	}
	return []*syncWaiter{w}
}

// wakeSync wakes w, if any, after the caller has unlocked.
func wakeSync(w *syncWaiter) {
	if w != nil {
		w.waiter.Wake()
	}
}

// wakeAll wakes each of ws, after the caller has unlocked.
func wakeAll(ws []*syncWaiter) {
	for _, w := range ws {
		w.waiter.Wake()
	}
}
