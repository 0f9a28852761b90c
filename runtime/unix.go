package anyiort

import "context"

// UnixNetwork is implemented by backends with Unix domain sockets
// (Version4). Their Conns and Listeners are as TCP's, with *net.UnixAddr
// addresses.
type UnixNetwork interface {
	// DialUnix connects to the socket at path. A cancelled ctx abandons
	// the attempt.
	DialUnix(ctx context.Context, path string) (Conn, error)
	// ListenUnix makes a socket at path and listens on it; closing the
	// listener removes it.
	ListenUnix(ctx context.Context, path string) (Listener, error)
}
