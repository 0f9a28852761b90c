package core

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"strconv"
	"sync/atomic"

	anyiort "github.com/anyiogen/anyiogen/runtime"
)

// maxDatagram is the largest datagram Receive returns.
const maxDatagram = 65535

// UDPSocket is an unconnected datagram socket.
type UDPSocket struct {
	pc        anyiort.PacketConn
	closed    atomic.Bool
	receiving *ResourceGuard
	scratch   []byte // Receive's buffer; guarded by receiving
}

// CreateUDPSocket binds a datagram socket to localHost and localPort.
func CreateUDPSocket(ctx context.Context, localHost string, localPort int) (*UDPSocket, error) {
	if localPort < 0 || localPort > 65535 {
		return nil, fmt.Errorf("anyio: UDP socket on %s: port %d is not between 0 and 65535", localHost, localPort)
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var addr netip.Addr
	if localHost != "" {
		addrs, err := LookupHost(ctx, localHost)
		if err != nil {
			return nil, err
		}
		if len(addrs) == 0 {
			return nil, fmt.Errorf("anyio: UDP socket on %s: the name has no addresses", localHost)
		}
		addr = addrs[0]
	}
	return bindUDP(ctx, netip.AddrPortFrom(addr, uint16(localPort)))
}

func bindUDP(ctx context.Context, local netip.AddrPort) (*UDPSocket, error) {
	if err := outsideTheRun(ctx, "a UDP socket"); err != nil {
		return nil, err
	}
	b := backendOf(ctx)
	nw, ok := b.(anyiort.UDPNetwork)
	if !ok {
		return nil, fmt.Errorf("anyio: backend %q has no UDP", b.Name())
	}
	pc, err := nw.ListenUDP(ctx, local)
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, fmt.Errorf("anyio: UDP socket on %s: %w", udpHostPort(local), err)
	}
	return &UDPSocket{pc: pc, receiving: NewResourceGuard("reading from")}, nil
}

func udpHostPort(ap netip.AddrPort) string {
	host := ""
	if ap.Addr().IsValid() {
		host = ap.Addr().String()
	}
	return net.JoinHostPort(host, strconv.Itoa(int(ap.Port())))
}

// SendTo sends data as one datagram to to.
func (u *UDPSocket) SendTo(ctx context.Context, data []byte, to netip.AddrPort) error {
	if u.closed.Load() {
		return ErrClosedResource
	}
	if err := schedulingPoint(ctx); err != nil {
		return err
	}
	_, err := u.pc.WriteTo(ctx, data, to)
	return u.mapErr(ctx, err)
}

// Receive returns the next datagram and its sender.
func (u *UDPSocket) Receive(ctx context.Context) ([]byte, netip.AddrPort, error) {
	if u.closed.Load() {
		return nil, netip.AddrPort{}, ErrClosedResource
	}
	if err := schedulingPoint(ctx); err != nil {
		return nil, netip.AddrPort{}, err
	}
	exit, err := u.receiving.Enter()
	if err != nil {
		return nil, netip.AddrPort{}, err
	}
	defer exit()
	if u.scratch == nil {
		u.scratch = make([]byte, maxDatagram)
	}
	n, from, err := u.pc.ReadFrom(ctx, u.scratch)
	if err != nil {
		return nil, netip.AddrPort{}, u.mapErr(ctx, err)
	}
	// An empty datagram is an empty slice, not the end of anything.
	return append([]byte{}, u.scratch[:n]...), netip.AddrPortFrom(from.Addr().Unmap(), from.Port()), nil
}

func (u *UDPSocket) mapErr(ctx context.Context, err error) error {
	return portableErr(ctx, u.closed.Load(), err)
}

// LocalAddr is the bound address, a *net.UDPAddr.
func (u *UDPSocket) LocalAddr() net.Addr { return u.pc.LocalAddr() }

// Close closes the socket; closing it again does nothing.
func (u *UDPSocket) Close() error {
	if u.closed.Swap(true) {
		return nil
	}
	return u.pc.Close()
}

// udpSourcer is the optional contract of a backend that can say which of
// its addresses a datagram to remote leaves from. Only this package's
// backends implement it; a socket on another copy's backend is bound on
// every address instead.
type udpSourcer interface {
	UDPSource(ctx context.Context, remote netip.Addr) (netip.Addr, error)
}

// ConnectedUDPSocket is a datagram socket that talks to one peer.
type ConnectedUDPSocket struct {
	u      *UDPSocket
	remote netip.AddrPort
}

// CreateConnectedUDPSocket binds a datagram socket that sends to, and
// receives only from, remoteHost and remotePort.
func CreateConnectedUDPSocket(ctx context.Context, remoteHost string, remotePort int, opts ...ConnectOption) (*ConnectedUDPSocket, error) {
	var cfg connectConfig
	for _, opt := range opts {
		opt(&cfg)
	}
	if remotePort <= 0 || remotePort > 65535 {
		return nil, fmt.Errorf("anyio: UDP socket to %s: port %d is not between 1 and 65535", remoteHost, remotePort)
	}
	addrs, err := LookupHost(ctx, remoteHost)
	if err != nil {
		return nil, err
	}
	if len(addrs) == 0 {
		return nil, fmt.Errorf("anyio: UDP socket to %s: the name has no addresses", remoteHost)
	}
	remote := netip.AddrPortFrom(addrs[0], uint16(remotePort))
	var local netip.Addr
	if cfg.localHost != "" {
		locals, err := LookupHost(ctx, cfg.localHost)
		if err != nil {
			return nil, err
		}
		local = localFor(locals, remote.Addr())
	} else if src, ok := backendOf(ctx).(udpSourcer); ok {
		// Bound where its datagrams come from, as connect(2) binds a
		// socket, so that LocalAddr is what the peer sees.
		if local, err = src.UDPSource(ctx, remote.Addr()); err != nil {
			return nil, fmt.Errorf("anyio: UDP socket to %s: %w", udpHostPort(remote), err)
		}
	}
	u, err := bindUDP(ctx, netip.AddrPortFrom(local, 0))
	if err != nil {
		return nil, err
	}
	return &ConnectedUDPSocket{u: u, remote: remote}, nil
}

// Send sends data as one datagram to the peer.
func (c *ConnectedUDPSocket) Send(ctx context.Context, data []byte) error {
	return c.u.SendTo(ctx, data, c.remote)
}

// Receive returns the next datagram from the peer; datagrams from anyone
// else are dropped, as a connected socket's are.
func (c *ConnectedUDPSocket) Receive(ctx context.Context) ([]byte, error) {
	for {
		data, from, err := c.u.Receive(ctx)
		if err != nil {
			return nil, err
		}
		if from == c.remote {
			return data, nil
		}
	}
}

// LocalAddr is the bound address, a *net.UDPAddr.
func (c *ConnectedUDPSocket) LocalAddr() net.Addr { return c.u.LocalAddr() }

// RemoteAddr is the peer's address, a *net.UDPAddr.
func (c *ConnectedUDPSocket) RemoteAddr() net.Addr { return net.UDPAddrFromAddrPort(c.remote) }

// Close closes the socket.
func (c *ConnectedUDPSocket) Close() error { return c.u.Close() }
