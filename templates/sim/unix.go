package sim

import (
	"context"
	"net"
	"os"
	"syscall"

	anyiort "github.com/anyiogen/anyiogen/runtime"
	simdisk "github.com/anyiogen/anyiogen/templates/sim/disk"
)

// Unix sockets on sim: a socket is a name in its host's disk namespace
// (simdisk.Bind), found there by a connect from the same host; the
// connection is a simConn pair without latency or links, reset when the
// host crashes.

// ListenUnix makes a socket at path on the calling host's disk and listens
// on it.
func (b *simBackend) ListenUnix(ctx context.Context, path string) (anyiort.Listener, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	host := b.hostName()
	d := b.net.cfg.diskOf(host)
	s, errno := d.disk.Bind(path, b.Now())
	if errno != 0 {
		return nil, &net.OpError{Op: "listen", Net: "unix", Addr: simUnixAddr(path), Err: os.NewSyscallError("bind", errno)}
	}
	b.net.mu.Lock()
	b.net.unixSeq++
	l := &simUnixListener{n: b.net, host: host, disk: d, path: path, socket: s, seq: b.net.unixSeq}
	if b.net.unix == nil {
		b.net.unix = map[simdisk.Socket]*simUnixListener{}
	}
	b.net.unix[s] = l
	b.net.mu.Unlock()
	b.Yield()
	return l, nil
}

// DialUnix connects to the socket at path on the calling host's disk: at
// once, as a local socket does.
func (b *simBackend) DialUnix(ctx context.Context, path string) (anyiort.Conn, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	fail := func(errno syscall.Errno) error {
		return &net.OpError{Op: "dial", Net: "unix", Addr: simUnixAddr(path), Err: os.NewSyscallError("connect", errno)}
	}
	host := b.hostName()
	s, errno := b.net.cfg.diskOf(host).disk.Lookup(path)
	if errno != 0 {
		return nil, fail(errno)
	}
	n := b.net
	n.mu.Lock()
	l := n.unix[s]
	if l == nil || l.closed {
		n.mu.Unlock()
		return nil, fail(syscall.ECONNREFUSED)
	}
	client := &simConn{n: n, unixHost: host, unixLocal: "@", unixRemote: path, ownsPort: false}
	server := &simConn{n: n, unixHost: host, unixLocal: path, unixRemote: "@"}
	client.peer, server.peer = server, client
	client.reason = "read on the Unix socket " + path
	server.reason = "read on the Unix socket " + path + " (accepted)"
	n.conns = append(n.conns, client, server)
	n.pruneConnsLocked()
	l.queue = append(l.queue, server)
	simWakeAll(&l.acceptors)
	n.mu.Unlock()
	b.Yield()
	return client, nil
}

// Accept returns the oldest connection not yet accepted, waiting for one.
func (l *simUnixListener) Accept(ctx context.Context) (anyiort.Conn, error) {
	var w anyiort.Waiter
	for {
		l.n.mu.Lock()
		if l.closed {
			l.n.mu.Unlock()
			return nil, &net.OpError{Op: "accept", Net: "unix", Addr: l.Addr(), Err: net.ErrClosed}
		}
		if len(l.queue) > 0 {
			c := l.queue[0]
			l.queue = l.queue[1:]
			l.n.mu.Unlock()
			return c, nil
		}
		if err := l.n.waitInLocked(ctx, &l.acceptors, &w, "accept on the Unix socket "+l.path); err != nil {
			return nil, err
		}
	}
}

// Close stops listening and removes the socket from the disk.
func (l *simUnixListener) Close() error {
	l.n.mu.Lock()
	defer l.n.mu.Unlock()
	if l.closed {
		return &net.OpError{Op: "close", Net: "unix", Addr: l.Addr(), Err: net.ErrClosed}
	}
	l.closeLocked()
	l.disk.disk.Unbind(l.path, l.socket, l.n.b.Now())
	return nil
}

// Addr is the socket's *net.UnixAddr.
func (l *simUnixListener) Addr() net.Addr { return simUnixAddr(l.path) }

var _ anyiort.UnixNetwork = (*simBackend)(nil)
