package anyiotest_test

import (
	"context"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"testing"
	"time"

	"github.com/anyiogen/anyiogen/generated/anyio"
	"github.com/anyiogen/anyiogen/generated/anyio/anyiotest"
)

// httputil.ReverseProxy, a second library that starts goroutines of its
// own, chosen for what it exercises: a server whose handler is itself a
// client, so two servers' and two transports' goroutines chained across
// three hosts. A partition between the proxy and its backend turns into
// the proxy's 502 after its transport's ResponseHeaderTimeout, on the run's
// clock, and the next request after the partition heals gets through.
func TestReverseProxyAcrossAPartitionOnSim(t *testing.T) {
	anyiotest.Seeds(t, 10, func(t *testing.T, ctx context.Context) error {
		nw := anyio.CurrentNetwork(ctx)
		backend := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprintf(w, "backend: %s", r.URL.Path)
		})}
		var proxy *http.Server
		return anyio.WithTaskGroup(ctx, func(ctx context.Context, tg *anyio.TaskGroup) error {
			serve := func(host string, srv **http.Server, newServer func(ctx context.Context) *http.Server) {
				tg.StartSoon(func(ctx context.Context) error {
					return anyio.RunHost(ctx, host, func(ctx context.Context) error {
						ln, err := anyio.ListenTCP(ctx, host, 80)
						if err != nil {
							return err
						}
						*srv = newServer(ctx)
						if err := (*srv).Serve(ln.NetListener(ctx)); err != http.ErrServerClosed {
							return err
						}
						return nil
					})
				}, anyio.Name(host+" host"))
			}
			serve("backend", &backend, func(context.Context) *http.Server { return backend })
			var proxyTransport *http.Transport
			serve("proxy", &proxy, func(ctx context.Context) *http.Server {
				target, _ := url.Parse("http://backend")
				rp := httputil.NewSingleHostReverseProxy(target)
				proxyTransport = &http.Transport{DialContext: anyio.DialContext(ctx), ResponseHeaderTimeout: time.Second}
				rp.Transport = proxyTransport
				rp.ErrorLog = log.New(io.Discard, "", 0) // the 502 is expected
				return &http.Server{Handler: rp, BaseContext: func(net.Listener) context.Context { return ctx }}
			})
			err := anyio.RunHost(ctx, "client", func(ctx context.Context) error {
				tr := &http.Transport{DialContext: anyio.DialContext(ctx)}
				defer tr.CloseIdleConnections()
				client := &http.Client{Transport: tr}
				if err := anyio.Sleep(ctx, time.Millisecond); err != nil { // both listen
					return err
				}
				get := func(path string) (int, string, error) {
					resp, err := client.Get("http://proxy" + path)
					if err != nil {
						return 0, "", err
					}
					defer resp.Body.Close()
					body, err := io.ReadAll(resp.Body)
					return resp.StatusCode, string(body), err
				}
				if code, body, err := get("/before"); err != nil || code != 200 || body != "backend: /before" {
					return fmt.Errorf("GET /before through the proxy = %d %q, %v", code, body, err)
				}
				nw.Partition("proxy", "backend")
				start := anyio.Now(ctx)
				code, _, err := get("/during")
				if err != nil || code != http.StatusBadGateway {
					return fmt.Errorf("GET /during a partition behind the proxy = %d, %v; want 502", code, err)
				}
				if waited := anyio.Now(ctx).Sub(start); waited < time.Second || waited > time.Second+10*time.Millisecond {
					return fmt.Errorf("the 502 came after %v, want the proxy's ResponseHeaderTimeout (1s) and a few latencies", waited)
				}
				nw.Heal("proxy", "backend")
				if code, body, err := get("/after"); err != nil || code != 200 || body != "backend: /after" {
					return fmt.Errorf("GET /after the partition healed = %d %q, %v", code, body, err)
				}
				return nil
			})
			if err != nil {
				return err
			}
			proxyTransport.CloseIdleConnections()
			if err := anyio.WaitAllTasksBlocked(ctx); err != nil {
				return err
			}
			if err := proxy.Shutdown(ctx); err != nil {
				return err
			}
			return backend.Shutdown(ctx)
		})
	}, hostsAt(time.Millisecond, "backend", "proxy", "client"))
}
