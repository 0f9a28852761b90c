package simtimers

import (
	"fmt"
	"testing"
	"time"
)

// Timers come out by due time, and those due at the same instant in the
// order they were made; a removed one never comes out, and removing it
// again, or one that fired, reports false.
func TestQueueOrdersByTimeThenByMaking(t *testing.T) {
	var q Queue
	t0 := time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)
	var order []string
	add := func(d time.Duration, name string) *Timer {
		return q.Add(t0.Add(d), name, func() { order = append(order, name) })
	}
	add(2*time.Millisecond, "c")
	add(time.Millisecond, "a")
	gone := add(time.Millisecond, "removed")
	add(time.Millisecond, "b")
	if !q.Remove(gone) || q.Remove(gone) {
		t.Fatal("Remove of a pending timer, then again: want true, then false")
	}
	if when, ok := q.Next(); !ok || !when.Equal(t0.Add(time.Millisecond)) {
		t.Errorf("Next = %v, %v; want t0+1ms", when, ok)
	}
	if q.PopDue(t0) != nil {
		t.Error("a timer due at t0+1ms popped at t0")
	}
	var fired []*Timer
	for tm := q.PopDue(t0.Add(time.Hour)); tm != nil; tm = q.PopDue(t0.Add(time.Hour)) {
		tm.F()
		fired = append(fired, tm)
	}
	if got := fmt.Sprint(order); got != "[a b c]" {
		t.Errorf("fired %s, want [a b c]", got)
	}
	if q.Remove(fired[0]) {
		t.Error("Remove of a fired timer reports true")
	}
	if _, ok := q.Next(); ok {
		t.Error("Next on an empty queue reports a timer")
	}
}
