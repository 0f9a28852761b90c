package anyiort

import (
	"bytes"
	"context"
	"runtime"
	"sync"
	"sync/atomic"
	"time"
)

// The testing/synctest bubbles that host a simulated run (Version4). A
// library that a simulated run calls may start goroutines of its own, in
// the run's bubble, that reach the package with a context no run made
// (context.Background() in an http.Transport, say): such a call would go
// to the operating system, out of the simulation's sight. Portable code
// asks InSimulatedBubble first, and refuses.

var bubbleRuns struct {
	sync.Mutex
	ids map[string]int // runs under way, by bubble
}

// BubbleID is the bubble of the calling goroutine ("synctest bubble 3"),
// or "" outside one. It reads the goroutine's header line, the one place
// the runtime says so.
func BubbleID() string {
	// A bubble's clock starts at 2000-01-01 and moves only as its
	// goroutines wait: a clock past 2020 is the wall clock, which spares
	// every call outside a test the traceback below.
	if time.Now().Year() >= 2020 {
		return ""
	}
	var buf [128]byte
	n := runtime.Stack(buf[:], false)
	header, _, _ := bytes.Cut(buf[:n], []byte("\n"))
	_, after, ok := bytes.Cut(header, []byte("synctest bubble "))
	if !ok {
		return ""
	}
	id, _, _ := bytes.Cut(after, []byte("]"))
	id, _, _ = bytes.Cut(id, []byte(","))
	return "synctest bubble " + string(id)
}

// RegisterBubbleRun records that a simulated run is under way in bubble
// id; the function it returns records its end.
func RegisterBubbleRun(id string) (done func()) {
	bubbleRuns.Lock()
	defer bubbleRuns.Unlock()
	if bubbleRuns.ids == nil {
		bubbleRuns.ids = map[string]int{}
	}
	bubbleRuns.ids[id]++
	return func() {
		bubbleRuns.Lock()
		defer bubbleRuns.Unlock()
		if bubbleRuns.ids[id]--; bubbleRuns.ids[id] == 0 {
			delete(bubbleRuns.ids, id)
		}
	}
}

// InSimulatedBubble reports whether the calling goroutine is in a bubble
// that hosts a simulated run. It costs an atomic load when no simulated
// run is under way in the process.
func InSimulatedBubble() bool {
	if !OneAtATimeRunning() {
		return false
	}
	id := BubbleID()
	if id == "" {
		return false
	}
	bubbleRuns.Lock()
	defer bubbleRuns.Unlock()
	return bubbleRuns.ids[id] > 0
}

// Goroutines that code under test starts (Version4). A library that a
// simulated run hands a net.Conn, a net.Listener or a dial function (an
// http.Server, an http.Transport) calls them from goroutines of its own.
// A backend that can host such goroutines implements Adopter, and portable
// code tells it when such a view is handed out and when one is called.

// Adopter is implemented by backends that make a goroutine they did not
// start a task of the run when it calls in.
type Adopter interface {
	// Adopt says that the run hands out a view that a library may call
	// from goroutines of its own. A backend that cannot host them ignores
	// it.
	Adopt()
	// Enter is called at the start of each call of such a view. It
	// returns once the calling goroutine may act in the run, as a task of
	// it; what names the call for reports. Its error (the run has ended)
	// is the call's.
	Enter(ctx context.Context, what string) error
}

var bubbleWait atomic.Pointer[func()]

// SetBubbleWait records testing/synctest.Wait, which a simulated run
// inside a bubble needs to adopt goroutines it did not start: it waits for
// them to block before each decision. The test helper sets it; the
// runtime cannot import testing.
func SetBubbleWait(wait func()) { bubbleWait.Store(&wait) }

// BubbleWait is what SetBubbleWait recorded, or nil.
func BubbleWait() func() {
	if p := bubbleWait.Load(); p != nil {
		return *p
	}
	return nil
}

// One processor while runs adopt goroutines (Version4). Goroutines a
// library starts talk to each other through channels and memory of their
// own, out of a run's sight: an HTTP/2 server's connection loop and its
// handler race to queue a frame before the loop flushes, say. On several
// processors such races go one way or the other with the machine's load,
// and a seed would not always give the same run. On one, the Go scheduler
// runs them in an order that follows from what they do. Runs that adopt
// hold GOMAXPROCS at 1 while they do, and give it back when the last ends.

var oneProcessor struct {
	sync.Mutex
	holders int
	before  int // GOMAXPROCS when the first holder came
}

// Changing GOMAXPROCS stops the world and may move a goroutine to another
// processor, whose goroutine ids come from another batch: a run that adopts
// numbers goroutines of one function by their ids, in the order they were
// created only if their creator stayed on one processor. So a run that may
// adopt takes the hold from its start when the last such run adopted, or
// is the first (runs of one test usually do alike), and the count does not
// change while such runs overlap, as a test helper's seeds in parallel do.
var lastRunStayedAlone atomic.Bool // the last run that could adopt did not

// NoteRunAdopted records whether a run that could adopt goroutines did.
func NoteRunAdopted(adopted bool) { lastRunStayedAlone.Store(!adopted) }

// LastRunAdopted reports what the last NoteRunAdopted recorded, true before
// the first: whether a run that may adopt should hold one processor from
// its start.
func LastRunAdopted() bool { return !lastRunStayedAlone.Load() }

// HoldOneProcessor sets GOMAXPROCS to 1 until the function it returns is
// called, for every holder at once: the first holder saves the setting
// and the last one restores it. Calling the function again does nothing.
func HoldOneProcessor() (release func()) {
	oneProcessor.Lock()
	defer oneProcessor.Unlock()
	if oneProcessor.holders == 0 {
		oneProcessor.before = runtime.GOMAXPROCS(1)
	}
	oneProcessor.holders++
	var once sync.Once
	return func() {
		once.Do(func() {
			oneProcessor.Lock()
			defer oneProcessor.Unlock()
			if oneProcessor.holders--; oneProcessor.holders == 0 {
				runtime.GOMAXPROCS(oneProcessor.before)
			}
		})
	}
}
