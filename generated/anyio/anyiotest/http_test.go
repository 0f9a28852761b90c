package anyiotest_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/anyiogen/anyiogen/generated/anyio"
	"github.com/anyiogen/anyiogen/generated/anyio/anyiotest"
)

// net/http's server and client, with the goroutines they start, run inside
// a simulated run: the server over a NetListener, the client dialling with
// DialContext, three requests on one kept-alive connection.
func TestHTTPKeepAliveOnSim(t *testing.T) {
	anyiotest.Seeds(t, 20, func(t *testing.T, ctx context.Context) error {
		ln, err := anyio.ListenTCP(ctx, "127.0.0.1", 8080)
		if err != nil {
			return err
		}
		srv := &http.Server{Handler: protoHandler()}
		tr := &http.Transport{DialContext: anyio.DialContext(ctx)}
		return serveAndGet(ctx, srv, func(ctx context.Context) error { return srv.Serve(ln.NetListener(ctx)) }, tr, "http://127.0.0.1:8080", "HTTP/1.1")
	})
}

// Five tasks send requests at once through one client: the transport opens
// connections as it needs them, and every response reaches its task.
func TestHTTPConcurrentRequestsOnSim(t *testing.T) {
	anyiotest.Seeds(t, 10, func(t *testing.T, ctx context.Context) error {
		ln, err := anyio.ListenTCP(ctx, "127.0.0.1", 8080)
		if err != nil {
			return err
		}
		srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprintf(w, "hello %s", r.URL.Path)
		})}
		tr := &http.Transport{DialContext: anyio.DialContext(ctx)}
		client := &http.Client{Transport: tr}
		return anyio.WithTaskGroup(ctx, func(ctx context.Context, tg *anyio.TaskGroup) error {
			tg.StartSoon(func(ctx context.Context) error {
				if err := srv.Serve(ln.NetListener(ctx)); err != http.ErrServerClosed {
					return err
				}
				return nil
			}, anyio.Name("server"))
			err := anyio.WithTaskGroup(ctx, func(ctx context.Context, clients *anyio.TaskGroup) error {
				for i := range 5 {
					path := fmt.Sprintf("/%d", i)
					clients.StartSoon(func(ctx context.Context) error {
						return httpGet(client, "http://127.0.0.1:8080"+path, "hello "+path)
					}, anyio.Name("client "+path))
				}
				return nil
			})
			if err != nil {
				return err
			}
			tr.CloseIdleConnections()
			if err := anyio.WaitAllTasksBlocked(ctx); err != nil {
				return err
			}
			return srv.Shutdown(ctx)
		})
	})
}

// httpGet GETs url and checks the body.
func httpGet(client *http.Client, url, want string) error {
	resp, err := client.Get(url)
	if err != nil {
		return err
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return err
	}
	if string(body) != want {
		return fmt.Errorf("GET %s = %q, want %q", url, body, want)
	}
	return nil
}

// A client's Timeout runs on the run's clock: across a partition, a request
// fails after exactly that much virtual time, and once the partition heals
// the next request gets through on a new connection.
func TestHTTPClientTimeoutAcrossAPartitionOnSim(t *testing.T) {
	anyiotest.Seeds(t, 10, func(t *testing.T, ctx context.Context) error {
		nw := anyio.CurrentNetwork(ctx)
		srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprintf(w, "hello %s", r.URL.Path)
		})}
		return anyio.WithTaskGroup(ctx, func(ctx context.Context, tg *anyio.TaskGroup) error {
			tg.StartSoon(func(ctx context.Context) error {
				return anyio.RunHost(ctx, "server", func(ctx context.Context) error {
					ln, err := anyio.ListenTCP(ctx, "server", 80)
					if err != nil {
						return err
					}
					if err := srv.Serve(ln.NetListener(ctx)); err != http.ErrServerClosed {
						return err
					}
					return nil
				})
			}, anyio.Name("server host"))
			err := anyio.RunHost(ctx, "client", func(ctx context.Context) error {
				tr := &http.Transport{DialContext: anyio.DialContext(ctx)}
				defer tr.CloseIdleConnections()
				client := &http.Client{Transport: tr, Timeout: 2 * time.Second}
				if err := anyio.Sleep(ctx, time.Millisecond); err != nil { // the server listens
					return err
				}
				if err := httpGet(client, "http://server/before", "hello /before"); err != nil {
					return err
				}
				nw.Partition("client", "server")
				start := anyio.Now(ctx)
				_, err := client.Get("http://server/during")
				var uerr *url.Error
				if !errors.As(err, &uerr) || !uerr.Timeout() {
					return fmt.Errorf("GET across the partition: %v, want a timeout", err)
				}
				if waited := anyio.Now(ctx).Sub(start); waited != 2*time.Second {
					return fmt.Errorf("GET across the partition failed after %v of virtual time, want the client's Timeout, 2s", waited)
				}
				nw.Heal("client", "server")
				return httpGet(client, "http://server/after", "hello /after")
			})
			if err != nil {
				return err
			}
			if err := anyio.WaitAllTasksBlocked(ctx); err != nil {
				return err
			}
			return srv.Shutdown(ctx)
		})
	}, hostsAt(0, "server", "client"))
}

