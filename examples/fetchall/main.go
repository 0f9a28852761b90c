// Fetchall fetches several URLs at once in a task group, as AnyIO's
// fetch_all example does, and prints what each returned, sorted by URL.
//
// The task group returns only once every fetch has returned; the first
// failure would cancel the others. Each fetch is a ConnectTCP to the URL's
// host, a one-line request ("GET host/path", then SendEOF) and a Receive
// loop until ErrEndOfStream, under a FailAfter of its own.
//
// The program serves the pages itself. On the std backend one server on
// 127.0.0.1 (a free port) answers for every host; on the sim backend each
// host is a simulated machine of its own, added with AddHost, with 10ms of
// latency and one slow page, and the program also prints how much virtual
// time the fetches took: the time of the slowest one, not the sum. The
// fetching code is the same on both.
//
// Run it with
//
//	go run ./examples/fetchall              # std: goroutines, real sockets
//	go run ./examples/fetchall -backend sim # sim: virtual clock and network
//	go run ./examples/fetchall -backend sim -seed 7
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	"net"
	"net/netip"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/anyiogen/anyiogen/generated/anyio"
)

// A site is a host and its pages (path → body); slowPath answers late.
type site struct {
	host  string
	addr  netip.Addr // its address on the simulated network
	pages map[string]string
}

var sites = []site{
	{"www.example.org", netip.MustParseAddr("192.0.2.10"), map[string]string{
		"/":      "Welcome to example.org",
		"/about": "About us: one task group, many tasks",
	}},
	{"docs.example.org", netip.MustParseAddr("192.0.2.20"), map[string]string{
		"/guide": "Task groups wait for all their tasks",
	}},
	{"news.example.org", netip.MustParseAddr("192.0.2.30"), map[string]string{
		"/latest": "Nothing is lost when a scope is cancelled",
	}},
}

// slowPath is served after slowDelay, to show that fetches overlap.
const (
	slowPath  = "/latest"
	slowDelay = 200 * time.Millisecond
)

// urls are what the program fetches.
var urls = []string{
	"http://www.example.org/",
	"http://www.example.org/about",
	"http://docs.example.org/guide",
	"http://news.example.org/latest",
}

func main() {
	backend := flag.String("backend", anyio.BackendStd, "backend to run on: std or sim")
	seed := flag.Int64("seed", 0, "sim: the seed of the scheduler")
	flag.Parse()
	if err := run(os.Stdout, *backend, *seed); err != nil {
		fmt.Fprintln(os.Stderr, "fetchall:", err)
		os.Exit(1)
	}
}

// run fetches every URL on the backend named and prints the results to w.
func run(w io.Writer, backend string, seed int64) error {
	opts := []anyio.RunOption{anyio.Backend(backend)}
	if backend == anyio.BackendSim {
		n := anyio.NewSimNetwork()
		n.SetLatency(10 * time.Millisecond)
		for _, s := range sites {
			n.AddHost(s.host, s.addr)
		}
		opts = append(opts, anyio.Seed(seed), anyio.Network(n))
	}
	return anyio.Run(func(ctx context.Context) error {
		return anyio.WithTaskGroup(ctx, func(ctx context.Context, tg *anyio.TaskGroup) error {
			// The servers run in the group until the fetching is done.
			dial, err := startServers(ctx, tg)
			if err != nil {
				return err
			}
			start := anyio.Now(ctx)
			results, err := fetchAll(ctx, urls, dial)
			if err != nil {
				return err
			}
			for _, url := range slices.Sorted(maps.Keys(results)) {
				fmt.Fprintf(w, "%-32s %q\n", url, results[url])
			}
			if anyio.CurrentBackend(ctx) == anyio.BackendSim {
				fmt.Fprintf(w, "fetched %d URLs in %v of virtual time\n", len(results), anyio.Now(ctx).Sub(start))
			}
			tg.CancelScope().Cancel() // stop the servers; the group returns nil
			return nil
		})
	}, opts...)
}

