package dial

import (
	"context"
	"net"
	"net/http"

	"example.com/gen/anyio"
)

func Main() {
	_, _ = net.Dial("tcp", "example.com:80") // outside any run: not reported
	_ = anyio.Run(func(ctx context.Context) error {
		c, err := net.Dial("tcp", "example.com:80") // want `net.Dial inside a run uses the OS network, which the simulator cannot see; use anyio.ConnectTCP, anyio.ListenTCP or anyio.LookupHost`
		if err == nil {
			c.Close()
		}
		l, err := net.Listen("tcp", ":0") // want `net.Listen inside a run uses the OS network`
		if err == nil {
			l.Close()
		}
		resp, err := http.Get("http://example.com") // want `http.Get inside a run uses the OS network`
		if err == nil {
			resp.Body.Close()
		}
		var d net.Dialer
		_, _ = d.DialContext(ctx, "tcp", "example.com:80") // want `net.DialContext inside a run uses the OS network`
		return nil
	})
}

func Headers(r *http.Request) {
	_ = anyio.Run(func(ctx context.Context) error {
		_ = r.Header.Get("X-Request-ID") // a header, not the network: fine
		return nil
	})
}

// A client whose transport dials with the package's ConnectTCP uses the
// simulated network: not reported. One with the default transport is.
func Clients(req *http.Request) {
	_ = anyio.Run(func(ctx context.Context) error {
		transport := &http.Transport{
			DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
				s, err := anyio.ConnectTCP(ctx, "server", 80)
				if err != nil {
					return nil, err
				}
				return s.NetConn(ctx), nil
			},
		}
		client := &http.Client{Transport: transport}
		if resp, err := client.Do(req); err == nil {
			resp.Body.Close()
		}
		plain := &http.Client{}
		if resp, err := plain.Do(req); err == nil { // want `http.Do inside a run uses the OS network`
			resp.Body.Close()
		}
		return nil
	})
}

// A server on the package's listener serves the simulated network: not
// reported.
func Servers(ln *anyio.TCPListener) {
	_ = anyio.Run(func(ctx context.Context) error {
		srv := &http.Server{}
		return srv.Serve(ln.NetListener(ctx))
	})
}
