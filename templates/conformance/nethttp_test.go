package conformance

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	anyio "github.com/anyiogen/anyiogen/generated/anyio"
)

// net/http over the package's sockets, on every backend: "http.Server
// (over NetListener) and http.Client (with Transport.DialContext:
// DialContext(ctx)) run on sim inside the test helper, deterministically,
// ... and on std over the OS."

// confLibrarySeeds is how many seeds the net/http tests run on sim.
const confLibrarySeeds = 10

// confEachBackendWithLibraries runs body as confEachBackend does, with each
// sim run inside a testing/synctest bubble given the bubble's Wait, as the
// test helper's are: there the simulator adopts the goroutines a library
// starts. Each seed runs twice, and the two runs' traces must be the same:
// the library's goroutines too follow the seed.
func confEachBackendWithLibraries(t *testing.T, body func(t *testing.T, ctx context.Context) error) {
	t.Helper()
	confEachBackendWithLibrariesDrawing(t, "", nil, body)
}

// confEachBackendWithLibrariesDrawing is confEachBackendWithLibraries for a
// body whose library draws from the global math/rand: draws says what. A
// sim run seeds that source from its own seed where the test binary lets
// rand.Seed act (GODEBUG randseednop=0, as this repository's conformance
// binary does), and then the body's runs are compared whole. Elsewhere no
// seed reaches it, and drawsFrom, read after each run, is the virtual time
// into the run from which the draws can show (the first draw takes effect
// later than that): the two runs of a seed must agree on that moment and
// on every event of the trace that ended by it, and what differs after it
// is logged.
func confEachBackendWithLibrariesDrawing(t *testing.T, draws string, drawsFrom func() time.Duration, body func(t *testing.T, ctx context.Context) error) {
	t.Helper()
	whole := drawsFrom == nil || confGlobalRandFollowsSeeds()
	for _, name := range anyio.Backends() {
		t.Run(name, func(t *testing.T) {
			if name != anyio.BackendSim {
				confRun(t, name, body)
				return
			}
			for seed := range confLibrarySeeds {
				t.Run(fmt.Sprintf("seed=%d", seed), func(t *testing.T) {
					var transcripts [2]bytes.Buffer
					var from [2]time.Duration
					for i := range transcripts {
						synctest.Test(t, func(t *testing.T) {
							anyio.SetBubbleWait(synctest.Wait)
							confRun(t, name, body, anyio.Seed(int64(seed)), anyio.Trace(&transcripts[i]))
						})
						if t.Failed() {
							return
						}
						if !whole {
							from[i] = drawsFrom()
						}
					}
					first, second := transcripts[0].String(), transcripts[1].String()
					if !whole {
						if from[0] != from[1] {
							t.Fatalf("seed %d: the draws (%s) began %v into the first run and %v into the second, want the same moment", seed, draws, from[0], from[1])
						}
						if line, a, b := confFirstDifference(first, second); line > 0 {
							t.Logf("seed %d: from %v on, %s; the runs' traces first differ at line %d:\n\tfirst run:  %s\n\tsecond run: %s", seed, from[0], draws, line, a, b)
						}
						var err error
						if first, err = confTraceBy(first, from[0]); err != nil {
							t.Fatalf("the first run's trace: %v", err)
						}
						if second, err = confTraceBy(second, from[1]); err != nil {
							t.Fatalf("the second run's trace: %v", err)
						}
						if first == "" {
							t.Fatalf("seed %d: no event of the trace ended by %v, so nothing was compared", seed, from[0])
						}
					}
					if line, a, b := confFirstDifference(first, second); line > 0 {
						t.Errorf("seed %d ran differently the second time, at line %d of the trace:\n\tfirst run:  %s\n\tsecond run: %s", seed, line, a, b)
					}
				})
			}
		})
	}
}

// confGlobalRandFollowsSeeds reports whether rand.Seed acts in this test
// binary, so that sim runs seed the global source from their seeds.
func confGlobalRandFollowsSeeds() bool {
	//lint:ignore SA1019 whether the deprecated call acts is the question
	rand.Seed(1)
	first := rand.Int63()
	//lint:ignore SA1019 as above
	rand.Seed(1)
	return rand.Int63() == first
}

// confTraceBy keeps, of a trace, the events that ended by the moment
// (virtual time into the run), one per line in the order they were
// written: an event is written when it ends, so these are what the run
// wrote until then.
func confTraceBy(trace string, moment time.Duration) (string, error) {
	var kept strings.Builder
	for i, line := range strings.Split(trace, "\n") {
		event := strings.TrimSuffix(line, ",")
		if !strings.HasPrefix(event, "{") || !strings.Contains(event, `"ts":`) {
			continue // the document's frame, or metadata, which has no time
		}
		var e struct {
			TS  float64 `json:"ts"`  // µs
			Dur float64 `json:"dur"` // µs
		}
		if err := json.Unmarshal([]byte(event), &e); err != nil {
			return "", fmt.Errorf("line %d: %w", i+1, err)
		}
		if end := time.Duration((e.TS + e.Dur) * float64(time.Microsecond)); end <= moment {
			kept.WriteString(event + "\n")
		}
	}
	return kept.String(), nil
}

