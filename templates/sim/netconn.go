package sim

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/netip"
	"os"
	"slices"
	"strconv"
	"syscall"
	"time"

	anyiort "github.com/anyiogen/anyiogen/runtime"
)

// simConn is one end of a simulated TCP connection. Everything it sends is
// delivered to peer by a timer one latency later, in order.
type simConn struct {
	n             *simNet
	local, remote netip.AddrPort
	peer          *simConn
	ownsPort      bool   // a client end: Close frees its local port
	reason        string // for deadlock reports

	// A Unix socket's end: its host, and its own and its peer's names
	// ("@" for the connecting end's); unixHost is "" for TCP.
	unixHost, unixLocal, unixRemote string

	// Guarded by n.mu.
	buf      []byte    // arrived and not yet read
	eof      bool      // the peer's FIN arrived
	peerGone bool      // the peer's Close arrived: writes fail
	reset    bool      // the peer's host crashed: reads and writes fail
	wshut    bool      // this end sent its FIN
	closed   bool      // Close was called
	arrival  time.Time // when the last packet sent from here arrives
	readers  []anyiort.Waiter
	unread   int // bytes sent from here that the peer has not read yet
	writers  []anyiort.Waiter
	flows    []simFlow // while tracing: the sends buf holds, for the arrows to their reads
}

// simFlow is a send whose bytes wait in the receiver's buffer, while
// tracing: the trace draws an arrow from the send to the read that takes
// its first byte.
type simFlow struct {
	id      uint64
	size    int // its bytes still unread
	arrived bool
}

// pairLocked makes the two ends of a connection from src to dst.
func (n *simNet) pairLocked(src, dst netip.AddrPort) (client, server *simConn) {
	client = &simConn{n: n, local: src, remote: dst, ownsPort: true}
	server = &simConn{n: n, local: dst, remote: src}
	client.peer, server.peer = server, client
	client.reason = "read on " + src.String() + " from " + dst.String()
	server.reason = "read on " + dst.String() + " from " + src.String()
	n.conns = append(n.conns, client, server)
	n.pruneConnsLocked()
	return client, server
}

// Read returns the data that has arrived, waiting for some if there is none;
// io.EOF once the peer's FIN arrived and everything before it was read.
func (c *simConn) Read(ctx context.Context, p []byte) (int, error) {
	var w anyiort.Waiter
	for {
		c.n.mu.Lock()
		switch {
		case c.closed:
			c.n.mu.Unlock()
			return 0, c.opError("read", net.ErrClosed)
		case c.reset:
			c.n.mu.Unlock()
			return 0, c.opError("read", os.NewSyscallError("read", syscall.ECONNRESET))
		case len(c.buf) > 0:
			k := copy(p, c.buf)
			if c.buf = c.buf[k:]; len(c.buf) == 0 {
				c.buf = nil
			}
			if len(c.flows) > 0 {
				c.endFlowsLocked(k)
			}
			// What was read makes room for the peer's writer.
			c.peer.unread -= k
			simWakeAll(&c.peer.writers)
			c.n.mu.Unlock()
			return k, nil
		case c.eof:
			c.n.mu.Unlock()
			return 0, io.EOF
		case len(p) == 0:
			c.n.mu.Unlock()
			return 0, nil
		}
		err := c.n.waitInLocked(ctx, &c.readers, &w, c.reason)
		if err != nil {
			return 0, err
		}
	}
}

// Write sends all of p, which arrives after the latency. One direction of
// a connection holds at most the network's TCP buffer of bytes the peer has
// not read: Write sends what fits and waits for the peer to read the rest
// in, as a slow reader slows its writer on a real network.
func (c *simConn) Write(ctx context.Context, p []byte) (int, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	limit := c.n.cfg.tcpBufferSize()
	sent := 0
	var w anyiort.Waiter
	for {
		c.n.mu.Lock()
		switch {
		case c.closed:
			c.n.mu.Unlock()
			return sent, c.opError("write", net.ErrClosed)
		case c.reset:
			c.n.mu.Unlock()
			return sent, c.opError("write", os.NewSyscallError("write", syscall.ECONNRESET))
		case c.wshut || c.peerGone:
			c.n.mu.Unlock()
			return sent, c.opError("write", os.NewSyscallError("write", syscall.EPIPE))
		case sent == len(p):
			c.n.mu.Unlock()
			return sent, nil
		}
		if room := limit - c.unread; room > 0 {
			chunk := bytes.Clone(p[sent:min(len(p), sent+room)])
			c.unread += len(chunk)
			sent += len(chunk)
			flow := c.startFlowLocked()
			c.sendLocked("bytes", len(chunk), func(peer *simConn) {
				peer.buf = append(peer.buf, chunk...)
				if flow != 0 {
					peer.flows = append(peer.flows, simFlow{id: flow, size: len(chunk)})
				}
			})
			c.n.mu.Unlock()
			continue
		}
		err := c.n.waitInLocked(ctx, &c.writers, &w, "write on "+c.LocalAddr().String()+" to "+c.RemoteAddr().String()+": its buffer is full, waiting for the peer to read")
		if err != nil {
			return sent, err
		}
	}
}

// startFlowLocked starts, while tracing, the arrow of a send on the
// sending task's track, and returns its id (0: not tracing).
func (c *simConn) startFlowLocked() uint64 {
	if !c.n.b.tracing() {
		return 0
	}
	return c.n.b.traceFlowStart(c.flowName(c.LocalAddr(), c.RemoteAddr()))
}

