package core

import (
	"context"
	"time"

	anyiort "github.com/anyiogen/anyiogen/runtime"
)

// FailAfter runs body in a scope with a deadline d from now.
func FailAfter(ctx context.Context, d time.Duration, body func(ctx context.Context) error, opts ...ScopeOption) error {
	s, err := runWithTimeout(ctx, "FailAfter", d, body, opts)
	if err == nil && s.caughtDeadline() {
		return anyiort.ErrTimeout
	}
	return err
}
