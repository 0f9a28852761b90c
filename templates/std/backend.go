// Package std is the template of the std backend: goroutines, the wall
// clock and the operating system's network. The generator merges its files
// into the generated package; every name here starts with "std".
package std

import (
	"runtime"
	"sync/atomic"
	"time"

	anyiort "github.com/anyiogen/anyiogen/runtime"
)

// stdBackend is the std backend of one run, or, for contexts that no Run
// made, of the process: the Go runtime is the scheduler. A run's backend
// counts its tasks, for WaitAllTasksBlocked; the process's keeps no books
// (run is nil), so that code outside any Run pays nothing for them.
type stdBackend struct{ run *stdRun }

// stdRun counts the tasks of a run and those of them parked in a waiter.
type stdRun struct {
	live    atomic.Int64 // tasks started and not returned, main included
	blocked atomic.Int64 // of those, parked in a waiter
}

func newStdBackend(cfg *anyiort.RunConfig) (anyiort.Backend, error) {
	if !cfg.ForRun {
		return stdBackend{}, nil
	}
	return stdBackend{run: new(stdRun)}, nil
}

func (stdBackend) Name() string { return "std" }

func (b stdBackend) Run(main func() error) error {
	if b.run != nil {
		b.run.live.Add(1)
		defer b.run.live.Add(-1)
	}
	return main()
}

func (stdBackend) Now() time.Time { return time.Now() }
func (stdBackend) Yield()         { runtime.Gosched() }

// Go starts fn; portable code calls TaskExited when fn returns, which
// spares wrapping fn in a counting closure.
func (b stdBackend) Go(_ string, fn func()) {
	if b.run != nil {
		b.run.live.Add(1)
	}
	go fn()
}

// TaskExited implements anyiort.TaskTracker.
func (b stdBackend) TaskExited() {
	if b.run != nil {
		b.run.live.Add(-1)
	}
}

func (b stdBackend) NewWaiter() anyiort.Waiter {
	return &stdWaiter{ch: make(chan struct{}, 1), run: b.run}
}

var _ anyiort.TaskTracker = stdBackend{}

func (stdBackend) AfterFunc(d time.Duration, f func()) anyiort.Timer {
	return time.AfterFunc(d, f)
}

// blockedIn counts the calling task as blocked until the returned function
// is called: a read or an accept of the package waits on the network,
// which WaitAllTasksBlocked counts as a wait of the package. A read that
// finds data at once is counted for an instant.
func (r *stdRun) blockedIn() (done func()) {
	if r == nil {
		return stdNothing
	}
	r.blocked.Add(1)
	return r.unblock
}

func (r *stdRun) unblock() { r.blocked.Add(-1) }

func stdNothing() {}
