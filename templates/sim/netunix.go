package sim

import (
	"net"

	anyiort "github.com/anyiogen/anyiogen/runtime"
	simdisk "github.com/anyiogen/anyiogen/templates/sim/disk"
)

// What the network keeps of Unix sockets (the unix primitive's adapter,
// unix.go, makes them): their listeners, which a crash closes, and their
// addresses.

// simUnixListener listens on a Unix socket of a host. Guarded by n.mu.
type simUnixListener struct {
	n         *simNet
	host      string
	disk      *simDisk
	path      string
	socket    simdisk.Socket
	seq       uint64 // the order listeners were made in, which breaks ties
	queue     []*simConn
	acceptors []anyiort.Waiter
	closed    bool
}

// closeLocked stops listening, closing the connections not yet accepted.
func (l *simUnixListener) closeLocked() {
	if l.closed {
		return
	}
	l.closed = true
	delete(l.n.unix, l.socket)
	for _, c := range l.queue {
		c.closeLocked()
	}
	l.queue = nil
	simWakeAll(&l.acceptors)
}

// simUnixAddr is the address of the Unix socket at path ("@": unnamed).
func simUnixAddr(path string) *net.UnixAddr { return &net.UnixAddr{Name: path, Net: "unix"} }
