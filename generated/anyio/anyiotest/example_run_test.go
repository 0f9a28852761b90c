package anyiotest_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/anyiogen/anyiogen/generated/anyio"
	"github.com/anyiogen/anyiogen/generated/anyio/anyiotest"
)

// sumTest is what a user writes as func TestSum(t *testing.T): three tasks
// send their squares on a stream and the body adds them up, once on every
// backend.
func sumTest(t *testing.T) {
	anyiotest.Run(t, func(t *testing.T, ctx context.Context) error {
		tx, rx := anyio.NewMemoryObjectStream[int](0)
		sum := 0
		err := anyio.WithTaskGroup(ctx, func(ctx context.Context, tg *anyio.TaskGroup) error {
			for i := 1; i <= 3; i++ {
				tg.StartSoon(func(ctx context.Context) error { return tx.Send(ctx, i*i) })
			}
			for range 3 {
				n, err := rx.Receive(ctx)
				if err != nil {
					return err
				}
				sum += n
			}
			return nil
		})
		if err == nil && sum != 14 {
			err = fmt.Errorf("sum = %d, want 14", sum)
		}
		t.Logf("on %s the sum is %d", anyio.CurrentBackend(ctx), sum)
		return err
	})
}

// ExampleRun runs TestSum (sumTest above) as go test -v does and prints its
// report: one subtest per backend.
func ExampleRun() {
	out, err := goTest("-test.run=^TestSum$", "-test.v")
	fmt.Print(out)
	fmt.Println("error:", err)
	// Output:
	// === RUN   TestSum
	// === RUN   TestSum/sim
	//     example_run_test.go:35: on sim the sum is 14
	// === RUN   TestSum/std
	//     example_run_test.go:35: on std the sum is 14
	// --- PASS: TestSum
	//     --- PASS: TestSum/sim
	//     --- PASS: TestSum/std
	// error: <nil>
}
