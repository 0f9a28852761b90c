package anyiort

import (
	"runtime"
	"testing"
)

// Holders share the one processor: the first sets GOMAXPROCS to 1, the last
// to release gives back what it was, and a second release changes nothing.
func TestHoldOneProcessorRestoresAfterTheLastHolder(t *testing.T) {
	before := runtime.GOMAXPROCS(0)
	first := HoldOneProcessor()
	second := HoldOneProcessor()
	if n := runtime.GOMAXPROCS(0); n != 1 {
		t.Fatalf("GOMAXPROCS = %d with two holders, want 1", n)
	}
	first()
	first()
	if n := runtime.GOMAXPROCS(0); n != 1 {
		t.Fatalf("GOMAXPROCS = %d after the first holder released (twice), want 1 while the second holds", n)
	}
	second()
	if n := runtime.GOMAXPROCS(0); n != before {
		t.Fatalf("GOMAXPROCS = %d after the last release, want %d", n, before)
	}
}
