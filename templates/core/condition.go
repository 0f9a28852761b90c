package core

import (
	"context"
	"errors"
	"sync"
)

// Condition is a condition variable over a Lock.
type Condition struct {
	lock    *Lock
	mu      sync.Mutex // guards waiters
	waiters waitQueue
}

// ConditionStatistics describes a Condition at one moment.
type ConditionStatistics struct {
	TasksWaiting int
	Lock         LockStatistics
}

var errConditionNotHeld = errors.New("anyio: Condition.Wait: the calling task does not hold the condition's lock")

// NewCondition returns a condition over l; a nil l gets a new Lock.
func NewCondition(l *Lock) *Condition {
	if l == nil {
		l = NewLock()
	}
	return &Condition{lock: l}
}

// Acquire acquires the underlying lock.
func (c *Condition) Acquire(ctx context.Context) error { return c.lock.Acquire(ctx) }

// AcquireNowait acquires the underlying lock if that needs no waiting.
func (c *Condition) AcquireNowait(ctx context.Context) error { return c.lock.AcquireNowait(ctx) }

// Release releases the underlying lock.
func (c *Condition) Release() { c.lock.Release() }

// Locked reports whether the underlying lock is held.
func (c *Condition) Locked() bool { return c.lock.Locked() }

// Wait releases the lock, waits for a notification and takes the lock
// again before it returns, whatever the error.
func (c *Condition) Wait(ctx context.Context) error {
	task := taskOf(ctx)
	if !c.lock.heldBy(task) {
		return errConditionNotHeld
	}
	if err := ctx.Err(); err != nil {
		return err // still holding the lock
	}
	w := newSyncWaiter(ctx, task)
	c.mu.Lock()
	c.waiters.push(w)
	c.mu.Unlock()
	c.lock.Release()
	// Notified before the cancellation: the notification wins (no passOn).
	_, err := grantWait{mu: &c.mu, queue: &c.waiters}.wait(ctx, w, "wait on a Condition")
	// The lock comes back even when ctx is cancelled, as the caller holds
	// it on return whatever happened.
	if aerr := c.lock.Acquire(context.WithoutCancel(ctx)); aerr != nil {
		return aerr
	}
	return err
}

// WaitFor waits until pred, called with the lock held, reports true.
func (c *Condition) WaitFor(ctx context.Context, pred func() bool) error {
	for !pred() {
		if err := c.Wait(ctx); err != nil {
			return err
		}
	}
	return nil
}

// Notify wakes up to n waiters, oldest first.
func (c *Condition) Notify(n int) {
	c.mu.Lock()
	var wake []*syncWaiter
	for ; n > 0; n-- {
		w := c.waiters.popLive()
		if w == nil {
			break
		}
		w.granted = true
		wake = append(wake, w)
	}
	c.mu.Unlock()
	wakeAll(wake)
}

// NotifyAll wakes every waiter.
func (c *Condition) NotifyAll() {
	c.mu.Lock()
	n := len(c.waiters.items)
	c.mu.Unlock()
	c.Notify(n)
}

// Statistics describes the condition now.
func (c *Condition) Statistics() ConditionStatistics {
	c.mu.Lock()
	waiting := c.waiters.waiting()
	c.mu.Unlock()
	return ConditionStatistics{TasksWaiting: waiting, Lock: c.lock.Statistics()}
}
