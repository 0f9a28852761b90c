package core

import (
	"context"
	"time"
)

// MoveOnAfter runs body in a scope with a deadline d from now.
func MoveOnAfter(ctx context.Context, d time.Duration, body func(ctx context.Context) error, opts ...ScopeOption) (*CancelScope, error) {
	return runWithTimeout(ctx, "MoveOnAfter", d, body, opts)
}