// A dialer maps a URL's host to the address and port to connect to.
type dialer func(host string) (addr string, port int)

// startServers starts the servers as tasks of tg and returns where to
// connect for each host: on std one server on a free port of 127.0.0.1
// for every host, on sim one server per simulated host on port 80.
func startServers(ctx context.Context, tg *anyio.TaskGroup) (dialer, error) {
	if anyio.CurrentBackend(ctx) != anyio.BackendSim {
		l, err := anyio.ListenTCP(ctx, "127.0.0.1", 0)
		if err != nil {
			return nil, err
		}
		tg.StartSoon(func(ctx context.Context) error { return serve(ctx, l) })
		port := l.Addr().(*net.TCPAddr).Port
		return func(string) (string, int) { return "127.0.0.1", port }, nil
	}
	for _, s := range sites {
		l, err := anyio.ListenTCP(ctx, s.addr.String(), 80)
		if err != nil {
			return nil, err
		}
		tg.StartSoon(func(ctx context.Context) error { return serve(ctx, l) })
	}
	return func(host string) (string, int) { return host, 80 }, nil
}

// serve answers "GET host/path" requests on l until ctx is cancelled.
func serve(ctx context.Context, l *anyio.TCPListener) error {
	defer l.Close()
	return l.Serve(ctx, func(ctx context.Context, s *anyio.SocketStream) error {
		req, err := receiveAll(ctx, s)
		if err != nil {
			return err
		}
		host, path, _ := strings.Cut(strings.TrimPrefix(string(req), "GET "), "/")
		if "/"+path == slowPath {
			if err := anyio.Sleep(ctx, slowDelay); err != nil {
				return err
			}
		}
		return s.Send(ctx, []byte(page(host, "/"+path)))
	})
}

// page is the body served for host and path.
func page(host, path string) string {
	for _, s := range sites {
		if body, ok := s.pages[path]; ok && s.host == host {
			return body
		}
	}
	return "404 not found"
}

// fetchAll fetches every URL concurrently and returns URL → body. The
// results map is written by several tasks, so a mutex guards it.
func fetchAll(ctx context.Context, urls []string, dial dialer) (map[string]string, error) {
	var mu sync.Mutex
	results := make(map[string]string)
	err := anyio.WithTaskGroup(ctx, func(ctx context.Context, tg *anyio.TaskGroup) error {
		for _, url := range urls {
			tg.StartSoon(func(ctx context.Context) error {
				body, err := fetch(ctx, url, dial)
				if err != nil {
					return err
				}
				mu.Lock()
				defer mu.Unlock()
				results[url] = body
				return nil
			}, anyio.Name("fetch "+url))
		}
		return nil
	})
	return results, err
}

// fetch gets one URL, giving up after five seconds.
func fetch(ctx context.Context, url string, dial dialer) (string, error) {
	host, path, _ := strings.Cut(strings.TrimPrefix(url, "http://"), "/")
	var body []byte
	err := anyio.FailAfter(ctx, 5*time.Second, func(ctx context.Context) error {
		addr, port := dial(host)
		s, err := anyio.ConnectTCP(ctx, addr, port)
		if err != nil {
			return err
		}
		defer s.Close()
		if err := s.Send(ctx, []byte("GET "+host+"/"+path)); err != nil {
			return err
		}
		if err := s.SendEOF(); err != nil {
			return err
		}
		body, err = receiveAll(ctx, s)
		return err
	})
	if err != nil {
		return "", fmt.Errorf("fetch %s: %w", url, err)
	}
	return string(body), nil
}

// receiveAll reads s until the peer's EOF.
func receiveAll(ctx context.Context, s *anyio.SocketStream) ([]byte, error) {
	var data []byte
	for {
		chunk, err := s.Receive(ctx, 4096)
		if errors.Is(err, anyio.ErrEndOfStream) {
			return data, nil
		}
		if err != nil {
			return nil, err
		}
		data = append(data, chunk...)
	}
}
