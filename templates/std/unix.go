package std

import (
	"context"
	"net"

	anyiort "github.com/anyiogen/anyiogen/runtime"
)

// DialUnix connects to the OS's Unix socket at path.
func (b stdBackend) DialUnix(ctx context.Context, path string) (anyiort.Conn, error) {
	var d net.Dialer
	c, err := d.DialContext(ctx, "unix", path)
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, err
	}
	return newStdConn(c.(*net.UnixConn), b.run), nil
}

// ListenUnix makes an OS Unix socket at path; closing the listener removes
// it, as net's does.
func (b stdBackend) ListenUnix(ctx context.Context, path string) (anyiort.Listener, error) {
	var lc net.ListenConfig
	l, err := lc.Listen(ctx, "unix", path)
	if err != nil {
		return nil, err
	}
	return stdListener{l.(*net.UnixListener), b.run}, nil
}

var _ anyiort.UnixNetwork = stdBackend{}
