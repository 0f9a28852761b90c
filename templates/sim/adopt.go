package sim

import (
	"cmp"
	"context"
	"runtime"
	"slices"
	"sync/atomic"

	anyiort "github.com/anyiogen/anyiogen/runtime"
)

// Goroutines the run did not start. A library handed a net.Conn, a
// net.Listener or a dial function (http.Server, http.Transport) calls them
// from goroutines of its own, and a test starts some with go. Inside a
// testing/synctest bubble, once such a view is handed out (Adopt) or such a
// goroutine first calls in, the run adopts them:
//
//   - Every call into the run first makes sure its goroutine holds the
//     baton (admit). A goroutine the run has not met becomes a task, named
//     after the function it runs; one that does not hold the baton waits
//     for it. Goroutines are told apart by their ids (anyiort.GoroutineID:
//     a few nanoseconds on amd64 and arm64, a traceback's few
//     microseconds elsewhere), a price paid only by runs that adopt.
//   - Only the scheduler decides, and only once every goroutine of the
//     bubble is blocked (synctest.Wait): a task's code may have woken a
//     library goroutine through a channel of its own, and that goroutine
//     must reach the run, or block, before the next task is chosen. So the
//     goroutines that arrive at a decision, and the order they are chosen
//     in, are the seed's.
//   - A task blocked where only the bubble sees it (a channel of the
//     library's, a select, time.Sleep) gives the baton back: it is
//     "outside" until it calls into the run again, when it waits for the
//     baton like any other.
//
//   - While it adopts, the process runs on one processor (GOMAXPROCS 1,
//     anyiort.HoldOneProcessor): library goroutines that race each other
//     through channels and memory of their own, with no call into the run
//     between, then run in the order the Go scheduler gives them, which
//     follows from what they do rather than from the machine's load.
//
// What stays out of reach: that order is the Go scheduler's, not the
// seed's, and a goroutine preempted after running 10 ms straight, a
// select with two ready cases, or the race detector (whose scheduler
// shuffles its run queues on purpose) can change it;
// -anyio.checkdeterminism finds where that shows.

// simAdoptingYields is how many scheduling points in a row a task passes
// without giving up the baton while the run adopts, unless it waits. A
// library may hold a mutex of its own across a write (the HTTP/2 client
// does); if the write gave up the baton, the goroutine that runs next and
// wants the mutex would wait for one that waits for the scheduler, which
// waits for every goroutine to block, and a goroutine waiting for a mutex
// does not count as blocked in a bubble: the run would stop. A task that
// checks in a loop for what another task does still lets it run, every
// so many scheduling points.
const simAdoptingYields = 1000

// passYield reports whether a scheduling point passes without giving up
// the baton, as it does while adopting (simAdoptingYields). It costs no
// goroutine id: whoever calls, it changes nothing but a count.
func (b *simBackend) passYield() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	t := b.current
	if t == nil || t.dying || t.yields >= simAdoptingYields {
		return false
	}
	t.yields++
	return true
}

// simAdoption is what a run keeps to adopt goroutines.
type simAdoption struct {
	adopting   atomic.Bool         // set once; the fields below are guarded by simBackend.mu
	wait       func()              // testing/synctest.Wait, set before the first task starts in a bubble whose Wait the test helper gave; nil: the run never adopts
	release    func()              // gives back the one processor the run holds, from its start or from when it began adopting (anyiort.HoldOneProcessor)
	byGID      map[uint64]*simTask // every task's goroutine, once known (knowsGoroutines)
	names      map[uintptr]string  // adopted goroutines' names, by where they were started (simGoroutineName)
	forgetAt   int                 // len(byGID) at which ended goroutines are next looked for (forgetEndedLocked)
	arrivals   []simAdoptee        // goroutines met since the last decision
	schedGID   uint64              // the scheduler's goroutine, where timers fire: its calls keep their old rules
	threadGIDs map[uint64]bool     // ToThread functions' goroutines
	bubbleID   string              // the bubble, as its goroutines' tracebacks name it
	// refuseStrangers: the run may not adopt, so a call from a goroutine
	// it did not start while a task holds the baton is refused
	// (strangerLocked) rather than taken for the holder's. Set where
	// goroutine ids are cheap, before the first task starts.
	refuseStrangers bool
}

