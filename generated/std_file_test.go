package generated

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/anyiogen/anyiogen/generated/anyio"
)

// On std each file call holds a token of ToThread's default limiter: with
// every token lent, a file call waits until one comes back.
func TestStdFileCallsHoldADefaultThreadLimiterToken(t *testing.T) {
	name := filepath.Join(t.TempDir(), "f")
	err := anyio.Run(func(ctx context.Context) error {
		limiter := anyio.DefaultThreadLimiter(ctx)
		total := limiter.Statistics().TotalTokens
		borrowers := make([]*int, total)
		for i := range borrowers {
			borrowers[i] = new(int)
			if err := limiter.AcquireOnBehalfOf(ctx, borrowers[i]); err != nil {
				return err
			}
		}
		written := anyio.NewEvent()
		return anyio.WithTaskGroup(ctx, func(ctx context.Context, tg *anyio.TaskGroup) error {
			tg.StartSoon(func(ctx context.Context) error {
				defer written.Set()
				return anyio.WriteFile(ctx, name, []byte("x"), 0o644)
			})
			if err := anyio.Sleep(ctx, 50*time.Millisecond); err != nil {
				return err
			}
			if written.IsSet() {
				return fmt.Errorf("a file call ran while all %d tokens were lent", total)
			}
			if w := limiter.Statistics().TasksWaiting; w != 1 {
				return fmt.Errorf("%d calls wait for a token, want the file call", w)
			}
			if err := limiter.ReleaseOnBehalfOf(borrowers[0]); err != nil {
				return err
			}
			if err := written.Wait(ctx); err != nil {
				return err
			}
			for _, b := range borrowers[1:] {
				if err := limiter.ReleaseOnBehalfOf(b); err != nil {
					return err
				}
			}
			return nil
		})
	})
	if err != nil {
		t.Fatal(err)
	}
}
