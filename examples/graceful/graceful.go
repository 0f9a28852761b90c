// Package graceful is a server that shuts down gracefully on SIGTERM, as
// an orchestrator asks a service to: it stops accepting, lets the requests
// under way finish (Serve's Drain), and returns. Its test sends the SIGTERM
// on the simulator in the middle of a request, over many seeds, and checks
// that the request is answered, that a connection made after the signal is
// refused, and that the server returns at the same virtual instant on
// every run of a seed.
package graceful

import (
	"context"
	"fmt"
	"os"
	"syscall"
	"time"

	"github.com/anyiogen/anyiogen/generated/anyio"
)

// Work is how long a request takes; DrainFor how long the server waits for
// the requests under way once it is told to stop.
const (
	Work     = 100 * time.Millisecond
	DrainFor = 5 * time.Second
)

// Serve serves on ln until SIGTERM or SIGINT arrives, then closes ln (a
// new connection is refused) and drains: the requests under way finish
// (for up to DrainFor) and it returns the signal. Each request is a line; the answer is "done: " and the line,
// after Work.
func Serve(ctx context.Context, ln *anyio.TCPListener) (os.Signal, error) {
	signals, err := anyio.OpenSignalReceiver(ctx, syscall.SIGTERM, syscall.SIGINT)
	if err != nil {
		return nil, err
	}
	defer signals.Close()
	var got os.Signal
	err = anyio.WithTaskGroup(ctx, func(ctx context.Context, tg *anyio.TaskGroup) error {
		serving, stop := context.WithCancel(ctx) // cancelled by the signal: Serve then drains
		defer stop()
		tg.StartSoon(func(ctx context.Context) error {
			sig, err := signals.Receive(ctx)
			if err != nil {
				return err
			}
			got = sig
			stop()     // Serve stops accepting and drains...
			ln.Close() // ...and a new connection is refused at once
			return nil
		}, anyio.Name("signal watcher"))
		err := ln.Serve(serving, handle, anyio.Drain(DrainFor))
		if got == nil {
			return err // not stopped by a signal
		}
		return nil
	})
	return got, err
}

// handle answers one request.
func handle(ctx context.Context, s *anyio.SocketStream) error {
	r := anyio.NewBufferedByteStream(s)
	line, err := r.ReceiveUntil(ctx, []byte("\n"), 1024)
	if err != nil {
		return nil // the client went away
	}
	if err := anyio.Sleep(ctx, Work); err != nil {
		return err
	}
	return s.Send(ctx, []byte(fmt.Sprintf("done: %s\n", line)))
}