// knowsGoroutines reports whether the run learns the goroutine of each of
// its tasks and threads: to adopt, or to refuse strangers. Set before the
// first task starts, it is read without the lock.
func (b *simBackend) knowsGoroutines() bool { return b.mayAdopt() || b.refuseStrangers }

// strangerLocked reports whether the calling goroutine, in a run that may
// not adopt, is one the run did not start calling while a task holds the
// baton: without goroutine ids the call would be taken for the holder's,
// and the run would go on with two goroutines playing one task. A call
// while no task holds the baton is refused by its callers as it always
// was. NewWaiter and Yield ask, where every wait and scheduling point
// begins; a Waiter's Wait, the hot path of a task switch, does not. The
// holder's own goroutine is told apart at the cost of reading its id; the
// other tasks' (one the watchdog gave up on, finishing late), the
// scheduler's and ToThread functions' pass as before.
func (b *simBackend) strangerLocked() bool {
	if !b.refuseStrangers {
		return false
	}
	cur := b.current
	if cur == nil || cur.gid == 0 {
		return false
	}
	g := simGID()
	return g != cur.gid && g != b.schedGID && !b.threadGIDs[g] && b.byGID[g] == nil
}

// mayAdopt reports whether the run may adopt goroutines: it is in a bubble
// whose Wait the test helper gave (SetBubbleWait). Set before the first
// task starts, it is read without the lock.
func (b *simBackend) mayAdopt() bool { return b.wait != nil }

// simAdoptee is a goroutine that called into the run for the first time,
// numbered at the next decision in an order that does not depend on when
// it arrived.
type simAdoptee struct {
	t    *simTask
	call simCall
}

