package graceful

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/anyiogen/anyiogen/generated/anyio"
	"github.com/anyiogen/anyiogen/generated/anyio/anyiotest"
	"github.com/anyiogen/anyiogen/internal/leaktest"
)

func TestMain(m *testing.M) { leaktest.Main(m) }

func network(int64) *anyio.SimNetwork {
	nw := anyio.NewSimNetwork()
	nw.AddHost("server", netip.MustParseAddr("10.0.0.1"))
	nw.SetLatency(time.Millisecond)
	return nw
}

// drainStory runs the server on host "server", a client that asks while
// SIGTERM arrives mid-request, and a second client after the signal. It
// returns what happened, stamped with virtual time.
func drainStory(ctx context.Context) (string, error) {
	nw := anyio.CurrentNetwork(ctx)
	start := anyio.Now(ctx)
	at := func() time.Duration { return anyio.Now(ctx).Sub(start) }
	var story string
	err := anyio.WithTaskGroup(ctx, func(ctx context.Context, tg *anyio.TaskGroup) error {
		up := anyio.NewEvent()
		tg.StartSoon(func(ctx context.Context) error {
			return anyio.RunHost(ctx, "server", func(ctx context.Context) error {
				ln, err := anyio.ListenTCP(ctx, "", 8080)
				if err != nil {
					return err
				}
				up.Set()
				sig, err := Serve(ctx, ln)
				story += fmt.Sprintf("server returned at %v after %v (%v)\n", at(), sig, err)
				return err
			})
		}, anyio.Name("server"))
		if err := up.Wait(ctx); err != nil {
			return err
		}
		// The request, with a jitter of the seed's before it.
		tg.StartSoon(func(ctx context.Context) error {
			if err := anyio.Sleep(ctx, time.Duration(anyio.Rand(ctx).IntN(20))*time.Millisecond); err != nil {
				return err
			}
			s, err := anyio.ConnectTCP(ctx, "server", 8080)
			if err != nil {
				return err
			}
			defer s.Close()
			if err := s.Send(ctx, []byte("order 1\n")); err != nil {
				return err
			}
			answer, err := anyio.NewBufferedByteStream(s).ReceiveUntil(ctx, []byte("\n"), 1024)
			story += fmt.Sprintf("client got %q (%v) at %v\n", answer, err, at())
			return nil
		}, anyio.Name("client"))
		// SIGTERM in the middle of the request.
		if err := anyio.Sleep(ctx, 50*time.Millisecond); err != nil {
			return err
		}
		story += fmt.Sprintf("SIGTERM at %v\n", at())
		nw.Signal("server", syscall.SIGTERM)
		if err := anyio.Sleep(ctx, 10*time.Millisecond); err != nil {
			return err
		}
		_, err := anyio.ConnectTCP(ctx, "server", 8080)
		story += fmt.Sprintf("a connect after the signal: refused %v\n", errors.Is(err, syscall.ECONNREFUSED))
		return nil
	})
	return story, err
}

// On every seed the request under way when SIGTERM comes is answered, a
// connect after it is refused, and the server returns once the request is
// done; each seed tells the same story twice.
func TestDrainsOnSIGTERM(t *testing.T) {
	anyiotest.Seeds(t, 50, func(t *testing.T, ctx context.Context) error {
		story, err := drainStory(ctx)
		if err != nil {
			return err
		}
		for _, want := range []string{`client got "done: order 1" (<nil>)`, "a connect after the signal: refused true", "after terminated (<nil>)"} {
			if !strings.Contains(story, want) {
				return fmt.Errorf("the story lacks %q:\n%s", want, story)
			}
		}
		return nil
	}, anyio.NetworkFunc(network))
}

// The same seed drains at the same virtual instant on every run.
func TestDrainIsTheSeedsOnEveryRun(t *testing.T) {
	for seed := range int64(10) {
		var stories [2]string
		for i := range stories {
			err := anyio.Run(func(ctx context.Context) error {
				var err error
				stories[i], err = drainStory(ctx)
				return err
			}, anyio.Backend(anyio.BackendSim), anyio.Seed(seed), anyio.NetworkFunc(network))
			if err != nil {
				t.Fatalf("seed %d: %v", seed, err)
			}
		}
		if stories[0] != stories[1] {
			t.Fatalf("seed %d told two stories:\n%s\nand\n%s", seed, stories[0], stories[1])
		}
	}
}

// On std, over loopback, a real SIGTERM to the process drains the server
// the same way.
func TestDrainsOnARealSIGTERM(t *testing.T) {
	err := anyio.Run(func(ctx context.Context) error {
		ln, err := anyio.ListenTCP(ctx, "127.0.0.1", 0)
		if err != nil {
			return err
		}
		port := ln.Addr().(*net.TCPAddr).Port
		return anyio.WithTaskGroup(ctx, func(ctx context.Context, tg *anyio.TaskGroup) error {
			served := anyio.NewEvent()
			tg.StartSoon(func(ctx context.Context) error {
				defer served.Set()
				sig, err := Serve(ctx, ln)
				if sig != syscall.SIGTERM {
					return fmt.Errorf("Serve returned %v, %v; want SIGTERM", sig, err)
				}
				return err
			})
			s, err := anyio.ConnectTCP(ctx, "127.0.0.1", port)
			if err != nil {
				return err
			}
			defer s.Close()
			if err := s.Send(ctx, []byte("order 1\n")); err != nil {
				return err
			}
			if err := anyio.Sleep(ctx, Work/2); err != nil {
				return err
			}
			if err := anyio.RaiseSignal(ctx, syscall.SIGTERM); err != nil {
				return err
			}
			answer, err := anyio.NewBufferedByteStream(s).ReceiveUntil(ctx, []byte("\n"), 1024)
			if string(answer) != "done: order 1" || err != nil {
				return fmt.Errorf("the request under way got %q, %v", answer, err)
			}
			return served.Wait(ctx)
		})
	})
	if err != nil {
		t.Fatal(err)
	}
}
