package sim

import (
	"container/heap"
	"time"

	anyiort "github.com/anyiogen/anyiogen/runtime"
)

// simClock is the run's virtual clock and what waits on it.
type simClock struct {
	now      time.Time
	timers   simTimerHeap
	timerSeq uint64 // breaks ties between timers due at the same instant
	bubble   bool   // the run is inside a testing/synctest bubble, whose clock it shares
}

// Now reports the virtual time. It starts at 2000-01-01T00:00:00Z and moves
// only when no task is runnable, straight to the earliest pending timer.
func (b *simBackend) Now() time.Time {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.clockLocked()
}

// AfterFunc calls f in the scheduler, outside any task, once d has passed on
// the virtual clock. Timers due at the same instant fire in the order they
// were made; one due now fires at the next scheduling point.
func (b *simBackend) AfterFunc(d time.Duration, f func()) anyiort.Timer {
	return b.afterFuncNamed(d, "", f)
}

// afterFuncNamed is AfterFunc for an event of the simulation itself, such
// as a packet's arrival, which a trace shows under name.
func (b *simBackend) afterFuncNamed(d time.Duration, name string, f func()) *simTimer {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.timerSeq++
	t := &simTimer{b: b, when: b.clockLocked().Add(max(d, 0)), seq: b.timerSeq, f: f, name: name}
	heap.Push(&b.timers, t)
	if b.idle {
		b.sendKick() // made outside the run while the scheduler waits
	}
	return t
}

// simTimer is a pending AfterFunc.
type simTimer struct {
	b     *simBackend
	when  time.Time
	seq   uint64
	f     func()
	name  string // for a trace: what the timer delivers, or "" for a plain timer
	index int    // in b.timers; -1 once fired or stopped (guarded by b.mu)
}

// Stop cancels the call and reports whether it did so before f ran.
func (t *simTimer) Stop() bool {
	t.b.mu.Lock()
	defer t.b.mu.Unlock()
	if t.index < 0 {
		return false
	}
	heap.Remove(&t.b.timers, t.index)
	return true
}

func (b *simBackend) timerDueLocked() bool {
	return len(b.timers) > 0 && !b.timers[0].when.After(b.clockLocked())
}

// popDueLocked removes and returns the earliest timer if it is due.
func (b *simBackend) popDueLocked() *simTimer {
	if !b.timerDueLocked() {
		return nil
	}
	return heap.Pop(&b.timers).(*simTimer)
}

// fire runs a timer's callback without b.mu held, so that it may wake tasks,
// start timers and cancel scopes. A panic in it ends the run like a task's.
func (b *simBackend) fire(t *simTimer) {
	defer func() {
		if r := recover(); r != nil {
			b.mu.Lock()
			b.recordPanicLocked(r)
			b.mu.Unlock()
		}
	}()
	t.f()
}

// simTimerHeap orders timers by due time, then by creation, for
// container/heap, so the clock never depends on map or goroutine order.
type simTimerHeap []*simTimer

func (h simTimerHeap) Len() int { return len(h) }

func (h simTimerHeap) Less(i, j int) bool {
	if !h[i].when.Equal(h[j].when) {
		return h[i].when.Before(h[j].when)
	}
	return h[i].seq < h[j].seq
}

func (h simTimerHeap) Swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].index, h[j].index = i, j
}

func (h *simTimerHeap) Push(x any) {
	t := x.(*simTimer)
	t.index = len(*h)
	*h = append(*h, t)
}

func (h *simTimerHeap) Pop() any {
	old := *h
	t := old[len(old)-1]
	old[len(old)-1] = nil
	t.index = -1
	*h = old[:len(old)-1]
	return t
}
