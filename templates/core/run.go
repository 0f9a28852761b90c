package core

import (
	"context"
	"fmt"
	"slices"
	"strings"

	anyiort "github.com/anyiogen/anyiogen/runtime"
)

// RunOption configures Run.
type RunOption = anyiort.RunOption

// Backend selects the backend Run uses.
func Backend(name string) RunOption {
	return func(c *anyiort.RunConfig) { c.Backend = name }
}

// Run runs main on the selected backend.
func Run(main func(ctx context.Context) error, opts ...RunOption) error {
	cfg := anyiort.RunConfig{Backend: BackendStd, ForRun: true}
	for _, opt := range opts {
		opt(&cfg)
	}
	newBackend, ok := backendRegistry[cfg.Backend]
	if !ok {
		return fmt.Errorf("anyio: unknown backend %q (compiled in: %s)", cfg.Backend, strings.Join(Backends(), ", "))
	}
	b, err := newBackend(&cfg)
	if err != nil {
		return fmt.Errorf("anyio: backend %q: %w", cfg.Backend, err)
	}
	ctx, run := anyiort.WithMainTask(anyiort.WithBackend(context.Background(), b), taskName(b, "", main))
	defer run.End() // FromThread calls from now on get ErrRunFinished
	if o, ok := b.(anyiort.OneAtATime); ok && o.OneAtATime() {
		defer anyiort.EnterOneAtATimeRun()()
	}
	return b.Run(func() error { return main(ctx) })
}

// Backends lists the backends compiled into this package.
func Backends() []string {
	names := make([]string, 0, len(backendRegistry))
	for name := range backendRegistry {
		names = append(names, name)
	}
	slices.Sort(names)
	return names
}

// CurrentBackend names the backend that ctx runs on.
func CurrentBackend(ctx context.Context) string { return backendOf(ctx).Name() }

// backendOf is the backend ctx carries; a context that no Run made means the
// default backend, so every function works from context.Background().
// outsideTheRun is the error of a call, named what, that would reach the
// operating system from a goroutine of a testing/synctest bubble that hosts
// a simulated run, with a context no run made: a library's own goroutine
// with its own context, whose call the simulation could neither see nor
// order. nil for any other call.
func outsideTheRun(ctx context.Context, what string) error {
	if anyiort.FromContext(ctx) != nil || !anyiort.InSimulatedBubble() {
		return nil
	}
	return fmt.Errorf("anyio: %s with a context that no Run made, from a goroutine of a testing/synctest bubble that hosts a simulated run: "+
		"the call would reach the operating system, out of the simulation's sight; give it the run's ctx "+
		"(for an http.Transport, DialContext(ctx) with a ctx of the run)", what)
}

func backendOf(ctx context.Context) anyiort.Backend {
	if p := scopeParent(ctx); p != nil && p.scope().backend != nil {
		// A scope's or a task's context: the scope took the backend from
		// its parent at entry, which spares walking up the chain.
		return p.scope().backend
	}
	if b := anyiort.FromContext(ctx); b != nil {
		return b
	}
	return defaultBackend
}
