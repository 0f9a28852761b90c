package generated

// Benchmarks of net/http over the package's views: on std beside net/http
// over net.Listen and net.Dial in the same run; on sim, requests a second
// of wall time, against the README's figure.

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"testing"
	"testing/synctest"
	"time"

	"github.com/anyiogen/anyiogen/generated/anyio"
)

// benchHTTPHandler answers every request with a short body.
var benchHTTPHandler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
	fmt.Fprint(w, "hello")
})

// benchGet sends b.N GETs to url through client, reading each body, on one
// kept-alive connection after the first.
func benchGet(b *testing.B, client *http.Client, url string) {
	for range b.N {
		resp, err := client.Get(url)
		if err != nil {
			b.Error(err)
			return
		}
		if _, err := io.Copy(io.Discard, resp.Body); err != nil {
			b.Error(err)
		}
		resp.Body.Close()
	}
}

// BenchmarkHTTPKeepAliveRequest is one HTTP/1.1 request on a kept-alive
// connection: on std over NetListener and DialContext, beside net/http over
// net.Listen and its own dialer.
func BenchmarkHTTPKeepAliveRequest(b *testing.B) {
	b.Run("anyio", func(b *testing.B) {
		inTask(b, func(ctx context.Context) {
			l, err := anyio.ListenTCP(ctx, "127.0.0.1", 0)
			if err != nil {
				b.Error(err)
				return
			}
			srv := &http.Server{Handler: benchHTTPHandler}
			go srv.Serve(l.NetListener(ctx))
			defer srv.Close()
			tr := &http.Transport{DialContext: anyio.DialContext(ctx)}
			defer tr.CloseIdleConnections()
			benchGet(b, &http.Client{Transport: tr}, "http://"+l.Addr().String()+"/")
		})
	})
	b.Run("net", func(b *testing.B) {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			b.Fatal(err)
		}
		srv := &http.Server{Handler: benchHTTPHandler}
		go srv.Serve(l)
		defer srv.Close()
		tr := &http.Transport{}
		defer tr.CloseIdleConnections()
		benchGet(b, &http.Client{Transport: tr}, "http://"+l.Addr().String()+"/")
	})
}

// BenchmarkSimHTTPKeepAliveRequest is the same request on sim, inside a
// testing/synctest bubble where the run adopts net/http's goroutines, and
// reports requests a second of wall time, the run's start and end
// included. A bubble needs a *testing.T, so the benchmark runs its loop as
// a test of its own (testing.RunTests).
func BenchmarkSimHTTPKeepAliveRequest(b *testing.B) {
	// RunTests runs each test -test.count times: once is what is measured.
	if f := flag.Lookup("test.count"); f != nil {
		was := f.Value.String()
		f.Value.Set("1")
		defer f.Value.Set(was)
	}
	start := time.Now() // outside the bubble: the wall clock
	ok := testing.RunTests(func(string, string) (bool, error) { return true, nil }, []testing.InternalTest{{
		Name: b.Name(),
		F: func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				anyio.SetBubbleWait(synctest.Wait)
				err := anyio.Run(func(ctx context.Context) error {
					return anyio.WithTaskGroup(ctx, func(ctx context.Context, tg *anyio.TaskGroup) error {
						l, err := anyio.ListenTCP(ctx, "127.0.0.1", 80)
						if err != nil {
							return err
						}
						srv := &http.Server{Handler: benchHTTPHandler}
						tg.StartSoon(func(ctx context.Context) error {
							if err := srv.Serve(l.NetListener(ctx)); err != http.ErrServerClosed {
								return err
							}
							return nil
						})
						tr := &http.Transport{DialContext: anyio.DialContext(ctx)}
						benchGet(b, &http.Client{Transport: tr}, "http://127.0.0.1/")
						tr.CloseIdleConnections()
						if err := anyio.WaitAllTasksBlocked(ctx); err != nil {
							return err
						}
						return srv.Shutdown(ctx)
					})
				}, anyio.Backend(anyio.BackendSim))
				if err != nil {
					t.Error(err)
				}
			})
		},
	}})
	wall := time.Since(start)
	if !ok {
		b.Fatal("the sim run failed")
	}
	b.ReportMetric(float64(b.N)/wall.Seconds(), "req/s")
}
