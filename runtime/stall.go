package anyiort

import (
	"sync"
	"sync/atomic"
	"time"
)

// SharedClock is implemented by a backend whose virtual clock is also the
// time package's: a simulated run inside a testing/synctest bubble, where
// time.Now, timers and so context.WithTimeout follow the run's clock. There
// a deadline from the context package is on the run's clock and is honoured
// rather than refused.
type SharedClock interface {
	ClockIsShared() bool
}

// A Stall is a simulated run inside a testing/synctest bubble, watched from
// outside the bubble. Inside, only the fake clock exists, and it stands still
// while any goroutine is blocked in a way the bubble cannot see (a
// sync.Mutex, a system call, a busy loop); a watcher outside, on the wall
// clock, is the only one who can tell that such a run stopped making
// progress. The run counts its scheduling points with Progress.
type Stall struct {
	progress atomic.Uint64
	limit    time.Duration
	describe func() string
}

// stalls holds the runs registered with RegisterStall.
var stalls struct {
	sync.Mutex
	runs map[*Stall]struct{}
}

// RegisterStall registers a run that tolerates limit of wall time between
// two scheduling points. describe says, when asked, which task holds the run
// and what it is stuck in, or "" when no task is to blame (a thread's
// function runs, say). Unregister it when the run is over.
func RegisterStall(limit time.Duration, describe func() string) *Stall {
	s := &Stall{limit: limit, describe: describe}
	stalls.Lock()
	defer stalls.Unlock()
	if stalls.runs == nil {
		stalls.runs = map[*Stall]struct{}{}
	}
	stalls.runs[s] = struct{}{}
	return s
}

// Progress records a scheduling point.
func (s *Stall) Progress() { s.progress.Add(1) }

// Unregister ends the watch of s.
func (s *Stall) Unregister() {
	stalls.Lock()
	defer stalls.Unlock()
	delete(stalls.runs, s)
}

// WatchStalls watches, from the calling goroutine's side of any bubble (call
// it outside one), every registered run, and calls report once with the
// description of a run that made no progress for its limit of wall time.
// stop ends the watch and waits for its goroutine to return.
func WatchStalls(report func(description string)) (stop func()) {
	quit, done := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done)
		type seen struct {
			progress uint64
			since    time.Time
		}
		last := map[*Stall]seen{}
		tick := time.NewTicker(50 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-quit:
				return
			case now := <-tick.C:
				stalls.Lock()
				runs := make([]*Stall, 0, len(stalls.runs))
				for s := range stalls.runs {
					runs = append(runs, s)
				}
				stalls.Unlock()
				next := make(map[*Stall]seen, len(runs))
				for _, s := range runs {
					p := s.progress.Load()
					was, ok := last[s]
					if !ok || was.progress != p {
						was = seen{progress: p, since: now}
					}
					next[s] = was
					if now.Sub(was.since) < s.limit {
						continue
					}
					if d := s.describe(); d != "" {
						report(d)
						return
					}
				}
				last = next
			}
		}
	}()
	return func() {
		close(quit)
		<-done
	}
}
