// Package simtimers is the simulator's timer queue: what is due when, in an
// order that never depends on maps or goroutines (by due time, then by the
// order the timers were made). It is a sub-home of the sim backend: it
// knows nothing of the clock or the tasks, and its user serializes the
// calls (the scheduler holds its lock). Generation inlines it into the
// generated package (Queue becomes simtimersQueue).
package simtimers

import (
	"container/heap"
	"time"
)

// Timer is a pending call: F runs once the clock reaches When.
type Timer struct {
	When  time.Time
	F     func()
	Name  string // for a trace: what the timer delivers, or "" for a plain timer
	seq   uint64 // the order it was made in, which breaks ties
	index int    // in its queue's heap; -1 once popped or removed
}

// Queue holds the pending timers.
type Queue struct {
	heap timerHeap
	seq  uint64
}

// Add makes a timer that calls f at when.
func (q *Queue) Add(when time.Time, name string, f func()) *Timer {
	q.seq++
	t := &Timer{When: when, F: f, Name: name, seq: q.seq}
	heap.Push(&q.heap, t)
	return t
}

// Remove takes t out and reports whether it was still pending.
func (q *Queue) Remove(t *Timer) bool {
	if t.index < 0 {
		return false
	}
	heap.Remove(&q.heap, t.index)
	return true
}

// Next is when the earliest timer is due, if there is one.
func (q *Queue) Next() (time.Time, bool) {
	if len(q.heap) == 0 {
		return time.Time{}, false
	}
	return q.heap[0].When, true
}

// PopDue removes and returns the earliest timer if it is due at now.
func (q *Queue) PopDue(now time.Time) *Timer {
	if len(q.heap) == 0 || q.heap[0].When.After(now) {
		return nil
	}
	return heap.Pop(&q.heap).(*Timer)
}

// timerHeap orders timers by due time, then by creation, for
// container/heap.
type timerHeap []*Timer

func (h timerHeap) Len() int { return len(h) }

func (h timerHeap) Less(i, j int) bool {
	if !h[i].When.Equal(h[j].When) {
		return h[i].When.Before(h[j].When)
	}
	return h[i].seq < h[j].seq
}

func (h timerHeap) Swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].index, h[j].index = i, j
}

func (h *timerHeap) Push(x any) {
	t := x.(*Timer)
	t.index = len(*h)
	*h = append(*h, t)
}

func (h *timerHeap) Pop() any {
	old := *h
	t := old[len(old)-1]
	old[len(old)-1] = nil
	t.index = -1
	*h = old[:len(old)-1]
	return t
}
