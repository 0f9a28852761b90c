package sim

import (
	"context"
	"fmt"
	"runtime"
	"slices"
	"time"

	anyiort "github.com/anyiogen/anyiogen/runtime"
)

// simRunOver is what a scheduling point returns to a task that unwinds
// because the run ended. It is a cancellation, so code in deferred calls
// treats it like any other and lets go.
type simRunOver struct{}

func (simRunOver) Error() string { return "anyio sim: the run has ended: " + context.Canceled.Error() }
func (simRunOver) Unwrap() error { return context.Canceled }

// simWaiter is a binary semaphore owned by the task that made it.
type simWaiter struct {
	b    *simBackend
	task *simTask // nil when made outside any task
	err  error    // why task is nil

	// Guarded by b.mu.
	woken     bool   // a Wake not yet consumed by a Wait
	waiting   bool   // task is inside Wait
	cancelled bool   // the ctx of the current Wait was cancelled
	gen       uint64 // counts Waits, so a late callback from an old one is ignored
}

// NewWaiter returns a waiter owned by the calling task. Called outside any
// task it ends the run with a misuse error, which its Wait also returns.
func (b *simBackend) NewWaiter() anyiort.Waiter {
	b.mu.Lock()
	defer b.mu.Unlock()
	if !b.admitLocked(simCall{}) {
		return &simWaiter{b: b, err: simRunOver{}}
	}
	if b.strangerLocked() {
		return &simWaiter{b: b, err: b.failLocked(b.outsideAnyTaskLocked("NewWaiter"))}
	}
	w := &simWaiter{b: b, task: b.current}
	if w.task == nil {
		w.err = simRunOver{}
		if !b.over {
			w.err = b.failLocked(b.outsideAnyTaskLocked("NewWaiter"))
		}
	}
	return w
}

