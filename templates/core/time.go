package core

import (
	"context"
	"time"

	anyiort "github.com/anyiogen/anyiogen/runtime"
)

// Now is the current time on ctx's backend clock.
func Now(ctx context.Context) time.Time { return backendOf(ctx).Now() }

// Sleep waits for d on ctx's backend clock.
func Sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return Checkpoint(ctx)
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	b := backendOf(ctx)
	w := b.NewWaiter()
	t := b.AfterFunc(d, w.Wake)
	if err := w.Wait(ctx, "sleep"); err != nil {
		t.Stop()
		return err
	}
	return nil
}

// Checkpoint is a scheduling point that reports a cancellation.
func Checkpoint(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	backendOf(ctx).Yield()
	return ctx.Err()
}

// CurrentEffectiveDeadline is the earliest deadline that applies to ctx.
// A cancelled ctx has one already past, the zero time, as AnyIO answers
// -inf.
func CurrentEffectiveDeadline(ctx context.Context) (time.Time, bool) {
	if ctx.Err() != nil {
		return time.Time{}, true
	}
	return ctx.Deadline()
}

// schedulingPoint is a Checkpoint on a backend that runs one task at a time,
// where an operation that would not otherwise wait must still let others
// run; elsewhere, where goroutines are preempted anyway, it only reports a
// cancellation.
func schedulingPoint(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if b, one := oneAtATime(ctx); one {
		b.Yield()
		return ctx.Err()
	}
	return nil
}

// oneAtATime returns ctx's backend and whether it runs one task at a time.
// A scope's or a task's context answers from what its scope learned at
// entry, which spares a type assertion on every Send and Acquire.
func oneAtATime(ctx context.Context) (anyiort.Backend, bool) {
	if !anyiort.OneAtATimeRunning() {
		return nil, false // no such run anywhere in the process
	}
	if p := scopeParent(ctx); p != nil && p.scope().backend != nil {
		s := p.scope()
		return s.backend, s.oneAtATime
	}
	b := backendOf(ctx)
	o, ok := b.(anyiort.OneAtATime)
	return b, ok && o.OneAtATime()
}
