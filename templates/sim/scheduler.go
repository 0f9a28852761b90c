package sim

import "time"

// Yield is a scheduling point: the calling task goes back to the runnable
// set and the scheduler picks, at random, who runs next (maybe the caller).
func (b *simBackend) Yield() {
	if b.adopting.Load() && b.passYield() {
		return
	}
	if !b.admit(simCall{}) {
		return
	}
	b.pollForeignHere()
	b.mu.Lock()
	switch t := b.current; {
	case t == nil || b.strangerLocked():
		if !b.over {
			b.failLocked(b.outsideAnyTaskLocked("Yield"))
		}
	case t.dying:
		// The run is over and t unwinds: let its deferred calls finish.
	default:
		b.readyLocked(t)
		b.switchLocked(t)
	}
	b.mu.Unlock()
}

// switchLocked gives up the baton held by t, which the caller already queued
// or parked, and returns once t holds it again. b.mu is held on entry and on
// return, but not while t is suspended. When the run is over, t never comes
// back: it unwinds with runtime.Goexit so its deferred calls still run.
func (b *simBackend) switchLocked(t *simTask) {
	b.stampProgressLocked()
	t.yields = 0
	var next *simTask // while adopting, only the scheduler decides
	if !b.adopting.Load() {
		next = b.nextLocked()
		if next == t {
			t.state = simRunning
			return
		}
	}
	if b.tracer != nil {
		b.traceStopLocked(t)
	}
	b.handOffLocked(next)
	<-t.resume
	b.mu.Lock()
	b.resumedLocked(t)
}

// handOffLocked gives the baton to next, or to the scheduler loop when next
// is nil, and releases b.mu. A task's goroutine is started on its first turn.
func (b *simBackend) handOffLocked(next *simTask) {
	b.current = next
	if next == nil {
		b.mu.Unlock()
		b.sendKick()
		return
	}
	next.state = simRunning
	if b.tracer != nil {
		b.traceRunLocked(next)
	}
	if !next.started {
		next.started = true
		b.mu.Unlock()
		go b.runTask(next)
		return
	}
	b.mu.Unlock()
	next.resume <- struct{}{}
}

// nextLocked removes a random task from the runnable set and returns it. It
// returns nil, meaning "the scheduler's turn", when the set is empty, a timer
// is due (it fires before any task runs, so a deadline in the past cancels
// at the next checkpoint even in a busy loop) or the run is over.
func (b *simBackend) nextLocked() *simTask {
	draw := 0 // how many of the runnable set to draw from: the urgent ones that lead it, or all
	if b.adopting.Load() {
		b.numberArrivalsLocked()
		draw = b.sortRunnableLocked()
	}
	n := len(b.runnable)
	if n == 0 || b.over || b.timerDueLocked() {
		return nil
	}
	if b.threads > 0 {
		return b.nextOutsideLocked()
	}
	if draw == 0 {
		draw = n
	}
	i := 0
	if draw > 1 {
		i = b.pickLocked(draw)
	}
	t := b.runnable[i]
	b.runnable[i] = b.runnable[n-1]
	b.runnable[n-1] = nil
	b.runnable = b.runnable[:n-1]
	t.urgent = false
	return t
}

// awaitBaton blocks the scheduler loop until the baton comes back to it,
// checking on each tick that the running task still reaches scheduling points.
func (b *simBackend) awaitBaton(tick <-chan time.Time) {
	for {
		if b.adopting.Load() {
			b.settle()
			b.mu.Lock()
			b.takeBackLocked()
			b.mu.Unlock()
			return
		}
		select {
		case <-b.kick:
		case <-tick:
			b.watchdogTick()
		}
		b.mu.Lock()
		free, arrived := b.current == nil, len(b.arrivals) > 0
		b.mu.Unlock()
		if free {
			return
		}
		if arrived {
			// A goroutine the run did not start called in while the
			// holder ran. Adopting begins once every goroutine is
			// blocked: the holder has given the baton back, or blocked
			// outside the simulator and is taken back (above).
			b.settle()
			b.mu.Lock()
			b.adoptArrivedLocked()
			b.mu.Unlock()
		}
	}
}

// schedule is the scheduler's turn. In this order it fires a due timer, gives
// the baton to a runnable task, moves the clock to the next timer, waits for
// a foreign context's cancellation, or declares deadlock. It reports whether
// the run is over; otherwise a task now holds the baton.
func (b *simBackend) schedule(tick <-chan time.Time) (over bool) {
	var idleSince time.Time
	for {
		b.settle()
		b.mu.Lock()
		if b.over {
			b.mu.Unlock()
			return true
		}
		b.adoptArrivedLocked()
		if tm := b.popDueLocked(); tm != nil {
			if b.tracer != nil {
				b.traceTimerLocked(tm)
			}
			b.mu.Unlock()
			b.fire(tm)
			continue
		}
		if next := b.nextLocked(); next != nil {
			b.stampProgressLocked()
			b.handOffLocked(next)
			return false
		}
		if b.threads > 0 {
			b.whileInThreadLocked(tick)
			continue
		}
		if again, over := b.allBlockedLocked(tick, &idleSince); !again {
			return over
		}
	}
}

