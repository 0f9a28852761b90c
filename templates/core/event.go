package core

import (
	"context"
	"sync"
)

// Event is a flag that tasks wait for until it is set.
type Event struct {
	mu      sync.Mutex // guards every field below
	set     bool
	waiters waitQueue
}

// EventStatistics describes an Event at one moment.
type EventStatistics struct{ TasksWaiting int }

// NewEvent returns an Event that is not set.
func NewEvent() *Event { return &Event{} }

// Set sets the event and wakes every waiter.
func (e *Event) Set() {
	e.mu.Lock()
	if e.set {
		e.mu.Unlock()
		return
	}
	e.set = true
	var wake []*syncWaiter
	for w := e.waiters.popLive(); w != nil; w = e.waiters.popLive() {
		w.granted = true
		wake = append(wake, w)
	}
	e.mu.Unlock()
	for _, w := range wake {
		w.waiter.Wake()
	}
}

// IsSet reports whether the event is set.
func (e *Event) IsSet() bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.set
}

// Wait waits until the event is set.
func (e *Event) Wait(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	e.mu.Lock()
	if e.set {
		e.mu.Unlock()
		afterUncontended(ctx) // a scheduling point even when set
		return nil
	}
	w := newSyncWaiter(ctx, nil)
	e.waiters.push(w)
	e.mu.Unlock()
	// Set before the cancellation: the event wins (no passOn).
	_, err := grantWait{mu: &e.mu, queue: &e.waiters}.wait(ctx, w, "wait on an Event")
	return err
}

// Statistics describes the event now.
func (e *Event) Statistics() EventStatistics {
	e.mu.Lock()
	defer e.mu.Unlock()
	return EventStatistics{TasksWaiting: e.waiters.waiting()}
}
