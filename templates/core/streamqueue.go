package core

// streamQueue is a FIFO ring buffer that grows as needed. As a queue of
// waiters it also keeps count of the dead ones (cancelled, left in place
// because removal from the middle costs a pass) and compacts when they
// outnumber the live, so that a stream polled with timeouts does not grow.
type streamQueue[T any] struct {
	items []T
	head  int
	n     int
	dead  int
}

func (q *streamQueue[T]) len() int { return q.n }

func (q *streamQueue[T]) push(v T) {
	q.makeRoom()
	q.items[(q.head+q.n)%len(q.items)] = v
	q.n++
}

// makeRoom grows the ring when it is full.
func (q *streamQueue[T]) makeRoom() {
	if q.n < len(q.items) {
		return
	}
	grown := make([]T, max(8, 2*len(q.items)))
	for i := range q.n {
		grown[i] = q.items[(q.head+i)%len(q.items)]
	}
	q.items, q.head = grown, 0
}

func (q *streamQueue[T]) at(i int) *T { return &q.items[(q.head+i)%len(q.items)] }

func (q *streamQueue[T]) pop() T {
	var zero T
	v := q.items[q.head]
	q.items[q.head] = zero
	q.head = (q.head + 1) % len(q.items)
	q.n--
	if q.n == 0 {
		q.dead = 0
	}
	return v
}

func (q *streamQueue[T]) countLive(live func(T) bool) int {
	c := 0
	for i := range q.n {
		if live(q.items[(q.head+i)%len(q.items)]) {
			c++
		}
	}
	return c
}

func (q *streamQueue[T]) each(f func(T)) {
	for i := range q.n {
		f(q.items[(q.head+i)%len(q.items)])
	}
}

// popLive pops waiters until one that is not dead, or returns nil.
func popLive[W any](q *streamQueue[*W], dead func(*W) bool) *W {
	for q.len() > 0 {
		w := q.pop()
		if !dead(w) {
			return w
		}
		q.dead = max(0, q.dead-1)
	}
	return nil
}

// dropIf removes every entry for which drop holds, keeping the order.
func (q *streamQueue[T]) dropIf(drop func(T) bool) {
	kept := 0
	for i := range q.n {
		if v := *q.at(i); !drop(v) {
			*q.at(kept) = v
			kept++
		}
	}
	var zero T
	for i := kept; i < q.n; i++ {
		*q.at(i) = zero
	}
	q.n, q.dead = kept, 0
}

// bury marks a waiter dead with mark and compacts the queue once the dead
// are the majority. Called with the stream's lock held.
func bury[W any](q *streamQueue[*W], w *W, dead func(*W) bool, mark func(*W)) {
	mark(w)
	q.dead++
	if q.dead > 16 && q.dead > q.n/2 {
		q.dropIf(dead)
	}
}
