package anyio_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/anyiogen/anyiogen/generated/anyio"
)

// An http.Handler runs on the server's goroutines, outside the run: it
// calls into the run with FromThread, here to count hits under a Lock that
// only the run's tasks take. The run itself waits for its client in
// ToThread, where blocking on plain I/O is allowed.
func ExampleFromThread() {
	err := anyio.Run(func(ctx context.Context) error {
		tok := anyio.CurrentToken(ctx)
		lock := anyio.NewLock()
		hits := 0
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			err := anyio.FromThread(tok, func(ctx context.Context) error {
				if err := lock.Acquire(ctx); err != nil {
					return err
				}
				defer lock.Release()
				hits++
				_, err := fmt.Fprintf(w, "hit %d", hits)
				return err
			})
			if err != nil {
				http.Error(w, err.Error(), http.StatusServiceUnavailable)
			}
		}))
		defer srv.Close()
		client := srv.Client()
		_, err := anyio.ToThread(ctx, func() (struct{}, error) {
			for range 2 {
				resp, err := client.Get(srv.URL)
				if err != nil {
					return struct{}{}, err
				}
				body, err := io.ReadAll(resp.Body)
				resp.Body.Close()
				if err != nil {
					return struct{}{}, err
				}
				fmt.Println(string(body))
			}
			return struct{}{}, nil
		})
		return err
	})
	fmt.Println(err)
	// Output:
	// hit 1
	// hit 2
	// <nil>
}

// ToThread runs blocking code outside the run's tasks. On the simulator it
// takes no virtual time, however long it takes on the wall clock.
func ExampleToThread() {
	err := anyio.Run(func(ctx context.Context) error {
		start := anyio.Now(ctx)
		n, err := anyio.ToThread(ctx, func() (int, error) {
			time.Sleep(10 * time.Millisecond) // a blocking call: a file, cgo, a driver
			return 42, nil
		})
		fmt.Println(n, err, anyio.Now(ctx).Sub(start))
		return nil
	}, anyio.Backend(anyio.BackendSim))
	fmt.Println(err)
	// Output:
	// 42 <nil> 0s
	// <nil>
}
