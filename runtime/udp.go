package anyiort

import (
	"context"
	"net"
	"net/netip"
)

// UDPNetwork is implemented by backends that can send datagrams.
type UDPNetwork interface {
	// ListenUDP binds a datagram socket to local: the zero Addr binds every
	// address, port 0 a free port.
	ListenUDP(ctx context.Context, local netip.AddrPort) (PacketConn, error)
}

// PacketConn is a bound datagram socket.
type PacketConn interface {
	// ReadFrom reads one datagram into p (the rest of a longer one is
	// dropped) and returns its sender. A cancelled ctx ends it with
	// ctx.Err(); Close ends it with net.ErrClosed.
	ReadFrom(ctx context.Context, p []byte) (int, netip.AddrPort, error)
	// WriteTo sends p as one datagram to to.
	WriteTo(ctx context.Context, p []byte, to netip.AddrPort) (int, error)
	// Close releases the socket; later calls return net.ErrClosed.
	Close() error
	// LocalAddr is a *net.UDPAddr.
	LocalAddr() net.Addr
}
