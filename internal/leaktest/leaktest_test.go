package leaktest

import (
	"net"
	"testing"
)

func TestOpenFDsSeesANewSocket(t *testing.T) {
	before, ok := openFDs()
	if !ok {
		t.Skip("no /proc/self/fd here")
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	after, _ := openFDs()
	leaked := newFDs(before, after)
	l.Close()
	if len(leaked) != 1 {
		t.Errorf("after one Listen: got new descriptors %v, want exactly one", leaked)
	}
	closed, _ := openFDs()
	if leaked := newFDs(before, closed); len(leaked) != 0 {
		t.Errorf("after Close: got new descriptors %v, want none", leaked)
	}
}