// Wait parks the owning task until Wake (nil) or until ctx is done
// (ctx.Err()). It is always a scheduling point, even when it returns at once.
func (w *simWaiter) Wait(ctx context.Context, reason string) error {
	if !w.admit(ctx, reason) {
		return simRunOver{}
	}
	w.b.pollForeignHere()
	if err := w.b.simWallDeadline(ctx, reason); err != nil {
		return err
	}
	ctxErr := ctx.Err() // never call into ctx with b.mu held: its locks come first
	b := w.b
	b.mu.Lock()
	if err := w.enterLocked(reason); err != nil {
		b.mu.Unlock()
		return err
	}
	if w.woken || ctxErr != nil {
		woke := w.woken
		w.woken = false
		b.readyLocked(w.task)
		b.switchLocked(w.task)
		b.mu.Unlock()
		if woke {
			return nil
		}
		return ctxErr
	}
	for {
		w.gen++
		w.waiting, w.cancelled = true, false
		w.task.reason = reason
		gen := w.gen
		b.mu.Unlock()
		if w.park(ctx, gen) {
			return nil
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		// Woken by neither: a stale wake-up. Wait again.
		b.mu.Lock()
		if w.task.dying {
			b.mu.Unlock()
			return simRunOver{} // an adopted goroutine at the run's end
		}
	}
}

// admit is simBackend.admit for a Wait. A waiter is waited on only by the
// task that made it, so when that task holds the baton the caller is it,
// and no goroutine id is needed.
func (w *simWaiter) admit(ctx context.Context, reason string) bool {
	b := w.b
	if !b.mayAdopt() {
		return true
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if w.task != nil && b.current == w.task {
		return true
	}
	return b.admitLocked(simCall{ctx, reason})
}

// enterLocked checks that the owning task is the one running.
func (w *simWaiter) enterLocked(reason string) error {
	b, t := w.b, w.task
	switch {
	case t == nil:
		return w.err
	case t.kill && !t.dying:
		// The watchdog gave up on t and it has come back: unwind it.
		t.dying = true
		b.mu.Unlock()
		runtime.Goexit()
	case t.dying, b.over && b.current != t:
		return simRunOver{}
	case b.current != t:
		return b.failLocked(&simMisuseError{task: t, what: fmt.Sprintf("its waiter was waited on (%q) from outside the task", reason)})
	}
	return nil
}

// park suspends the task until a Wake or ctx's cancellation and reports
// whether a Wake ended it. The deferred calls also run when the task is
// unwound, so no callback outlives the run.
func (w *simWaiter) park(ctx context.Context, gen uint64) (woke bool) {
	b, t := w.b, w.task
	if stop := w.watch(ctx, gen); stop != nil {
		defer stop()
	}
	b.mu.Lock()
	if w.woken || w.cancelled {
		b.readyLocked(t)
	} else {
		t.state = simParked
	}
	b.switchLocked(t)
	w.waiting = false
	woke, w.woken = w.woken, false
	b.mu.Unlock()
	return woke
}

// watch arranges for ctx's cancellation to end Wait number gen. A scope's
// context tells us synchronously, in the goroutine that cancels, which keeps
// the run deterministic; any other context is a foreign watch.
func (w *simWaiter) watch(ctx context.Context, gen uint64) (stop func() bool) {
	if ctx.Done() == nil {
		return nil
	}
	cancelled := func() { w.cancel(gen) }
	if n := anyiort.FindNotifier(ctx); n != nil {
		return n.NotifyCancel(cancelled)
	}
	return w.b.watchForeign(&simForeignWatch{ctx: ctx, f: cancelled, task: w.task})
}

// Wake ends the current or next Wait. It never blocks and is safe from any
// task, timer or goroutine.
func (w *simWaiter) Wake() {
	b := w.b
	b.mu.Lock()
	w.woken = true
	b.unparkLocked(w)
	b.mu.Unlock()
}

// cancel ends Wait number gen because its ctx was cancelled.
func (w *simWaiter) cancel(gen uint64) {
	b := w.b
	b.mu.Lock()
	if w.gen == gen && w.waiting {
		w.cancelled = true
		b.unparkLocked(w)
	}
	b.mu.Unlock()
}

// unparkLocked makes w's task runnable if it is parked on w. A task that is
// still running notices w.woken or w.cancelled before it parks.
func (b *simBackend) unparkLocked(w *simWaiter) {
	if !w.waiting || w.task.state != simParked || w.task.kill {
		return
	}
	b.readyLocked(w.task)
	if b.idle {
		b.sendKick()
	}
}

// simForeignWatch is a watch on a context that anyio does not control, such
// as one from context.WithCancel. Its cancellation is only announced by
// context.AfterFunc, on a goroutine of its own, at a moment the simulator
// does not choose; so before the clock moves or the run is declared stuck,
// the scheduler asks each watched context itself (pollForeign). A
// cancellation by another task thereby counts at once, deterministically.
type simForeignWatch struct {
	ctx  context.Context
	f    func()
	task *simTask // the task whose Wait it is, if any, for deadlock reports

	deadlineRead bool // due and hasDue hold ctx's deadline
	hasDue       bool
	due          time.Time
}

// WatchForeign implements anyiort.ForeignWatcher: f runs in the scheduler,
// with no task running, once pollForeign finds ctx done.
func (b *simBackend) WatchForeign(ctx context.Context, f func()) (stop func() bool) {
	return b.watchForeign(&simForeignWatch{ctx: ctx, f: f})
}

func (b *simBackend) watchForeign(fw *simForeignWatch) (stop func() bool) {
	b.mu.Lock()
	b.fallbacks = append(b.fallbacks, fw)
	if fw.task != nil {
		fw.task.foreign = true
	}
	b.mu.Unlock()
	// The poll delivers the cancellation; this only wakes an idle scheduler.
	stopKick := context.AfterFunc(fw.ctx, b.kickIfIdle)
	return func() bool {
		stopKick()
		return b.unwatchForeign(fw)
	}
}

// unwatchForeign reports whether fw was still registered.
func (b *simBackend) unwatchForeign(fw *simForeignWatch) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	i := slices.Index(b.fallbacks, fw)
	if i < 0 {
		return false
	}
	b.fallbacks = slices.Delete(b.fallbacks, i, i+1)
	if fw.task != nil {
		fw.task.foreign = false
	}
	return true
}

func (b *simBackend) kickIfIdle() {
	b.mu.Lock()
	idle := b.idle
	b.mu.Unlock()
	if idle {
		b.sendKick()
	}
}

// pollForeignHere polls the foreign watches at a task's scheduling point.
// The scheduler polls too, but only when nothing is runnable: a task that
// keeps yielding would otherwise keep a cancelled foreign context from ever
// reaching the task waiting on it. Only the task holding the baton runs
// this, so the order stays the seed's.
func (b *simBackend) pollForeignHere() {
	b.mu.Lock()
	poll := len(b.fallbacks) > 0 && b.current != nil && !b.current.dying
	b.mu.Unlock()
	if poll {
		b.pollForeign()
	}
}

// pollForeign runs the watches whose context is done, in the order they
// began, and reports whether it ran any. It must be called without b.mu: a
// context's methods take their own locks.
func (b *simBackend) pollForeign() bool {
	b.mu.Lock()
	watches := slices.Clone(b.fallbacks)
	b.mu.Unlock()
	ran := false
	for _, fw := range watches {
		if b.bubble {
			fw.settle()
		}
		if fw.ctx.Err() != nil && b.unwatchForeign(fw) {
			fw.f()
			ran = true
		}
	}
	return ran
}
