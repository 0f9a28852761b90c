package sim

import (
	"bytes"
	"fmt"
	"runtime"
	"strings"
)

// What a goroutine's traceback tells: its id, the function it was started
// with, where it is blocked. The runtime says these things nowhere else;
// reports read them only when they need them, and a run that adopts
// goroutines reads an id at each call into the run.

// simGID is the id of the calling goroutine, from its traceback's header.
func simGID() uint64 {
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

// simGoroutineName names the calling goroutine after the function it was
// started with, as "http.(*conn).serve": the outermost frame of its stack.
func simGoroutineName() string {
	pcs := make([]uintptr, 256)
	n := runtime.Callers(2, pcs)
	name := "goroutine"
	frames := runtime.CallersFrames(pcs[:n])
	for {
		f, more := frames.Next()
		if f.Function != "" && f.Function != "runtime.goexit" {
			name = f.Function
		}
		if !more {
			break
		}
	}
	if i := strings.LastIndexByte(name, '/'); i >= 0 {
		name = name[i+1:]
	}
	return name
}

// simOutermost is the function a goroutine's traceback block says it was
// started with, as "rpc.(*service).call".
func simOutermost(block string) string {
	name := "?"
	lines := strings.Split(block, "\n")
	for i := 1; i+1 < len(lines); i += 2 {
		fn := lines[i]
		if strings.HasPrefix(fn, "created by ") {
			break
		}
		if j := strings.LastIndexByte(fn, '('); j > 0 && strings.HasSuffix(fn, ")") {
			fn = fn[:j]
		}
		name = fn
	}
	if i := strings.LastIndexByte(name, '/'); i >= 0 {
		name = name[i+1:]
	}
	return name
}

// simAllStacks is the traceback of every goroutine.
func simAllStacks() string {
	buf := make([]byte, 1<<16)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			return string(buf[:n])
		}
		buf = make([]byte, 2*len(buf))
	}
}

// simWhereIs says where goroutine gid is, from the tracebacks of all
// goroutines, or "" when it has ended.
func simWhereIs(stacks string, gid uint64) string {
	prefix := fmt.Sprintf("goroutine %d [", gid)
	for block := range strings.SplitSeq(stacks, "\n\n") {
		if strings.HasPrefix(block, prefix) {
			return simBlockedAt(block)
		}
	}
	return ""
}

// simBlockedAt says where the goroutine of a traceback block is: the state
// the runtime gives it and the first frame of code outside the runtime and
// the simulator.
func simBlockedAt(block string) string {
	lines := strings.Split(block, "\n")
	_, state, _ := strings.Cut(lines[0], " [")
	state, _, _ = strings.Cut(state, "]")
	state, _, _ = strings.Cut(state, ", synctest bubble")
	for i := 1; i+1 < len(lines); i += 2 {
		fn := lines[i]
		if strings.HasPrefix(fn, "runtime.") || strings.HasPrefix(fn, "sync.") || strings.HasPrefix(fn, "internal/") || strings.HasPrefix(fn, "time.") {
			continue
		}
		if i := strings.LastIndexByte(fn, '('); i > 0 {
			fn = fn[:i]
		}
		at := strings.TrimSpace(lines[i+1])
		if j := strings.LastIndex(at, " +0x"); j > 0 {
			at = at[:j]
		}
		return fmt.Sprintf("%s in %s at %s", state, fn, at)
	}
	return state
}
