package core

import (
	"context"
	"crypto/tls"
	"fmt"
	"net/netip"
	"strings"
	"time"

	anyiort "github.com/anyiogen/anyiogen/runtime"
)

// ConnectOption configures ConnectTCP.
type ConnectOption func(*connectConfig)

type connectConfig struct {
	localHost string
	delay     time.Duration
	tls       *tls.Config
}

// LocalHost binds the connecting socket to host.
func LocalHost(host string) ConnectOption { return func(c *connectConfig) { c.localHost = host } }

// HappyEyeballsDelay sets the delay before the next attempt starts.
func HappyEyeballsDelay(d time.Duration) ConnectOption { return func(c *connectConfig) { c.delay = d } }

// TLS wraps the connection in TLS after connecting.
func TLS(cfg *tls.Config) ConnectOption { return func(c *connectConfig) { c.tls = cfg } }

// ConnectTCP connects to host and port with happy eyeballs (RFC 8305).
func ConnectTCP(ctx context.Context, host string, port int, opts ...ConnectOption) (*SocketStream, error) {
	cfg := connectConfig{delay: 250 * time.Millisecond}
	for _, opt := range opts {
		opt(&cfg)
	}
	if port <= 0 || port > 65535 {
		return nil, fmt.Errorf("anyio: connect to %s: port %d is not between 1 and 65535", host, port)
	}
	nw, err := networkOf(ctx)
	if err != nil {
		return nil, err
	}
	addrs, err := nw.LookupHost(ctx, host)
	if err != nil {
		return nil, fmt.Errorf("anyio: connect to %s: %w", host, err)
	}
	if len(addrs) == 0 {
		return nil, fmt.Errorf("anyio: connect to %s: the name has no addresses", host)
	}
	var locals []netip.Addr
	if cfg.localHost != "" {
		if locals, err = nw.LookupHost(ctx, cfg.localHost); err != nil {
			return nil, fmt.Errorf("anyio: connect to %s: local host: %w", host, err)
		}
	}
	conn, err := happyEyeballs(ctx, nw, orderRFC8305(addrs), locals, port, cfg.delay)
	if err != nil {
		if anyiort.IsCancellation(err) {
			return nil, err
		}
		return nil, &connectError{host: host, port: port, err: err}
	}
	if cfg.tls != nil {
		if conn, err = clientTLS(ctx, conn, host, cfg.tls); err != nil {
			return nil, err
		}
	}
	return newSocketStream(conn), nil
}

func networkOf(ctx context.Context) (anyiort.Network, error) {
	if err := ctx.Err(); err != nil {
		return nil, err // a call cut short before it began
	}
	if err := outsideTheRun(ctx, "a network call"); err != nil {
		return nil, err
	}
	b := backendOf(ctx)
	nw, ok := b.(anyiort.Network)
	if !ok {
		return nil, fmt.Errorf("anyio: backend %q has no network", b.Name())
	}
	return nw, nil
}

// orderRFC8305 interleaves the address families, starting with the family
// of the first address, keeping the resolver's order within each family.
func orderRFC8305(addrs []netip.Addr) []netip.Addr {
	var first, other []netip.Addr
	for _, a := range addrs {
		a = a.Unmap()
		if a.Is4() == addrs[0].Unmap().Is4() {
			first = append(first, a)
		} else {
			other = append(other, a)
		}
	}
	out := make([]netip.Addr, 0, len(addrs))
	for i := 0; i < len(first) || i < len(other); i++ {
		if i < len(first) {
			out = append(out, first[i])
		}
		if i < len(other) {
			out = append(out, other[i])
		}
	}
	return out
}

// localFor picks a local address of remote's family, or any address.
func localFor(locals []netip.Addr, remote netip.Addr) netip.Addr {
	for _, l := range locals {
		if l.Unmap().Is4() == remote.Is4() {
			return l.Unmap()
		}
	}
	return netip.Addr{}
}

// connectError is a failed ConnectTCP: it keeps every attempt's error.
type connectError struct {
	host string
	port int
	err  error // one attempt's error, or an attemptErrors
}

func (e *connectError) Error() string {
	return fmt.Sprintf("anyio: connect to %s port %d: %v", e.host, e.port, e.err)
}

func (e *connectError) Unwrap() error { return e.err }

// attemptErrors is the errors of every failed attempt, in attempt order.
type attemptErrors []error

func (es attemptErrors) Error() string {
	parts := make([]string, len(es))
	for i, e := range es {
		parts[i] = e.Error()
	}
	return fmt.Sprintf("all %d attempts failed: %s", len(es), strings.Join(parts, "; "))
}

func (es attemptErrors) Unwrap() []error { return es }
