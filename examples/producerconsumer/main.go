// Producerconsumer passes items from one task to another through a memory
// object stream, as AnyIO's producer_consumer example does.
//
// NewMemoryObjectStream[string](0) gives the two ends of a typed stream
// with no buffer: each Send waits until the consumer has the item. The
// producer sends item-0 to item-9 and closes its end; the consumer ranges
// over rx.All(ctx), which stops quietly at the end of the stream once
// every item has been received. Both are tasks of one task group, which
// returns when both have.
//
// The output is the same on both backends; on sim, where tasks take turns
// in an order drawn from the seed, it is the same for every seed too.
//
// Run it with
//
//	go run ./examples/producerconsumer              # std: goroutines
//	go run ./examples/producerconsumer -backend sim # sim: seeded scheduler
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/anyiogen/anyiogen/generated/anyio"
)

func main() {
	backend := flag.String("backend", anyio.BackendStd, "backend to run on: std or sim")
	seed := flag.Int64("seed", 0, "sim: the seed of the scheduler")
	flag.Parse()
	if err := run(os.Stdout, *backend, *seed); err != nil {
		fmt.Fprintln(os.Stderr, "producerconsumer:", err)
		os.Exit(1)
	}
}

// run runs a producer and a consumer on the backend named; the consumer
// prints what it receives to w.
func run(w io.Writer, backend string, seed int64) error {
	opts := []anyio.RunOption{anyio.Backend(backend)}
	if backend == anyio.BackendSim {
		opts = append(opts, anyio.Seed(seed))
	}
	return anyio.Run(func(ctx context.Context) error {
		tx, rx := anyio.NewMemoryObjectStream[string](0)
		return anyio.WithTaskGroup(ctx, func(ctx context.Context, tg *anyio.TaskGroup) error {
			tg.StartSoon(func(ctx context.Context) error { return produce(ctx, tx) }, anyio.Name("producer"))
			tg.StartSoon(func(ctx context.Context) error { return consume(ctx, rx, w) }, anyio.Name("consumer"))
			return nil
		})
	}, opts...)
}

// produce sends ten items and closes tx, which ends the stream.
func produce(ctx context.Context, tx *anyio.SendStream[string]) error {
	defer tx.Close()
	for i := range 10 {
		if err := tx.Send(ctx, fmt.Sprintf("item-%d", i)); err != nil {
			return err
		}
	}
	return nil
}

// consume prints every item until the end of the stream.
func consume(ctx context.Context, rx *anyio.ReceiveStream[string], w io.Writer) error {
	defer rx.Close()
	n := 0
	for item, err := range rx.All(ctx) {
		if err != nil {
			return err
		}
		fmt.Fprintln(w, item)
		n++
	}
	fmt.Fprintf(w, "received %d items; the stream has ended\n", n)
	return nil
}
