package core

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"
	"sync"

	anyiort "github.com/anyiogen/anyiogen/runtime"
)

// CapacityLimiter lends a limited number of tokens, one per borrower.
type CapacityLimiter struct {
	mu        sync.Mutex // guards every field below
	total     int        // math.MaxInt when unbounded
	borrowers []limiterLoan
	// held indexes the keys of borrowers once there are many; a few are
	// found faster by scanning borrowers.
	held    map[any]bool
	waiters waitQueue
}

// limiterLoan is one borrowed token: who holds it. A task's key is its
// *anyiort.Task, shown as its TaskInfo; task 0's, a *taskZeroLoan.
type limiterLoan struct{ key any }

// shown is what Statistics shows of the borrower.
func (b limiterLoan) shown() any {
	switch k := b.key.(type) {
	case *anyiort.Task:
		return k.Info()
	case *taskZeroLoan:
		return TaskInfo{}
	}
	return b.key
}

// CapacityLimiterStatistics describes a CapacityLimiter at one moment.
type CapacityLimiterStatistics struct {
	BorrowedTokens, TotalTokens, TasksWaiting int
	Borrowers                                 []any // in the order they acquired; a task borrower is its TaskInfo
}

// taskZeroLoan is the borrower of one acquire made with a context that no
// task carries: each is a borrower of its own.
type taskZeroLoan struct{ _ byte }

var (
	errAlreadyBorrowing = errors.New("anyio: CapacityLimiter: this borrower already holds one of its tokens")
	errNotBorrowing     = errors.New("anyio: CapacityLimiter: this borrower holds none of its tokens")
)

// NewCapacityLimiter returns a limiter with totalTokens tokens.
func NewCapacityLimiter(totalTokens int) *CapacityLimiter {
	l := &CapacityLimiter{}
	l.total = checkTotalTokens("NewCapacityLimiter", totalTokens)
	return l
}

func checkTotalTokens(what string, n int) int {
	switch {
	case n == Unbounded:
		return math.MaxInt
	case n < 0:
		panic(fmt.Sprintf("anyio: %s: %d tokens: want 0 or more, or Unbounded", what, n))
	}
	return n
}

// borrowerOf is the borrower a task's acquire or release stands for; nil
// for task 0.
func borrowerOf(ctx context.Context) (key any, taskZero bool) {
	if t := taskOf(ctx); t != nil {
		return t, false
	}
	return nil, true
}

// Acquire borrows a token for the calling task, waiting while none is free.
func (l *CapacityLimiter) Acquire(ctx context.Context) error {
	key, zero := borrowerOf(ctx)
	if zero {
		key = &taskZeroLoan{}
	}
	return l.acquire(ctx, key)
}

// AcquireNowait borrows a token for the calling task if one is free.
func (l *CapacityLimiter) AcquireNowait(ctx context.Context) error {
	key, zero := borrowerOf(ctx)
	if zero {
		key = &taskZeroLoan{}
	}
	return l.acquireNowait(key)
}

// AcquireOnBehalfOf borrows a token for borrower, waiting while none is free.
func (l *CapacityLimiter) AcquireOnBehalfOf(ctx context.Context, borrower any) error {
	return l.acquire(ctx, borrower)
}

// AcquireOnBehalfOfNowait borrows a token for borrower if one is free.
func (l *CapacityLimiter) AcquireOnBehalfOfNowait(borrower any) error {
	return l.acquireNowait(borrower)
}

func (l *CapacityLimiter) acquireNowait(key any) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	switch {
	case l.holdsLocked(key):
		return errAlreadyBorrowing
	case len(l.borrowers) >= l.total || !l.waiters.empty():
		return ErrWouldBlock
	}
	l.lendLocked(key)
	return nil
}

func (l *CapacityLimiter) acquire(ctx context.Context, key any) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	l.mu.Lock()
	if l.holdsLocked(key) {
		l.mu.Unlock()
		return errAlreadyBorrowing
	}
	if len(l.borrowers) < l.total && l.waiters.empty() {
		l.lendLocked(key)
		l.mu.Unlock()
		afterUncontended(ctx)
		return nil
	}
	w := newSyncWaiter(ctx, taskOf(ctx))
	w.borrower = key
	l.waiters.push(w)
	l.mu.Unlock()
	passOn := func() []*syncWaiter { return l.returnLocked(key) }
	_, err := grantWait{mu: &l.mu, queue: &l.waiters, passOn: passOn}.
		wait(ctx, w, waitReason(ctx, "acquire of a CapacityLimiter", l.holders))
	return err
}