// A crash of the server's host in the middle of a request reaches the
// client as a failed request, one latency after the crash; the handler's
// goroutine, a task of the crashed host, never runs again.
func TestHTTPServerHostCrashOnSim(t *testing.T) {
	anyiotest.Seeds(t, 10, func(t *testing.T, ctx context.Context) error {
		nw := anyio.CurrentNetwork(ctx)
		handled := false
		srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if err := anyio.Sleep(r.Context(), time.Second); err != nil {
				return
			}
			handled = true
			fmt.Fprint(w, "too late")
		})}
		return anyio.WithTaskGroup(ctx, func(ctx context.Context, tg *anyio.TaskGroup) error {
			tg.StartSoon(func(ctx context.Context) error {
				err := anyio.RunHost(ctx, "server", func(ctx context.Context) error {
					ln, err := anyio.ListenTCP(ctx, "server", 80)
					if err != nil {
						return err
					}
					srv.BaseContext = func(net.Listener) context.Context { return ctx } // handlers run in the host
					return srv.Serve(ln.NetListener(ctx))
				})
				if !errors.Is(err, anyio.ErrHostCrashed) {
					return fmt.Errorf("RunHost(server) = %v, want ErrHostCrashed", err)
				}
				return nil
			}, anyio.Name("server host"))
			tg.StartSoon(func(ctx context.Context) error {
				if err := anyio.Sleep(ctx, 100*time.Millisecond); err != nil {
					return err
				}
				nw.Crash("server")
				return nil
			}, anyio.Name("nemesis"))
			err := anyio.RunHost(ctx, "client", func(ctx context.Context) error {
				tr := &http.Transport{DialContext: anyio.DialContext(ctx)}
				defer tr.CloseIdleConnections()
				if err := anyio.Sleep(ctx, time.Millisecond); err != nil { // the server listens
					return err
				}
				start := anyio.Now(ctx)
				resp, err := (&http.Client{Transport: tr}).Get("http://server/slow")
				if err == nil {
					resp.Body.Close()
					return fmt.Errorf("GET during the crash succeeded with %s", resp.Status)
				}
				if failedAt := anyio.Now(ctx).Sub(start); failedAt != 100*time.Millisecond {
					return fmt.Errorf("GET failed %v after it began, want 100ms (the crash, then one latency): %v", failedAt, err)
				}
				return nil
			})
			if err != nil {
				return err
			}
			if handled {
				return fmt.Errorf("the handler went on after its host crashed")
			}
			// No srv.Close: it would wait for Serve's goroutine, a task of
			// the crashed host, forever (the run reports that deadlock).
			// The run's end unwinds what the host left.
			return nil
		})
	}, hostsAt(time.Millisecond, "server", "client"))
}

// The net/http tests on sim are a function of their seeds: each seed, run
// twice, gives the same trace (-anyio.checkdeterminism, in a child binary
// so that the flag is this test's alone): HTTP/1.1 with concurrent
// requests, a partition and a proxy's chain, and HTTP/2 in clear and over
// TLS, whose connection loop and handlers race each other through channels
// of their own.
func TestNetHTTPRunsAreAFunctionOfTheSeed(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the net/http tests again, twice each")
	}
	tests := []string{"TestHTTPKeepAliveOnSim", "TestHTTPClientTimeoutAcrossAPartitionOnSim", "TestHTTPConcurrentRequestsOnSim",
		"TestReverseProxyAcrossAPartitionOnSim", "TestHTTP2ClearTextOnSim", "TestHTTP2OverTLSOnSim"}
	out, err := goTest("-test.run=^("+strings.Join(tests, "|")+")$", "-anyio.checkdeterminism", "-test.parallel=2", "-test.v")
	if err != nil {
		t.Errorf("the net/http tests under -anyio.checkdeterminism: %v\n%s", err, out)
	}
	for _, name := range tests {
		if !strings.Contains(out, "--- PASS: "+name+" ") && !strings.Contains(out, "--- PASS: "+name+"\n") {
			t.Errorf("%s did not pass under -anyio.checkdeterminism; output:\n%s", name, out)
		}
	}
}

// hostsAt is a fresh simulated network for each seed with the hosts names at
// 10.0.0.1, 10.0.0.2, ... and latency.
func hostsAt(latency time.Duration, names ...string) anyio.RunOption {
	return anyio.NetworkFunc(func(int64) *anyio.SimNetwork {
		nw := anyio.NewSimNetwork()
		for i, name := range names {
			nw.AddHost(name, netip.AddrFrom4([4]byte{10, 0, 0, byte(i + 1)}))
		}
		nw.SetLatency(latency)
		return nw
	})
}
