package anyiort

import (
	"bytes"
	"runtime"
	"sync"
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
