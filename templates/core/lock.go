package core

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"

	anyiort "github.com/anyiogen/anyiogen/runtime"
)

// Lock is a mutual exclusion lock that tasks wait for through the backend.
//
// The uncontended path is one compare-and-swap each way on state; only a
// lock that someone waits for takes mu, so taking a free lock costs about
// what a sync.Mutex does, plus the check of ctx the contract asks for.
type Lock struct {
	state atomic.Int32                 // lockFree, lockHeld or lockContended
	owner atomic.Pointer[anyiort.Task] // the holder; nil when free or held by task 0

	mu      sync.Mutex // guards waiters, and state's moves to and from lockContended
	waiters waitQueue
}

const (
	lockFree      int32 = iota
	lockHeld            // held, nobody waiting: Release may free it with a CAS
	lockContended       // held, and someone may wait: Release goes through mu
)

// LockStatistics describes a Lock at one moment.
type LockStatistics struct {
	Locked       bool
	Owner        TaskInfo // zero when not held
	TasksWaiting int
}

var (
	errLockHeld     = errors.New("anyio: Lock.Acquire: the calling task already holds this lock")
	errLockNotHeld  = "anyio: Lock.Release: the lock is not held"
	errLockHeldByMe = errors.New("anyio: Lock.AcquireNowait: the calling task already holds this lock")
)

// NewLock returns an unlocked Lock.
func NewLock() *Lock { return &Lock{} }

// Acquire waits for the lock, first come first served.
func (l *Lock) Acquire(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	task := taskOf(ctx)
	if l.state.CompareAndSwap(lockFree, lockHeld) {
		l.owner.Store(task)
		afterUncontended(ctx)
		return nil
	}
	return l.acquireSlow(ctx, task)
}

func (l *Lock) acquireSlow(ctx context.Context, task *anyiort.Task) error {
	l.mu.Lock()
	for {
		switch l.state.Load() {
		case lockFree:
			// Free means nobody waits: a release hands the lock to a live
			// waiter and frees it only when there is none.
			if !l.state.CompareAndSwap(lockFree, lockHeld) {
				continue // a fast path won
			}
			l.owner.Store(task)
			l.mu.Unlock()
			afterUncontended(ctx)
			return nil
		case lockHeld:
			if !l.state.CompareAndSwap(lockHeld, lockContended) {
				continue // released meanwhile
			}
		}
		break
	}
	owner := l.owner.Load()
	if task != nil && owner == task {
		l.maybeUncontendLocked()
		l.mu.Unlock()
		return errLockHeld
	}
	w := newSyncWaiter(ctx, task)
	l.waiters.push(w)
	l.mu.Unlock()
	_, err := grantWait{mu: &l.mu, queue: &l.waiters, passOn: l.passOnLocked, left: l.maybeUncontendLocked}.
		wait(ctx, w, waitReason(ctx, "acquire of a Lock", func() string { return taskLabel(owner) }))
	return err
}

// passOnLocked hands the lock a cancelled waiter was given to the next.
func (l *Lock) passOnLocked() []*syncWaiter { return waitersOf(l.releaseLocked()) }

// maybeUncontendLocked lets Release take the fast path again once nobody
// waits.
func (l *Lock) maybeUncontendLocked() {
	if l.waiters.empty() {
		l.state.CompareAndSwap(lockContended, lockHeld)
	}
}

// AcquireNowait takes the lock if that needs no waiting.
func (l *Lock) AcquireNowait(ctx context.Context) error {
	task := taskOf(ctx)
	if l.state.CompareAndSwap(lockFree, lockHeld) {
		l.owner.Store(task)
		return nil
	}
	if task != nil && l.owner.Load() == task {
		return errLockHeldByMe
	}
	return ErrWouldBlock
}

// Release releases the lock, handing it to the oldest waiter.
func (l *Lock) Release() {
	if l.state.Load() == lockHeld {
		l.owner.Store(nil)
		if l.state.CompareAndSwap(lockHeld, lockFree) {
			return
		}
	}
	l.mu.Lock()
	if l.state.Load() == lockFree {
		l.mu.Unlock()
		panic(errLockNotHeld)
	}
	next := l.releaseLocked()
	l.mu.Unlock()
	wakeSync(next)
}

// releaseLocked hands the lock to the oldest live waiter, whom the caller
// wakes after unlocking, or frees it.
func (l *Lock) releaseLocked() *syncWaiter {
	if next := l.waiters.popLive(); next != nil {
		l.owner.Store(next.task)
		next.granted = true
		if l.waiters.empty() {
			l.state.Store(lockHeld)
		}
		return next
	}
	l.owner.Store(nil)
	l.state.Store(lockFree)
	return nil
}

// heldBy reports whether task holds the lock; for task 0, whether anyone
// does.
func (l *Lock) heldBy(task *anyiort.Task) bool {
	return l.state.Load() != lockFree && (task == nil || l.owner.Load() == task)
}

// Locked reports whether the lock is held.
func (l *Lock) Locked() bool { return l.state.Load() != lockFree }

// Statistics describes the lock now.
func (l *Lock) Statistics() LockStatistics {
	l.mu.Lock()
	defer l.mu.Unlock()
	return LockStatistics{Locked: l.state.Load() != lockFree, Owner: l.owner.Load().Info(), TasksWaiting: l.waiters.waiting()}
}
