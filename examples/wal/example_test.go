package wal_test

import (
	"context"
	"fmt"

	"github.com/anyiogen/anyiogen/examples/wal"
	"github.com/anyiogen/anyiogen/generated/anyio"
)

// A log on the simulated disk of localhost: two records appended, the log
// reopened, both read back.
func Example() {
	err := anyio.Run(func(ctx context.Context) error {
		log, _, err := wal.Open(ctx, "/data", wal.Options{})
		if err != nil {
			return err
		}
		for _, rec := range []string{"set x 1", "set y 2"} {
			if err := log.Append(ctx, []byte(rec)); err != nil {
				return err
			}
		}
		log.Close()
		log, records, err := wal.Open(ctx, "/data", wal.Options{})
		if err != nil {
			return err
		}
		defer log.Close()
		for _, rec := range records {
			fmt.Println(string(rec))
		}
		return nil
	}, anyio.Backend(anyio.BackendSim))
	if err != nil {
		fmt.Println(err)
	}
	// Output:
	// set x 1
	// set y 2
}
