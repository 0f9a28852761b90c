// Package lib is a library whose function waits on the wall clock.
package lib

import (
	"context"
	"time"
)

// Pause waits a second, on the wall clock.
func Pause(ctx context.Context) error {
	time.Sleep(time.Second)
	return ctx.Err()
}

// Fine waits with ctx only.
func Fine(ctx context.Context) error { return ctx.Err() }
