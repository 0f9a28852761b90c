package sim

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	anyiort "github.com/anyiogen/anyiogen/runtime"
	simtrace "github.com/anyiogen/anyiogen/templates/sim/trace"
)

// simBackend is the sim backend of one run.
//
// Exactly one party holds the baton at a time: the task in current, or, when
// current is nil, the scheduler loop in Run's goroutine (which fires timers,
// moves the clock and detects deadlock). A task hands the baton straight to
// the next task it picks, so a task switch costs one goroutine handoff; it
// goes back to the scheduler only when nothing is runnable or a timer is due.
type simBackend struct {
	net *simNet
	// kick tells the scheduler loop that the baton came back, or, while it
	// is idle, that something outside the simulation made a task runnable.
	kick chan struct{}

	mu          sync.Mutex         // guards every field below, and the tasks' and waiters' state
	simTasks                       // who runs, who may, who waits (task.go)
	simClock                       // the virtual clock and its timers (clock.go)
	simDraws                       // every draw from the seed (draws.go)
	simLiveness                    // the watchdog and the foreign contexts (watchdog.go)
	simHosts                       // the hosts RunHost started (clusterhost.go)
	simAdoption                    // goroutines the run did not start (adopt.go)
	simOutcome                     // how the run ended
	tracer      *simtrace.Recorder // nil unless Trace is on
	flows       uint64             // the trace's arrows so far, for their ids
}

// simOutcome is how a run ended.
type simOutcome struct {
	started  bool // Run was called
	over     bool // the run has ended; result holds why
	result   error
	panicked bool // a task or timer panicked with panicVal
	panicVal any
}

// simEpoch is where every virtual clock starts, so runs do not depend on the
// date.
var simEpoch = time.Date(2000, time.January, 1, 0, 0, 0, 0, time.UTC)

// simBackendWith makes a sim backend from what newSimBackend read from
// the options: the seed, a fuzzer's input (nil: none), the network and the
// watchdog's period.
func simBackendWith(seed int64, input []byte, network *SimNetwork, watchdog time.Duration) *simBackend {
	b := &simBackend{
		kick:        make(chan struct{}, 1),
		simTasks:    simTasks{live: make(map[uint64]*simTask), byCore: make(map[*anyiort.Task]*simTask)},
		simClock:    simClock{now: simEpoch},
		simDraws:    simDrawsFrom(seed, input),
		simLiveness: simLiveness{watchdog: watchdog},
	}
	b.net = simNewNet(b, network)
	return b
}

// Name reports BackendSim.
func (b *simBackend) Name() string { return BackendSim }

// Run runs main as the first task and drives the run until main returns or
// the run cannot go on (deadlock, misuse, a panic). It then ends every task
// still parked, so no goroutine outlives it, and re-panics a task's panic.
func (b *simBackend) Run(main func() error) error {
	tick, stop, err := b.claim()
	if err != nil {
		return err
	}
	defer stop()
	defer b.stopAdopting()
	b.seedGlobalRand()
	t := b.newMain(main)
	b.net.cfg.attach(b.net)
	defer b.net.cfg.detach(b.net)
	go b.runTask(t)
	for {
		b.awaitBaton(tick)
		if b.schedule(tick) {
			break
		}
	}
	b.cleanup(tick) // unwinds the tasks left behind
	b.leftBehind()
	return b.report()
}

// claim makes the backend the run's (a run is not restartable) and sets up
// what wakes the scheduler when no task does: inside a testing/synctest
// bubble a horizon on its fake clock, which only gets this far when
// nothing can ever wake the task holding the baton (a block the bubble
// cannot see is for the watcher outside it); outside one, the watchdog's
// ticker, for tasks that never yield.
func (b *simBackend) claim() (tick <-chan time.Time, stop func(), err error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.started {
		return nil, nil, errors.New("anyio sim: a sim backend runs only once")
	}
	b.started = true
	b.bubble = simInBubble()
	if b.bubble {
		b.wait = anyiort.BubbleWait()
	}
	// A run that may adopt learns every task's goroutine as it starts, so
	// that whichever goroutine hands out the first view, it knows which of
	// its tasks runs where; one that may not learns them to refuse
	// strangers, where ids are cheap.
	b.refuseStrangers = !b.mayAdopt() && anyiort.GoroutineIDIsCheap()
	b.schedGID = simGID() // Run's goroutine: the scheduler's, which runs timers' callbacks
	if b.knowsGoroutines() {
		b.byGID, b.threadGIDs = map[uint64]*simTask{}, map[uint64]bool{}
	}
	if b.mayAdopt() {
		b.names, b.forgetAt = map[uintptr]string{}, simForgetAtLeast
		if anyiort.LastRunAdopted() {
			// Likely to adopt too: hold one processor now, before any
			// goroutine of the run is created (anyiort.NoteRunAdopted).
			b.release = anyiort.HoldOneProcessor()
		}
	}
	if !b.bubble {
		ticker := time.NewTicker(max(b.watchdog/4, time.Millisecond))
		return ticker.C, ticker.Stop, nil
	}
	b.now = time.Now().Round(0)
	if b.tracer != nil {
		b.tracer.Restart(b.now)
	}
	horizon := time.NewTimer(simBubbleHorizon)
	b.stall = anyiort.RegisterStall(b.watchdog, b.describeStall)
	b.bubbleID = anyiort.BubbleID()
	unregister := anyiort.RegisterBubbleRun(b.bubbleID)
	return horizon.C, func() { horizon.Stop(); b.stall.Unregister(); unregister() }, nil
}

// newMain makes main the run's first task, holding the baton, for the
// caller to start once the network knows the run.
func (b *simBackend) newMain(main func() error) *simTask {
	b.mu.Lock()
	defer b.mu.Unlock()
	t := b.newTaskLocked("main", nil, func() { b.endRun(main()) })
	t.main = true
	t.state, t.started, b.current = simRunning, true, t
	if b.tracer != nil {
		b.traceRunLocked(t)
	}
	b.stampProgressLocked()
	return t
}

// report is the run's outcome: main's error, the trace written (and its
// last events in a failed run's error), or main's panic raised again.
func (b *simBackend) report() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.tracer != nil {
		werr := b.tracer.Write()
		switch {
		case b.result != nil:
			b.result = &simtrace.TracedError{Err: b.result, Tail: b.tracer.Tail(simTraceTail)}
		case werr != nil && !b.panicked:
			b.result = fmt.Errorf("anyio sim: writing the trace: %w", werr)
		}
	}
	if b.panicked {
		panic(b.panicVal)
	}
	return b.result
}

// endRun ends the run with err unless it already ended.
func (b *simBackend) endRun(err error) {
	b.mu.Lock()
	b.endRunLocked(err)
	b.mu.Unlock()
}

func (b *simBackend) endRunLocked(err error) {
	if !b.over {
		b.over, b.result = true, err
		if b.tracer != nil {
			what := "run ended"
			if err != nil {
				what += ": " + strings.SplitN(err.Error(), "\n", 2)[0]
			}
			b.traceInstantLocked("run", what)
		}
	}
}

// sendKick wakes the scheduler loop; a kick already pending is enough.
func (b *simBackend) sendKick() {
	select {
	case b.kick <- struct{}{}:
	default:
	}
}

var _ anyiort.Backend = (*simBackend)(nil)
var _ anyiort.Network = (*simBackend)(nil)

var _ anyiort.ForeignWatcher = (*simBackend)(nil)
