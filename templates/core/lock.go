package core

import (
	"context"
	"errors"
	"sync"

	anyiort "github.com/anyiogen/anyiogen/runtime"
)

// Lock is a mutual exclusion lock that tasks wait for through the backend.
type Lock struct {
	mu      sync.Mutex // guards every field below
	locked  bool
	owner   *anyiort.Task // the holder; nil when free or held by task 0
	waiters waitQueue
}

// LockStatistics describes a Lock at one moment.
type LockStatistics struct {
	Locked       bool
	Owner        TaskInfo // zero when not held
	TasksWaiting int
}

var (
	errLockHeld        = errors.New("anyio: Lock.Acquire: the calling task already holds this lock")
	errLockNotHeldByMe = "anyio: Lock.Release: the lock is not held"
)

// NewLock returns an unlocked Lock.
func NewLock() *Lock { return &Lock{} }

// Acquire waits for the lock, first come first served.
func (l *Lock) Acquire(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	task := anyiort.TaskOf(ctx)
	l.mu.Lock()
	if !l.locked && l.waiters.empty() {
		l.locked, l.owner = true, task
		l.mu.Unlock()
		afterUncontended(ctx)
		return nil
	}
	if task != nil && l.owner == task {
		l.mu.Unlock()
		return errLockHeld
	}
	w := newSyncWaiter(ctx, task)
	l.waiters.push(w)
	owner := l.owner
	l.mu.Unlock()
	err := w.waiter.Wait(ctx, waitReason(ctx, "acquire of a Lock", func() string { return taskLabel(owner) }))
	l.mu.Lock()
	if w.granted {
		cerr := ctx.Err()
		if cerr == nil {
			l.mu.Unlock()
			return nil
		}
		// Handed the lock, then cancelled before it could run: the
		// cancellation wins, and the lock goes on to the next waiter.
		next := l.releaseLocked()
		l.mu.Unlock()
		wakeSync(next)
		return cerr
	}
	w.left = true
	l.waiters.remove(w)
	l.mu.Unlock()
	if err == nil {
		err = ctx.Err()
	}
	return err
}

// AcquireNowait takes the lock if that needs no waiting.
func (l *Lock) AcquireNowait(ctx context.Context) error {
	task := anyiort.TaskOf(ctx)
	l.mu.Lock()
	defer l.mu.Unlock()
	switch {
	case l.locked && task != nil && l.owner == task:
		return errLockHeld
	case l.locked || !l.waiters.empty():
		return ErrWouldBlock
	}
	l.locked, l.owner = true, task
	return nil
}

// Release releases the lock, handing it to the oldest waiter.
func (l *Lock) Release() {
	l.mu.Lock()
	if !l.locked {
		l.mu.Unlock()
		panic(errLockNotHeldByMe)
	}
	next := l.releaseLocked()
	l.mu.Unlock()
	wakeSync(next)
}

// releaseLocked hands the lock to the oldest live waiter, whom the caller
// wakes after unlocking, or frees it.
func (l *Lock) releaseLocked() *syncWaiter {
	if next := l.waiters.popLive(); next != nil {
		l.owner, next.granted = next.task, true
		return next
	}
	l.locked, l.owner = false, nil
	return nil
}

// heldBy reports whether the task of ctx holds the lock; for task 0, whether
// anyone does.
func (l *Lock) heldBy(task *anyiort.Task) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.locked && (task == nil || l.owner == task)
}

// Locked reports whether the lock is held.
func (l *Lock) Locked() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.locked
}

// Statistics describes the lock now.
func (l *Lock) Statistics() LockStatistics {
	l.mu.Lock()
	defer l.mu.Unlock()
	return LockStatistics{Locked: l.locked, Owner: l.owner.Info(), TasksWaiting: l.waiters.waiting()}
}
