package core

// streamQueue is a FIFO ring buffer that grows as needed.
type streamQueue[T any] struct {
	items []T
	head  int
	n     int
}

func (q *streamQueue[T]) len() int { return q.n }

func (q *streamQueue[T]) push(v T) {
	if q.n == len(q.items) {
		grown := make([]T, max(8, 2*len(q.items)))
		for i := range q.n {
			grown[i] = q.items[(q.head+i)%len(q.items)]
		}
		q.items, q.head = grown, 0
	}
	q.items[(q.head+q.n)%len(q.items)] = v
	q.n++
}

func (q *streamQueue[T]) pop() T {
	var zero T
	v := q.items[q.head]
	q.items[q.head] = zero
	q.head = (q.head + 1) % len(q.items)
	q.n--
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
		if w := q.pop(); !dead(w) {
			return w
		}
	}
	return nil
}
