package tracesvg_test

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/anyiogen/anyiogen/generated/anyio"
	"github.com/anyiogen/anyiogen/internal/tracesvg"
)

var update = flag.Bool("update", false, "rewrite docs/trace.svg")

// readmeRun is the run the README pictures: a server whose handlers share a
// Lock, and two clients that each send two requests over a network with a
// millisecond of latency, on seed 7.
func readmeRun(trace *bytes.Buffer) error {
	nw := anyio.NewSimNetwork()
	nw.SetLatency(time.Millisecond)
	return anyio.Run(func(ctx context.Context) error {
		ln, err := anyio.ListenTCP(ctx, "127.0.0.1", 0)
		if err != nil {
			return err
		}
		port := ln.Addr().(*net.TCPAddr).Port
		var mu = anyio.NewLock()
		return anyio.WithTaskGroup(ctx, func(ctx context.Context, tg *anyio.TaskGroup) error {
			tg.StartSoon(func(ctx context.Context) error {
				return ln.Serve(ctx, func(ctx context.Context, s *anyio.SocketStream) error {
					for {
						req, err := s.Receive(ctx, 64)
						if err != nil {
							return nil
						}
						if err := mu.Acquire(ctx); err != nil {
							return err
						}
						err = anyio.Sleep(ctx, 2*time.Millisecond) // the work, under the lock
						mu.Release()
						if err != nil {
							return err
						}
						if err := s.Send(ctx, append([]byte("ok "), req...)); err != nil {
							return err
						}
					}
				})
			}, anyio.Name("server"))
			clients := anyio.NewCapacityLimiter(2)
			for _, name := range []string{"client a", "client b"} {
				tg.StartSoon(func(ctx context.Context) error {
					if err := clients.Acquire(ctx); err != nil {
						return err
					}
					defer clients.Release(ctx)
					s, err := anyio.ConnectTCP(ctx, "127.0.0.1", port)
					if err != nil {
						return err
					}
					defer s.Close()
					for i := range 2 {
						if err := s.Send(ctx, []byte(fmt.Sprint(i))); err != nil {
							return err
						}
						if _, err := s.Receive(ctx, 64); err != nil {
							return err
						}
					}
					return nil
				}, anyio.Name(name))
			}
			tg.StartSoon(func(ctx context.Context) error {
				if err := anyio.Sleep(ctx, 14*time.Millisecond); err != nil {
					return err
				}
				tg.CancelScope().Cancel()
				return nil
			}, anyio.Name("shutdown"))
			return nil
		})
	}, anyio.Backend(anyio.BackendSim), anyio.Seed(7), anyio.Network(nw), anyio.Trace(trace))
}

// TestREADMETracePicture keeps docs/trace.svg, which the README shows, the
// picture of readmeRun's trace: go test -run TestREADMETracePicture -update
// redraws it.
func TestREADMETracePicture(t *testing.T) {
	var trace bytes.Buffer
	if err := readmeRun(&trace); err != nil {
		t.Fatalf("the README's run failed: %v", err)
	}
	var svg bytes.Buffer
	if err := tracesvg.Render(&svg, &trace, "anyio.Trace of a sim run (seed 7): a server, two clients, a Lock, 1 ms latency"); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join("..", "..", "docs", "trace.svg")
	if *update {
		if err := os.WriteFile(path, svg.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to draw it)", err)
	}
	if !bytes.Equal(svg.Bytes(), want) {
		t.Errorf("%s is not the picture of the README's run: run go test ./internal/tracesvg -run TestREADMETracePicture -update", path)
	}
}
