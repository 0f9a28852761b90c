package now

import (
	"context"
	"time"

	"example.com/gen/anyio"
	"example.com/gen/anyio/anyiotest"
)

func Main() {
	start := time.Now() // outside any run: not reported
	_ = anyio.Run(func(ctx context.Context) error {
		t0 := time.Now()          // want `time.Now inside a run reads the wall clock, not the run's; use anyio.Now\(ctx\)`
		elapsed := time.Since(t0) // want `time.Since inside a run reads the wall clock`
		left := time.Until(start) // want `time.Until inside a run reads the wall clock`
		_, _ = elapsed, left
		return nil
	})
}

func Pointer(p *time.Time) {
	_ = anyio.Run(func(ctx context.Context) error {
		_ = time.Until(*p) // want `time.Until inside a run`
		return nil
	})
}

// A body handed to the test helper runs, on sim, in a testing/synctest
// bubble, where time.Now is the run's clock.
func Swept() {
	anyiotest.Seeds(3, func(ctx context.Context) error {
		_ = time.Since(time.Now())
		return nil
	})
}
