package sim

import anyiort "github.com/anyiogen/anyiogen/runtime"

// GoThread implements anyiort.Threads: fn runs in a goroutine of its own,
// and until it returns the scheduler runs no task but those started from
// outside the run (which fn may be waiting for), fires no timer that is
// not already due and moves no clock: fn takes no virtual time, however
// long it takes in wall time, and the run stays deterministic. Nor is a
// run with a thread in flight a deadlock: the scheduler waits for it.
func (b *simBackend) GoThread(fn func()) {
	b.mu.Lock()
	b.threads++
	b.mu.Unlock()
	go func() {
		if b.knowsGoroutines() {
			// A ToThread function's calls into the run keep their rules:
			// it is not a goroutine to adopt, nor a stranger.
			g := simGID()
			b.mu.Lock()
			b.threadGIDs[g] = true
			b.mu.Unlock()
			defer func() {
				b.mu.Lock()
				delete(b.threadGIDs, g)
				b.mu.Unlock()
			}()
		}
		defer func() {
			b.mu.Lock()
			b.threads--
			idle := b.idle
			b.mu.Unlock()
			if idle {
				b.sendKick()
			}
		}()
		fn()
	}()
}

// GoFromOutside implements anyiort.Threads: fn becomes a task that may run
// while a thread is in flight, as may every task it starts. It is served at
// the scheduler's next decision.
func (b *simBackend) GoFromOutside(task *anyiort.Task, fn func()) bool {
	b.mu.Lock()
	if b.over {
		b.mu.Unlock()
		return false
	}
	t := b.newTaskLocked(task.Name, b.currentHostLocked(), fn)
	t.taskID, t.core, t.outside = task.ID, task, true
	b.readyLocked(t)
	idle := b.idle
	b.mu.Unlock()
	if idle {
		b.sendKick()
	}
	return true
}

// nextOutsideLocked is nextLocked while a thread is in flight: a random task
// among the runnable ones started from outside, or nil.
func (b *simBackend) nextOutsideLocked() *simTask {
	var eligible []int
	for i, t := range b.runnable {
		if t.outside {
			eligible = append(eligible, i)
		}
	}
	if len(eligible) == 0 {
		return nil
	}
	i := eligible[0]
	if len(eligible) > 1 {
		i = eligible[b.drawLocked(len(eligible))]
	}
	t := b.runnable[i]
	n := len(b.runnable)
	b.runnable[i] = b.runnable[n-1]
	b.runnable[n-1] = nil
	b.runnable = b.runnable[:n-1]
	return t
}

// outsideParkedLocked reports whether a task started from outside the run
// is parked, waiting for something.
func (b *simBackend) outsideParkedLocked() bool {
	for _, t := range b.live {
		if t.outside && t.state == simParked {
			return true
		}
	}
	return false
}

var _ anyiort.Threads = (*simBackend)(nil)