// whileInThreadLocked is the turn while a ToThread function runs: nothing
// else may run, and the clock stands still, until it returns, unless the
// tasks it called in from outside are waiting for a timer: then time
// passes for them. b.mu is held on entry and released.
func (b *simBackend) whileInThreadLocked(tick <-chan time.Time) {
	if next, pending := b.timers.Next(); pending && b.outsideParkedLocked() {
		b.advanceLocked(next)
		b.mu.Unlock()
		return
	}
	b.idleWait(tick)
}

// allBlockedLocked is the turn when no task can run and no timer is due:
// a foreign context may have been cancelled, WaitAllTasksBlocked callers
// go on, or the clock moves to the next wake-up. It reports whether to
// take another turn, and if not whether the run is over. b.mu is held on
// entry and released.
func (b *simBackend) allBlockedLocked(tick <-chan time.Time, idleSince *time.Time) (again, over bool) {
	if len(b.fallbacks) > 0 {
		b.mu.Unlock()
		if b.pollForeign() {
			return true, false
		}
		b.mu.Lock()
		if b.over || len(b.runnable) > 0 {
			b.mu.Unlock()
			return true, false
		}
	}
	if b.wakeQuiescentLocked() {
		// Every task but the WaitAllTasksBlocked callers is blocked: they
		// go on before the clock moves.
		b.mu.Unlock()
		return true, false
	}
	if when, ok := b.nextWakeLocked(); ok {
		b.advanceLocked(when)
		b.mu.Unlock()
		return true, false
	}
	return b.nothingToWakeLocked(tick, idleSince)
}

// nothingToWakeLocked is the turn when nothing in the run can wake a task:
// a deadlock, unless a context the run does not control can still be
// cancelled, from another goroutine: that gets the watchdog's time to come
// (inside a bubble, the goroutine is in the bubble too, and the fake clock
// reaches the horizon only once nothing can cancel it). b.mu is held on
// entry and released.
func (b *simBackend) nothingToWakeLocked(tick <-chan time.Time, idleSince *time.Time) (again, over bool) {
	deadlock := func(waited time.Duration) (bool, bool) {
		b.endRunLocked(b.deadlockLocked(waited))
		b.mu.Unlock()
		return false, true
	}
	switch {
	case len(b.fallbacks) == 0 && !b.mayAdopt():
		// In a run that may adopt, a goroutine blocked outside the
		// simulator (one the run adopted, or one started with go that has
		// not called in yet) may still be woken by the bubble's clock: the
		// horizon says when not.
		return deadlock(0)
	case b.bubble:
		idleAt := b.clockLocked()
		if b.idleWait(tick) {
			b.mu.Lock()
			b.stoppedAt = idleAt
			return deadlock(0)
		}
		return true, false
	case idleSince.IsZero():
		*idleSince = time.Now()
	default:
		if waited := time.Since(*idleSince); waited >= b.watchdog {
			return deadlock(waited)
		}
	}
	b.idleWait(tick)
	return true, false
}

// idleWait releases b.mu, which is held on entry, and waits until a kick
// (something outside the simulation made a task runnable) or a tick. It
// reports whether the tick came.
func (b *simBackend) idleWait(tick <-chan time.Time) (ticked bool) {
	b.idle = true
	b.mu.Unlock()
	select {
	case <-b.kick:
	case <-tick:
		ticked = true
	}
	b.mu.Lock()
	b.idle = false
	b.mu.Unlock()
	return ticked
}

// cleanup unwinds, one at a time and in creation order, every task still
// parked once the run is over, so that their deferred calls run and their
// goroutines end. Tasks that never started are simply dropped.
func (b *simBackend) cleanup(tick <-chan time.Time) {
	b.mu.Lock()
	var left []*simTask
	for _, t := range b.live {
		if t.started && !t.kill && t.state != simOutside {
			left = append(left, t)
		}
	}
	for _, a := range b.arrivals {
		left = append(left, a.t) // id 0: released first, and their calls fail
	}
	b.arrivals = nil
	b.mu.Unlock()
	for _, t := range simByID(left) {
		b.mu.Lock()
		if t.state == simDone || t.kill {
			b.mu.Unlock()
			continue
		}
		t.kill, t.state, b.current = true, simRunning, t
		b.mu.Unlock()
		t.resume <- struct{}{}
		b.awaitBaton(tick)
	}
	b.mu.Lock()
	b.runnable = nil
	b.mu.Unlock()
}
