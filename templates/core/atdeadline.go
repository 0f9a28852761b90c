package core

import (
	"context"
	"time"

	anyiort "github.com/anyiogen/anyiogen/runtime"
)

// FailAt is FailAfter with an absolute deadline on the backend's clock.
func FailAt(ctx context.Context, deadline time.Time, body func(ctx context.Context) error) error {
	b := backendOf(ctx)
	s, err := runUntil(ctx, b, time.Time{}, "FailAt", 0, deadline, body, nil)
	if err == nil && s.caughtDeadline() {
		return anyiort.ErrTimeout
	}
	return err
}

// MoveOnAt is MoveOnAfter with an absolute deadline on the backend's clock.
func MoveOnAt(ctx context.Context, deadline time.Time, body func(ctx context.Context) error) (*CancelScope, error) {
	return runUntil(ctx, backendOf(ctx), time.Time{}, "MoveOnAt", 0, deadline, body, nil)
}