// confFirstDifference is the first line, counted from 1, where a and b
// differ, and the two lines there; 0 when they are the same.
func confFirstDifference(a, b string) (line int, first, second string) {
	if a == b {
		return 0, "", ""
	}
	la, lb := strings.Split(a, "\n"), strings.Split(b, "\n")
	for i := range max(len(la), len(lb)) {
		first, second = "(end)", "(end)"
		if i < len(la) {
			first = la[i]
		}
		if i < len(lb) {
			second = lb[i]
		}
		if first != second {
			return i + 1, first, second
		}
	}
	return 0, "", ""
}

// confHTTPServer serves handler on a NetListener of a fresh port in a task
// of tg, with ctx as every request's base, and returns the server and its
// URL. configure, if not nil, sees the server before it serves. The task
// ends when the server is shut down.
func confHTTPServer(ctx context.Context, tg *anyio.TaskGroup, handler http.Handler, configure func(*http.Server)) (*http.Server, string, error) {
	l, err := anyio.ListenTCP(ctx, "127.0.0.1", 0)
	if err != nil {
		return nil, "", err
	}
	srv := &http.Server{Handler: handler, BaseContext: func(net.Listener) context.Context { return ctx }}
	if configure != nil {
		configure(srv)
	}
	tg.StartSoon(func(ctx context.Context) error {
		if err := srv.Serve(l.NetListener(ctx)); err != http.ErrServerClosed {
			return err
		}
		return nil
	}, anyio.Name("http server"))
	return srv, "http://" + l.Addr().String(), nil
}

// confHTTPGet GETs url with client and returns the body.
func confHTTPGet(client *http.Client, url string) (string, error) {
	resp, err := client.Get(url)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	return string(body), err
}

// Requests in turn share one kept-alive connection.
func TestNetHTTPKeepAlive(t *testing.T) {
	confEachBackendWithLibraries(t, func(t *testing.T, ctx context.Context) error {
		return anyio.WithTaskGroup(ctx, func(ctx context.Context, tg *anyio.TaskGroup) error {
			var conns atomic.Int32
			srv, base, err := confHTTPServer(ctx, tg, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				fmt.Fprintf(w, "hello %s", r.URL.Path)
			}), func(srv *http.Server) {
				srv.ConnState = func(_ net.Conn, s http.ConnState) {
					if s == http.StateNew {
						conns.Add(1)
					}
				}
			})
			if err != nil {
				return err
			}
			tr := &http.Transport{DialContext: anyio.DialContext(ctx)}
			defer tr.CloseIdleConnections()
			client := &http.Client{Transport: tr}
			for _, path := range []string{"/a", "/b", "/c"} {
				got, err := confHTTPGet(client, base+path)
				if err != nil {
					return err
				}
				if want := "hello " + path; got != want {
					t.Errorf("GET %s = %q, want %q", path, got, want)
				}
			}
			if n := conns.Load(); n != 1 {
				t.Errorf("three requests in turn used %d connections, want 1 kept alive", n)
			}
			return srv.Shutdown(ctx)
		})
	})
}

// Shutdown stops accepting and waits for the request under way, whose
// client gets the whole response.
func TestNetHTTPShutdownWaitsForTheRunningHandler(t *testing.T) {
	var shutdownFrom time.Duration // into the run
	confEachBackendWithLibrariesDrawing(t, "http.Server.Shutdown polls a busy connection every millisecond plus a jitter from the global math/rand", func() time.Duration { return shutdownFrom }, func(t *testing.T, ctx context.Context) error {
		runStart := anyio.Now(ctx)
		return anyio.WithTaskGroup(ctx, func(ctx context.Context, tg *anyio.TaskGroup) error {
			started := anyio.NewEvent()
			srv, base, err := confHTTPServer(ctx, tg, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				started.Set()
				if err := anyio.Sleep(r.Context(), 5*confTick); err != nil {
					http.Error(w, err.Error(), http.StatusServiceUnavailable)
					return
				}
				fmt.Fprint(w, "finished")
			}), nil)
			if err != nil {
				return err
			}
			tr := &http.Transport{DialContext: anyio.DialContext(ctx)}
			defer tr.CloseIdleConnections()
			tg.StartSoon(func(ctx context.Context) error {
				got, err := confHTTPGet(&http.Client{Transport: tr}, base+"/slow")
				if err != nil {
					return fmt.Errorf("the request under way at Shutdown: %w", err)
				}
				if got != "finished" {
					t.Errorf("the request under way at Shutdown got %q, want %q", got, "finished")
				}
				return nil
			}, anyio.Name("client"))
			if err := started.Wait(ctx); err != nil {
				return err
			}
			start := anyio.Now(ctx)
			shutdownFrom = start.Sub(runStart)
			if err := srv.Shutdown(ctx); err != nil {
				return err
			}
			if waited := anyio.Now(ctx).Sub(start); waited < 4*confTick {
				t.Errorf("Shutdown returned after %v, before the handler's %v sleep ended", waited, 5*confTick)
			}
			return nil
		})
	})
}

