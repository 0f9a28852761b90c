package sim

import (
	"fmt"
	"runtime"
	"strconv"
	"strings"

	anyiort "github.com/anyiogen/anyiogen/runtime"
)

// What a goroutine's traceback tells: its id, the function it was started
// with, where it is blocked. The runtime says these things nowhere else;
// reports read them only when they need them. A run that adopts
// goroutines reads an id at each call into the run, which is why the id
// alone has a cheaper source.

// simGID is the id of the calling goroutine (the runtime reads it from the
// goroutine's record, or from its traceback where it cannot).
func simGID() uint64 { return anyiort.GoroutineID() }

// simGoroutineName names the calling goroutine after the function it was
// started with, as "http.(*conn).serve": the outermost frame of its stack.
// names caches the name by the outermost call's pc, from which a library
// starts a goroutine per connection or per request.
func simGoroutineName(names map[uintptr]string) string {
	// Only the outermost frames matter, but the walk that finds them
	// starts at the innermost: collect every pc, in a buffer on the stack
	// unless the stack is deep. The last two are the function's call and
	// runtime.goexit, which called the function.
	var buf [64]uintptr
	pcs := buf[:]
	n := runtime.Callers(2, pcs)
	for n == len(pcs) {
		pcs = make([]uintptr, 2*len(pcs))
		n = runtime.Callers(2, pcs)
	}
	if n < 2 {
		return "goroutine"
	}
	outer := pcs[n-2]
	if name, ok := names[outer]; ok {
		return name
	}
	name := "goroutine"
	frames := runtime.CallersFrames([]uintptr{outer, pcs[n-1]})
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
	names[outer] = name
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

// simGoroutineIDs is the set of goroutine ids in a traceback of every
// goroutine, read from the blocks' header lines.
func simGoroutineIDs(stacks string) map[uint64]bool {
	ids := map[uint64]bool{}
	for block := range strings.SplitSeq(stacks, "\n\n") {
		rest, ok := strings.CutPrefix(block, "goroutine ")
		if !ok {
			continue
		}
		digits, _, _ := strings.Cut(rest, " ")
		if id, err := strconv.ParseUint(digits, 10, 64); err == nil {
			ids[id] = true
		}
	}
	return ids
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