// Adopt implements anyiort.Adopter: inside a bubble whose Wait the test
// helper gave (SetBubbleWait), the run starts adopting goroutines it did
// not start. Elsewhere it does nothing, and such goroutines are refused as
// before. A run that may adopt also starts when such a goroutine first
// calls in (admitLocked), view or not: a goroutine started with go that
// sleeps or takes a lock.
func (b *simBackend) Adopt() {
	if b.adopting.Load() || !b.mayAdopt() {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.startAdoptingLocked()
}

// startAdoptingLocked makes the run adopt from now on, unless it may not
// or is over.
func (b *simBackend) startAdoptingLocked() {
	if !b.mayAdopt() || b.over || b.adopting.Load() {
		return
	}
	if b.release == nil {
		b.release = anyiort.HoldOneProcessor()
	}
	b.adopting.Store(true)
}

// Enter implements anyiort.Adopter.
func (b *simBackend) Enter(ctx context.Context, what string) error {
	if !b.adopting.Load() {
		return nil
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if !b.admitLocked(simCall{ctx, what}) {
		return simRunOver{}
	}
	return nil
}

// knowLocked records that t runs on goroutine gid.
func (b *simBackend) knowLocked(t *simTask, gid uint64) {
	t.gid = gid
	b.byGID[gid] = t
}

// simCall is what a call into the run says about itself, for when its
// goroutine is one the run has not met: the context it was given (its
// task's host is the goroutine's) and what it does. Its zero value says
// nothing.
type simCall struct {
	ctx  context.Context
	what string
}

// admit is admitLocked for a call that holds no lock. It reports whether
// the call may go on; false means the run is over for the caller.
func (b *simBackend) admit(c simCall) bool {
	if !b.mayAdopt() {
		return true
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.admitLocked(c)
}

// admitLocked returns once the calling goroutine holds the baton, making it
// a task first if the run has not met it. The scheduler's own goroutine (a
// timer's callback) and a ToThread function's pass as they are. A run that
// may adopt but does not yet starts adopting at the first call from any
// other goroutine, or, if a task holds the baton then, once every
// goroutine is blocked. b.mu is held on entry and on return, but not while
// the caller waits.
func (b *simBackend) admitLocked(c simCall) bool {
	if !b.mayAdopt() {
		return true
	}
	g := simGID()
	if cur := b.current; cur != nil && cur.gid == g {
		return true
	}
	if g == b.schedGID || b.threadGIDs[g] {
		return true
	}
	if !b.adopting.Load() {
		if b.over {
			return true // as before adopting: the call meets the run's end
		}
		if b.current == nil {
			b.startAdoptingLocked()
		}
		// Otherwise a task holds the baton, and the run starts adopting
		// only once every goroutine of the bubble is blocked
		// (awaitBaton): the holder goes on under the rules it began
		// with until it gives the baton back or blocks, whenever on
		// another processor this call came.
	}
	t := b.byGID[g]
	switch {
	case b.over:
		if t != nil {
			t.dying = true // its calls return at once from now on, as an unwinding task's do
		}
		return false
	case t == nil:
		t = &simTask{adopted: true, started: true, resume: make(chan struct{}, 1), state: simArriving}
		t.name = simGoroutineName(b.names)
		b.knowLocked(t, g)
		b.arrivals = append(b.arrivals, simAdoptee{t: t, call: c})
	case t.dying:
		return false
	case t.state == simOutside:
		t.urgent = true
		b.readyLocked(t)
	}
	b.mu.Unlock()
	b.sendKick()
	<-t.resume
	b.mu.Lock()
	return b.resumedLocked(t)
}

// resumedLocked is what a task that got the baton back does first: it
// learns its goroutine's id if the run began adopting meanwhile, and
// unwinds if the run is over. An adopted goroutine is not the run's to
// unwind: its call fails instead, and the baton goes back to the
// scheduler. It reports whether the task goes on.
func (b *simBackend) resumedLocked(t *simTask) bool {
	if b.adopting.Load() && t.gid == 0 {
		b.knowLocked(t, simGID())
	}
	if !t.kill || t.dying {
		return !t.dying
	}
	t.dying = true
	if !t.adopted {
		b.mu.Unlock()
		runtime.Goexit()
	}
	t.state = simDone
	delete(b.live, t.id)
	b.current = nil
	b.mu.Unlock()
	b.sendKick()
	b.mu.Lock()
	return false
}

// numberArrivalsLocked makes the goroutines that arrived since the last
// decision tasks of the run, in the order of their names, what they called,
// their hosts and, last, their goroutine ids, so that their ids and the
// scheduler's draws are the seed's: the order they arrived in is the Go
// scheduler's (and under -race a shuffled one). The same library on
// several hosts starts goroutines of the same names that make the same
// calls, and a loop of go statements starts several of one name; the Go
// runtime numbers goroutines in the order they are created (in batches per
// processor, so on several processors not always).
func (b *simBackend) numberArrivalsLocked() {
	if len(b.arrivals) == 0 {
		return
	}
	for _, a := range b.arrivals {
		a.t.host = b.hostOfCtxLocked(a.call.ctx)
	}
	slices.SortStableFunc(b.arrivals, func(x, y simAdoptee) int {
		return cmp.Or(cmp.Compare(x.t.name, y.t.name), cmp.Compare(x.call.what, y.call.what), cmp.Compare(x.t.host.order(), y.t.host.order()), cmp.Compare(x.t.gid, y.t.gid))
	})
	for _, a := range b.arrivals {
		t := a.t
		b.nextID++
		t.id, t.taskID = b.nextID, int64(b.nextID)
		t.frozen = t.host != nil && t.host.crashed
		b.priorityLocked(t)
		t.urgent = true
		b.live[t.id] = t
		if b.tracer != nil {
			b.traceNewTaskLocked(t)
		}
		b.readyLocked(t)
	}
	clear(b.arrivals)
	b.arrivals = b.arrivals[:0]
	if len(b.byGID) >= b.forgetAt {
		b.forgetEndedLocked()
	}
}

// simForgetAtLeast is how many goroutines the run knows before it first
// looks for ended ones.
const simForgetAtLeast = 1024

// forgetEndedLocked drops the adopted goroutines that have ended. No call
// says when a goroutine the run did not start ends (net/http starts one per
// connection and one per request), so without this a run would keep every
// one it ever met. Only a traceback of every goroutine tells which still
// exist; it stops the world, so it is read each time the run has come to
// know twice as many goroutines as it kept the last time, which makes its
// cost proportional to the goroutines adopted. An ended goroutine is
// outside (it gave the baton back and never called again): dropping it
// changes no decision, only what the run holds on to, and the trace, which
// drew it waiting outside, now draws it ended.
func (b *simBackend) forgetEndedLocked() {
	alive := simGoroutineIDs(simAllStacks())
	var ended []*simTask
	for gid, t := range b.byGID {
		if t.adopted && t.state == simOutside && !alive[gid] {
			ended = append(ended, t)
		}
	}
	for _, t := range simByID(ended) {
		t.state = simDone
		delete(b.byGID, t.gid)
		delete(b.live, t.id)
		if b.tracer != nil {
			b.traceEndedOutsideLocked(t)
		}
	}
	b.forgetAt = max(simForgetAtLeast, 2*len(b.byGID))
}

// hostOfCtxLocked is the host of the task whose context ctx is: an adopted
// goroutine runs where the view it calls was made.
func (b *simBackend) hostOfCtxLocked(ctx context.Context) *simHost {
	if ctx == nil {
		return nil
	}
	if t := b.byCore[anyiort.TaskOf(ctx)]; t != nil {
		return t.host
	}
	return nil
}

// stopAdopting gives back the processor the run held, if it did, and
// records whether it adopted, for the next run's start (claim); the run is
// over.
func (b *simBackend) stopAdopting() {
	b.mu.Lock()
	release := b.release
	b.release = nil
	b.mu.Unlock()
	if b.mayAdopt() {
		anyiort.NoteRunAdopted(b.adopting.Load())
	}
	if release != nil {
		release()
	}
}

// settle waits, in a run that may adopt, until every goroutine of the
// bubble but the caller is blocked: what they were doing has reached the
// run, or never will without it. Before the run adopts, the scheduler
// settles at each of its turns (the baton is free, every task parked): a
// goroutine started with go then makes its first call, and the run adopts
// it, at a turn of the run's rather than whenever the Go scheduler ran it.
// It must be called without b.mu.
func (b *simBackend) settle() {
	if b.mayAdopt() {
		b.wait()
	}
}

// takeBackLocked is the scheduler's turn after settle while a task holds
// the baton: every goroutine is blocked, so the task is blocked outside the
// simulator, and the baton comes back.
func (b *simBackend) takeBackLocked() {
	t := b.current
	if t == nil {
		return
	}
	t.state = simOutside
	if b.tracer != nil {
		b.traceStopLocked(t)
	}
	b.current = nil
}

// adoptArrivedLocked starts adopting if goroutines called in while a task
// held the baton and the run has not: the scheduler calls it once every
// goroutine is blocked, a moment that does not depend on when they called.
func (b *simBackend) adoptArrivedLocked() {
	if !b.adopting.Load() && len(b.arrivals) > 0 {
		b.startAdoptingLocked()
	}
}

// sortRunnableLocked puts the runnable tasks in creation order: while
// adopting, goroutines outside the baton wake tasks in an order the Go
// scheduler chooses, and a draw must not depend on it. Urgent tasks come
// first, and are the only ones drawn from while there are any: they are
// goroutines that ran beside the baton's holder and stopped at a call into
// the run, perhaps holding a mutex of their library's (the HTTP/2 client
// holds one while it writes a frame). Run first, they finish what they were
// doing; a task run before them might wait for that mutex, a wait the
// bubble does not count as blocked, and the run would stop.
func (b *simBackend) sortRunnableLocked() (urgent int) {
	slices.SortFunc(b.runnable, func(x, y *simTask) int {
		return cmp.Or(-cmp.Compare(boolInt(x.urgent), boolInt(y.urgent)), cmp.Compare(x.id, y.id))
	})
	for urgent < len(b.runnable) && b.runnable[urgent].urgent {
		urgent++
	}
	return urgent
}

// simByID sorts tasks gathered from a map by their ids, so that what is
// done to each in turn (drawn in the trace) is in the seed's order, not the
// map's; it returns them.
func simByID(tasks []*simTask) []*simTask {
	slices.SortFunc(tasks, func(x, y *simTask) int { return cmp.Compare(x.id, y.id) })
	return tasks
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

var _ anyiort.Adopter = (*simBackend)(nil)

// SetBubbleWait gives the sim runs inside testing/synctest bubbles the
// bubble's Wait (pass synctest.Wait). With it, a run that hands out a
// net.Conn, a net.Listener or a dial function adopts the goroutines a
// library starts (an http.Server's, an http.Transport's): each becomes a
// task of the run when it calls in, named after the function it runs, and
// the run waits for them to block before each decision, so that it stays a
// function of its seed. The test helper calls it; a test that calls
// synctest.Test itself can too.
func SetBubbleWait(wait func()) { anyiort.SetBubbleWait(wait) }