// flowName names the arrow of a send from from to to.
func (c *simConn) flowName(from, to net.Addr) string {
	return from.Network() + " " + from.String() + " → " + to.String()
}

// endFlowsLocked ends, on the reading task's track, the arrow of each send
// whose first byte the read of k bytes took, and forgets the sends it
// read whole.
func (c *simConn) endFlowsLocked(k int) {
	for k > 0 && len(c.flows) > 0 {
		f := &c.flows[0]
		if !f.arrived {
			f.arrived = true
			c.n.b.traceFlowEnd(f.id, c.flowName(c.RemoteAddr(), c.LocalAddr()))
		}
		took := min(f.size, k)
		f.size, k = f.size-took, k-took
		if f.size == 0 {
			c.flows = c.flows[1:]
		}
	}
}

// CloseWrite sends a FIN: the peer reads io.EOF once it has read the rest.
func (c *simConn) CloseWrite() error {
	c.n.mu.Lock()
	defer c.n.mu.Unlock()
	if c.closed {
		return c.opError("close", net.ErrClosed)
	}
	if !c.wshut {
		c.wshut = true
		c.sendLocked("FIN", 0, func(peer *simConn) { peer.eof = true })
	}
	return nil
}

// Close releases this end: the peer reads io.EOF after the latency and its
// later writes fail with EPIPE. Later calls return net.ErrClosed.
func (c *simConn) Close() error {
	c.n.mu.Lock()
	defer c.n.mu.Unlock()
	if c.closed {
		return c.opError("close", net.ErrClosed)
	}
	c.closeLocked()
	return nil
}

func (c *simConn) closeLocked() {
	c.endLocked("close", func(peer *simConn) {
		peer.eof, peer.peerGone = true, true
		simWakeAll(&peer.writers) // they fail now: nobody will read
	})
}

// endLocked closes this end and sends the peer what (a close or a reset)
// to apply when it arrives. Unread bytes are dropped: the peer's writer
// has room again, and finds out it is broken once what arrives.
func (c *simConn) endLocked(what string, apply func(peer *simConn)) {
	if c.closed {
		return
	}
	c.closed, c.wshut = true, true
	c.peer.unread -= len(c.buf)
	c.buf = nil
	simWakeAll(&c.writers)
	simWakeAll(&c.peer.writers)
	if c.ownsPort {
		c.n.unbindLocked(c.local)
	}
	c.sendLocked(what, 0, apply)
	simWakeAll(&c.readers)
}

// sendLocked makes deliver happen at the peer after the latency, in order
// with everything sent before, unless the peer has closed by then. what
// and size name the segment in a trace.
func (c *simConn) sendLocked(what string, size int, deliver func(peer *simConn)) {
	now := c.n.b.Now()
	if c.unixHost != "" {
		// A local socket: no latency and no links, but still in order,
		// after the sender's turn.
		c.n.b.afterFuncNamed(0, "", func() {
			c.n.mu.Lock()
			defer c.n.mu.Unlock()
			if peer := c.peer; !peer.closed {
				deliver(peer)
				simWakeAll(&peer.readers)
			}
		})
		return
	}
	c.arrival = simArrival(now, c.n.delayLocked(c.local.Addr(), c.remote.Addr()), c.arrival)
	name := ""
	if c.n.b.tracing() {
		name = "tcp " + c.local.String() + " → " + c.remote.String() + ": " + what
		if size > 0 {
			name += " (" + strconv.Itoa(size) + ")"
		}
	}
	var arrive func()
	arrive = func() {
		c.n.mu.Lock()
		defer c.n.mu.Unlock()
		if !c.n.passLocked(c.local.Addr(), c.remote.Addr(), false, name, arrive) {
			return
		}
		if peer := c.peer; !peer.closed {
			deliver(peer)
			simWakeAll(&peer.readers)
		}
	}
	c.n.b.afterFuncNamed(c.arrival.Sub(now), name, arrive)
}

// resetLocked ends this end because its host crashed: nothing it holds is
// read, and the peer learns of it one latency later, as a reset that fails
// its next read or write.
func (c *simConn) resetLocked() {
	c.endLocked("RST", func(peer *simConn) {
		peer.reset = true
		simWakeAll(&peer.writers)
	})
}

// pruneConnsLocked forgets closed connection ends, now and then, so that a
// long run does not keep every connection it ever made.
func (n *simNet) pruneConnsLocked() {
	if len(n.conns) < n.pruneAt {
		return
	}
	n.conns = slices.DeleteFunc(n.conns, func(c *simConn) bool { return c.closed && c.peer.closed })
	n.pruneAt = 2*len(n.conns) + 64
}

// LocalAddr is this end's *net.TCPAddr, or *net.UnixAddr.
func (c *simConn) LocalAddr() net.Addr {
	if c.unixHost != "" {
		return simUnixAddr(c.unixLocal)
	}
	return simTCPAddr(c.local)
}

// RemoteAddr is the peer's *net.TCPAddr, or *net.UnixAddr.
func (c *simConn) RemoteAddr() net.Addr {
	if c.unixHost != "" {
		return simUnixAddr(c.unixRemote)
	}
	return simTCPAddr(c.remote)
}

func (c *simConn) opError(op string, err error) error {
	network := "tcp"
	if c.unixHost != "" {
		network = "unix"
	}
	return &net.OpError{Op: op, Net: network, Source: c.LocalAddr(), Addr: c.RemoteAddr(), Err: err}
}
