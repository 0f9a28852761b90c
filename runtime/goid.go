package anyiort

import (
	"bytes"
	"runtime"
	"sync"
	"unsafe"
)

// Goroutine ids (Version4). A run that adopts goroutines learns who calls
// it from the calling goroutine's id, at every call into the run. The only
// id the runtime publishes is the one in a traceback's header line, and a
// traceback walks the whole stack: a few microseconds under an HTTP
// server's connection loop, on every Read and Write. Where the processor
// has a register or a thread-local slot for the running goroutine (amd64,
// arm64), the id is read from the goroutine's own record instead, at an
// offset the first call finds by comparing with tracebacks; everywhere
// else (and with the build tag purego), and if that comparison fails, the
// traceback stays the source.

// GoroutineID is the id of the calling goroutine, the number a traceback
// prints after "goroutine".
func GoroutineID() uint64 {
	goidOnce.Do(calibrateGoid)
	if goidOffset >= 0 {
		return *(*uint64)(unsafe.Add(currentG(), goidOffset))
	}
	return tracebackGoroutineID()
}

// GoroutineIDIsCheap reports whether GoroutineID reads the id from the
// goroutine's record, in a few nanoseconds, rather than from a traceback,
// in microseconds: whether a caller can afford it on every call.
func GoroutineIDIsCheap() bool {
	goidOnce.Do(calibrateGoid)
	return goidOffset >= 0
}

var (
	goidOnce   sync.Once
	goidOffset = -1 // bytes from the goroutine's record to its id; -1: not found
)

// goidSearchBytes bounds the search: the id sits near the start of the
// runtime's goroutine record (152 bytes in on amd64 with Go 1.26), and
// the record is longer than this, so the search never reads past it.
const goidSearchBytes = 256

// goidWitnesses is how many goroutines must agree on the offset. Small
// fields of the record (a status, a counter) may equal one id by chance;
// they do not equal the ids of several goroutines at once.
const goidWitnesses = 4

// calibrateGoid finds the offset at which every witness goroutine's record
// holds the id its traceback prints, and keeps it only if exactly one
// offset does.
func calibrateGoid() {
	if currentG() == nil {
		return
	}
	type witness struct {
		g  unsafe.Pointer
		id uint64
	}
	witnesses := make(chan witness)
	release := make(chan struct{})
	for range goidWitnesses {
		go func() {
			witnesses <- witness{currentG(), tracebackGoroutineID()}
			// Stay alive until the search is done, so that no record is
			// reused for another goroutine while it is read.
			<-release
		}()
	}
	seen := make([]witness, 0, goidWitnesses)
	for range goidWitnesses {
		seen = append(seen, <-witnesses)
	}
	defer close(release)

	found := -1
	for off := 0; off+8 <= goidSearchBytes; off += 8 {
		agree := true
		for _, w := range seen {
			if *(*uint64)(unsafe.Add(w.g, off)) != w.id {
				agree = false
				break
			}
		}
		if agree {
			if found >= 0 {
				return // two offsets fit: trust neither
			}
			found = off
		}
	}
	goidOffset = found
}

// tracebackGoroutineID reads the id from the calling goroutine's
// traceback header, "goroutine 42 [running]:".
func tracebackGoroutineID() uint64 {
	var buf [64]byte
	n := runtime.Stack(buf[:], false)
	s, _ := bytes.CutPrefix(buf[:n], []byte("goroutine "))
	var id uint64
	for _, c := range s {
		if c < '0' || c > '9' {
			break
		}
		id = id*10 + uint64(c-'0')
	}
	return id
}
