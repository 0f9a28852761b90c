// Package leaktest ends a test binary with a failure when its tests left
// goroutines (through go.uber.org/goleak) or file descriptors behind.
package leaktest

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"go.uber.org/goleak"
)

// Main runs the tests, then checks that every goroutine they started has
// ended and that every file descriptor they opened is closed. Use it as
//
//	func TestMain(m *testing.M) { leaktest.Main(m) }
func Main(m *testing.M) {
	warmUp()
	before, haveFDs := openFDs()
	code := m.Run()
	if code == 0 {
		if err := goleak.Find(); err != nil {
			fmt.Fprintf(os.Stderr, "leaktest: goroutines left behind: %v\n", err)
			code = 1
		}
	}
	if code == 0 && haveFDs {
		after, _ := openFDs()
		if leaked := newFDs(before, after); len(leaked) > 0 {
			fmt.Fprintf(os.Stderr, "leaktest: file descriptors left open: %v\n", leaked)
			code = 1
		}
	}
	os.Exit(code)
}

// warmUp makes the runtime open what it keeps open for the life of the
// process once the network is used (the poller), so that it is not
// mistaken for a leak.
func warmUp() {
	if l, err := net.Listen("tcp", "127.0.0.1:0"); err == nil {
		l.Close()
	}
}

// openFDs maps each open descriptor of the process to what it refers to;
// false where /proc/self/fd does not exist.
func openFDs() (map[string]string, bool) {
	entries, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		return nil, false
	}
	fds := make(map[string]string, len(entries))
	for _, e := range entries {
		target, err := os.Readlink(filepath.Join("/proc/self/fd", e.Name()))
		if err == nil {
			fds[e.Name()] = target
		}
	}
	return fds, true
}

// newFDs lists the descriptors open now that were not before, except the
// one ReadDir itself used.
func newFDs(before, after map[string]string) []string {
	var out []string
	for fd, target := range after {
		if before[fd] != target && target != "/proc/"+fmt.Sprint(os.Getpid())+"/fd" && filepath.Base(target) != "fd" {
			out = append(out, fd+" -> "+target)
		}
	}
	slices.Sort(out)
	return out
}
