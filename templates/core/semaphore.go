package core

import (
	"context"
	"fmt"
	"sync"
)

// Semaphore is a counter that tasks wait on while it is zero.
type Semaphore struct {
	mu      sync.Mutex // guards every field below
	value   int
	max     int
	hasMax  bool
	waiters waitQueue
}

// SemaphoreStatistics describes a Semaphore at one moment.
type SemaphoreStatistics struct{ TasksWaiting int }

// SemaphoreOption configures a Semaphore.
type SemaphoreOption func(*Semaphore)

// MaxValue caps the semaphore's value: a Release past it panics.
func MaxValue(n int) SemaphoreOption {
	return func(s *Semaphore) { s.max, s.hasMax = n, true }
}

// NewSemaphore returns a semaphore whose value is initial.
func NewSemaphore(initial int, opts ...SemaphoreOption) *Semaphore {
	s := &Semaphore{value: initial}
	for _, opt := range opts {
		opt(s)
	}
	if initial < 0 {
		panic(fmt.Sprintf("anyio: NewSemaphore: the initial value %d is negative", initial))
	}
	if s.hasMax && s.max < initial {
		panic(fmt.Sprintf("anyio: NewSemaphore: the maximum %d is below the initial value %d", s.max, initial))
	}
	return s
}

// Acquire decrements the value, waiting while it is zero.
func (s *Semaphore) Acquire(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	if s.value > 0 && s.waiters.empty() {
		s.value--
		s.mu.Unlock()
		afterUncontended(ctx)
		return nil
	}
	w := newSyncWaiter(ctx, nil)
	s.waiters.push(w)
	s.mu.Unlock()
	passOn := func() []*syncWaiter { return waitersOf(s.releaseLocked()) }
	_, err := grantWait{mu: &s.mu, queue: &s.waiters, passOn: passOn}.wait(ctx, w, "acquire of a Semaphore")
	return err
}

// AcquireNowait decrements the value if that needs no waiting.
func (s *Semaphore) AcquireNowait() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.value == 0 || !s.waiters.empty() {
		return ErrWouldBlock
	}
	s.value--
	return nil
}

// Release increments the value, or hands the permit to the oldest waiter.
func (s *Semaphore) Release() {
	s.mu.Lock()
	if s.hasMax && s.value >= s.max && s.waiters.empty() {
		s.mu.Unlock()
		panic(fmt.Sprintf("anyio: Semaphore.Release: released more often than acquired: the value would pass its maximum of %d", s.max))
	}
	next := s.releaseLocked()
	s.mu.Unlock()
	wakeSync(next)
}

func (s *Semaphore) releaseLocked() *syncWaiter {
	if next := s.waiters.popLive(); next != nil {
		next.granted = true
		return next
	}
	s.value++
	return nil
}

// Value is the current value.
func (s *Semaphore) Value() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.value
}

// MaxValue is the maximum value; false when there is none.
func (s *Semaphore) MaxValue() (int, bool) { return s.max, s.hasMax }

// Statistics describes the semaphore now.
func (s *Semaphore) Statistics() SemaphoreStatistics {
	s.mu.Lock()
	defer s.mu.Unlock()
	return SemaphoreStatistics{TasksWaiting: s.waiters.waiting()}
}