// limiterIndexAt is how many borrowers make a limiter index them.
const limiterIndexAt = 16

func (l *CapacityLimiter) lendLocked(key any) {
	l.borrowers = append(l.borrowers, limiterLoan{key: key})
	switch {
	case l.held != nil:
		l.held[key] = true
	case len(l.borrowers) > limiterIndexAt:
		l.held = make(map[any]bool, len(l.borrowers))
		for _, b := range l.borrowers {
			l.held[b.key] = true
		}
	}
}

func (l *CapacityLimiter) holdsLocked(key any) bool {
	if l.held != nil {
		return l.held[key]
	}
	for _, b := range l.borrowers {
		if b.key == key {
			return true
		}
	}
	return false
}

// Release returns the calling task's token.
func (l *CapacityLimiter) Release(ctx context.Context) error {
	key, zero := borrowerOf(ctx)
	l.mu.Lock()
	if zero {
		// Task 0 returns any one of the tokens that task 0 borrowed.
		for _, b := range l.borrowers {
			if _, ok := b.key.(*taskZeroLoan); ok {
				key = b.key
				break
			}
		}
	}
	return l.giveBackLocked(key)
}

// ReleaseOnBehalfOf returns borrower's token.
func (l *CapacityLimiter) ReleaseOnBehalfOf(borrower any) error {
	l.mu.Lock()
	return l.giveBackLocked(borrower)
}

// giveBackLocked returns key's token, if key holds one, and wakes whom it
// goes to. It is called with l.mu held and releases it.
func (l *CapacityLimiter) giveBackLocked(key any) error {
	if !l.holdsLocked(key) {
		l.mu.Unlock()
		return errNotBorrowing
	}
	wake := l.returnLocked(key)
	l.mu.Unlock()
	wakeAll(wake)
	return nil
}

// returnLocked takes key's token back and lends what is free to the oldest
// waiters; the caller wakes them after unlocking.
func (l *CapacityLimiter) returnLocked(key any) []*syncWaiter {
	delete(l.held, key)
	for i, b := range l.borrowers {
		if b.key == key {
			l.borrowers = append(l.borrowers[:i], l.borrowers[i+1:]...)
			break
		}
	}
	return l.lendToWaitersLocked()
}

func (l *CapacityLimiter) lendToWaitersLocked() []*syncWaiter {
	var wake []*syncWaiter
	for len(l.borrowers) < l.total {
		w := l.waiters.popLive()
		if w == nil {
			break
		}
		w.granted = true
		l.lendLocked(w.borrower)
		wake = append(wake, w)
	}
	return wake
}

// TotalTokens is the number of tokens; Unbounded for no limit.
func (l *CapacityLimiter) TotalTokens() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return shownTotal(l.total)
}

func shownTotal(n int) int {
	if n == math.MaxInt {
		return Unbounded
	}
	return n
}

// SetTotalTokens changes the number of tokens.
func (l *CapacityLimiter) SetTotalTokens(n int) {
	total := checkTotalTokens("CapacityLimiter.SetTotalTokens", n)
	l.mu.Lock()
	l.total = total
	wake := l.lendToWaitersLocked()
	l.mu.Unlock()
	wakeAll(wake)
}

// BorrowedTokens is the number of tokens lent.
func (l *CapacityLimiter) BorrowedTokens() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.borrowers)
}

// AvailableTokens is the number of tokens free; Unbounded for no limit.
func (l *CapacityLimiter) AvailableTokens() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.total == math.MaxInt {
		return Unbounded
	}
	return max(0, l.total-len(l.borrowers))
}

// Statistics describes the limiter now.
func (l *CapacityLimiter) Statistics() CapacityLimiterStatistics {
	l.mu.Lock()
	defer l.mu.Unlock()
	shown := make([]any, len(l.borrowers))
	for i, b := range l.borrowers {
		shown[i] = b.shown()
	}
	return CapacityLimiterStatistics{
		BorrowedTokens: len(l.borrowers),
		TotalTokens:    shownTotal(l.total),
		TasksWaiting:   l.waiters.waiting(),
		Borrowers:      shown,
	}
}

// holders names the borrowers, for a report.
func (l *CapacityLimiter) holders() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	var names []string
	for _, b := range l.borrowers {
		switch k := b.key.(type) {
		case *anyiort.Task:
			names = append(names, taskLabel(k))
		case *taskZeroLoan:
			names = append(names, taskLabel(nil))
		default:
			names = append(names, fmt.Sprintf("%v", b.key))
		}
	}
	return strings.Join(names, ", ")
}
