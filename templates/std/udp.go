package std

import (
	"context"
	"net"
	"net/netip"
	"strconv"

	anyiort "github.com/anyiogen/anyiogen/runtime"
)

// ListenUDP binds an OS datagram socket.
func (b stdBackend) ListenUDP(ctx context.Context, local netip.AddrPort) (anyiort.PacketConn, error) {
	var lc net.ListenConfig
	addr := local.String()
	if !local.Addr().IsValid() {
		addr = net.JoinHostPort("", strconv.Itoa(int(local.Port())))
	}
	pc, err := lc.ListenPacket(ctx, "udp", addr)
	if err != nil {
		return nil, err
	}
	return stdPacketConn{pc.(*net.UDPConn), b.run}, nil
}

// UDPSource asks the OS which address a datagram to remote leaves from:
// connecting a UDP socket sends nothing, but routes it.
func (b stdBackend) UDPSource(ctx context.Context, remote netip.Addr) (netip.Addr, error) {
	c, err := net.DialUDP("udp", nil, net.UDPAddrFromAddrPort(netip.AddrPortFrom(remote, 9)))
	if err != nil {
		return netip.Addr{}, err
	}
	defer c.Close()
	return c.LocalAddr().(*net.UDPAddr).AddrPort().Addr().Unmap(), nil
}

// stdPacketConn is an OS datagram socket; a cancelled ctx interrupts it
// through deadlines.
type stdPacketConn struct {
	c   *net.UDPConn
	run *stdRun // counts a receive as a blocked task, for WaitAllTasksBlocked
}

func (c stdPacketConn) ReadFrom(ctx context.Context, p []byte) (int, netip.AddrPort, error) {
	defer c.run.blockedIn()()
	var from netip.AddrPort
	n, err := anyiort.Interruptible(ctx, c.c.SetReadDeadline, func() (int, error) {
		n, addr, err := c.c.ReadFromUDPAddrPort(p)
		from = addr
		return n, err
	})
	return n, netip.AddrPortFrom(from.Addr().Unmap(), from.Port()), err
}

func (c stdPacketConn) WriteTo(ctx context.Context, p []byte, to netip.AddrPort) (int, error) {
	return anyiort.Interruptible(ctx, c.c.SetWriteDeadline, func() (int, error) { return c.c.WriteToUDPAddrPort(p, to) })
}

func (c stdPacketConn) Close() error        { return c.c.Close() }
func (c stdPacketConn) LocalAddr() net.Addr { return c.c.LocalAddr() }

var _ anyiort.UDPNetwork = stdBackend{}
