package anyiotest_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/anyiogen/anyiogen/generated/anyio"
	"github.com/anyiogen/anyiogen/generated/anyio/anyiotest"
)

// lostUpdateTest is what a user writes as func TestLostUpdate(t *testing.T).
// Its two tasks each do some work, then read the counter, let others run and
// write it back: a lost update in the interleavings where both read before
// either writes. Each seed tries another interleaving.
func lostUpdateTest(t *testing.T) {
	anyiotest.Seeds(t, 20, func(t *testing.T, ctx context.Context) error {
		counter := 0
		err := anyio.WithTaskGroup(ctx, func(ctx context.Context, tg *anyio.TaskGroup) error {
			for range 2 {
				tg.StartSoon(func(ctx context.Context) error {
					for range 3 { // some work, with scheduling points
						if err := anyio.Checkpoint(ctx); err != nil {
							return err
						}
					}
					v := counter
					if err := anyio.Checkpoint(ctx); err != nil { // the other task may run here
						return err
					}
					counter = v + 1
					return nil
				})
			}
			return nil
		})
		if err == nil && counter != 2 {
			err = fmt.Errorf("counter = %d, want 2", counter)
		}
		return err
	})
}

// ExampleSeeds runs TestLostUpdate (lostUpdateTest above) as go test does and
// prints its report: the first seed that finds the bug, and how to replay it.
func ExampleSeeds() {
	out, err := goTest("-test.run=^TestLostUpdate$")
	fmt.Print(out)
	fmt.Println("failed:", err != nil)
	// Output:
	// --- FAIL: TestLostUpdate
	//     --- FAIL: TestLostUpdate/seed=9
	//     example_seeds_test.go:17: on sim with seed 9: counter = 1, want 2
	//         last events of the run:
	//             0s  "anyiotest_test.TestLostUpdate.lostUpdateTest.func1.1.1" (task 3): run (0s)
	//             0s  "anyiotest_test.TestLostUpdate.lostUpdateTest.func1.1.1" (task 2): run (0s)
	//             0s  "anyiotest_test.TestLostUpdate.lostUpdateTest.func1.1.1" (task 3): run (0s)
	//             0s  "anyiotest_test.TestLostUpdate.lostUpdateTest.func1.1.1" (task 3): end
	//             0s  "anyiotest_test.TestLostUpdate.lostUpdateTest.func1.1.1" (task 2): run (0s)
	//             0s  "anyiotest_test.TestLostUpdate.lostUpdateTest.func1.1.1" (task 2): end
	//             0s  "main" (task 1): wait: task group: waiting for its tasks (0s)
	//             0s  scheduler: run ended
	//             replay this seed: go test -run '^TestLostUpdate$/^seed=9$' github.com/anyiogen/anyiogen/generated/anyio/anyiotest
	//                        or: go test github.com/anyiogen/anyiogen/generated/anyio/anyiotest -anyio.seed=9
	//             trace of the run: $TMPDIR/anyiotest/github.com/anyiogen/anyiogen/generated/anyio/anyiotest/TestLostUpdate/seed=9.json (open it in ui.perfetto.dev)
	//     example_seeds_test.go:17: anyiotest.Seeds: stopped at the first failing seed, 9; seeds 10 to 19 did not run
	// failed: true
}