// A client's Timeout cuts a request to a handler that never answers, on
// the backend's clock.
func TestNetHTTPClientTimeout(t *testing.T) {
	confEachBackendWithLibraries(t, func(t *testing.T, ctx context.Context) error {
		return anyio.WithTaskGroup(ctx, func(ctx context.Context, tg *anyio.TaskGroup) error {
			srv, base, err := confHTTPServer(ctx, tg, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				_ = anyio.Sleep(r.Context(), confForever) // until the client gives up
			}), nil)
			if err != nil {
				return err
			}
			tr := &http.Transport{DialContext: anyio.DialContext(ctx)}
			defer tr.CloseIdleConnections()
			client := &http.Client{Transport: tr, Timeout: 5 * confTick}
			start := anyio.Now(ctx)
			_, err = confHTTPGet(client, base+"/never")
			waited := anyio.Now(ctx).Sub(start)
			var uerr *url.Error
			if !errors.As(err, &uerr) || !uerr.Timeout() {
				t.Errorf("GET of a handler that never answers: %v, want a timeout", err)
			}
			if waited < 5*confTick || waited > confPrompt {
				t.Errorf("GET timed out after %v, want the client's Timeout, %v", waited, 5*confTick)
			}
			return srv.Close()
		})
	})
}

// HTTP/2 without TLS, with prior knowledge: its frames are read and written
// by goroutines of the server's and the client's own.
func TestNetHTTP2ClearText(t *testing.T) {
	confEachBackendWithLibraries(t, func(t *testing.T, ctx context.Context) error {
		return anyio.WithTaskGroup(ctx, func(ctx context.Context, tg *anyio.TaskGroup) error {
			srv, base, err := confHTTPServer(ctx, tg, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				fmt.Fprintf(w, "%s %s", r.Proto, r.URL.Path)
			}), func(srv *http.Server) {
				srv.Protocols = new(http.Protocols)
				srv.Protocols.SetUnencryptedHTTP2(true)
			})
			if err != nil {
				return err
			}
			tr := &http.Transport{DialContext: anyio.DialContext(ctx), Protocols: new(http.Protocols)}
			tr.Protocols.SetUnencryptedHTTP2(true)
			defer tr.CloseIdleConnections()
			client := &http.Client{Transport: tr}
			for _, path := range []string{"/a", "/b"} {
				got, err := confHTTPGet(client, base+path)
				if err != nil {
					return err
				}
				if want := "HTTP/2.0 " + path; got != want {
					t.Errorf("GET %s = %q, want %q", path, got, want)
				}
			}
			return srv.Close()
		})
	})
}

// HTTP/2 over TLS: crypto/tls's handshake and net/http's HTTP/2 over the
// views.
func TestNetHTTP2OverTLS(t *testing.T) {
	server, client, err := confTLSConfigs()
	if err != nil {
		t.Fatal(err)
	}
	confEachBackendWithLibraries(t, func(t *testing.T, ctx context.Context) error {
		return anyio.WithTaskGroup(ctx, func(ctx context.Context, tg *anyio.TaskGroup) error {
			l, err := anyio.ListenTCP(ctx, "127.0.0.1", 0)
			if err != nil {
				return err
			}
			srv := &http.Server{
				Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					fmt.Fprintf(w, "%s %s", r.Proto, r.URL.Path)
				}),
				TLSConfig:   server.Clone(),
				BaseContext: func(net.Listener) context.Context { return ctx },
			}
			tg.StartSoon(func(ctx context.Context) error {
				if err := srv.ServeTLS(l.NetListener(ctx), "", ""); err != http.ErrServerClosed {
					return err
				}
				return nil
			}, anyio.Name("https server"))
			tr := &http.Transport{DialContext: anyio.DialContext(ctx), TLSClientConfig: client.Clone(), ForceAttemptHTTP2: true}
			defer tr.CloseIdleConnections()
			httpsClient := &http.Client{Transport: tr}
			for _, path := range []string{"/a", "/b"} {
				got, err := confHTTPGet(httpsClient, "https://"+l.Addr().String()+path)
				if err != nil {
					return err
				}
				if want := "HTTP/2.0 " + path; got != want {
					t.Errorf("GET %s = %q, want %q", path, got, want)
				}
			}
			return srv.Close()
		})
	})
}
