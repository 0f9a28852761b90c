package core

import (
	"context"
	"runtime/debug"

	anyiort "github.com/anyiogen/anyiogen/runtime"
)

// Token lets a goroutine the run did not start call into the run.
type Token struct {
	ctx    context.Context
	run    *anyiort.Run
	parent int64
}

// CurrentToken returns a token for calling into the run of ctx, under the
// cancel scope of ctx.
func CurrentToken(ctx context.Context) *Token {
	return &Token{ctx: ctx, run: anyiort.RunOf(ctx), parent: anyiort.TaskOf(ctx).Info().ID}
}

// FromThread runs fn as a task of the token's run and waits for its error.
func FromThread(tok *Token, fn func(ctx context.Context) error) error {
	if tok.run.Ended() {
		return ErrRunFinished
	}
	b := backendOf(tok.ctx)
	task := anyiort.NewTask(tok.run, tok.parent, taskName(b, "", fn))
	ctx := anyiort.WithTask(tok.ctx, task)
	done := make(chan struct{})
	err := ErrRunFinished // unless fn returns: a run that ends unwinds its tasks
	var panicked *PanicError
	body := func() {
		defer close(done)
		defer func() {
			if r := recover(); r != nil {
				panicked = &PanicError{Task: task.Name, Value: r, Stack: debug.Stack()}
			}
		}()
		e := fn(ctx)
		err = e
	}
	if th, ok := b.(anyiort.Threads); ok {
		if !th.GoFromOutside(task, body) {
			return ErrRunFinished
		}
	} else {
		tracker, _ := b.(anyiort.TaskTracker)
		b.Go(task.Name, func() {
			if tracker != nil {
				defer tracker.TaskExited()
			}
			body()
		})
	}
	// The caller is outside the run: it may wait on a channel.
	select {
	case <-done:
	case <-tok.run.Done():
		select {
		case <-done:
		default:
			return ErrRunFinished
		}
	}
	if panicked != nil {
		panic(panicked)
	}
	return err
}
