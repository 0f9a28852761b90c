//go:build !anyiogen_nosim

package anyiotest

import (
	"context"
	"slices"
	"testing"

	"github.com/anyiogen/anyiogen/generated/anyio"
)

// Fuzz makes each input of go test's fuzzer a run: body runs on sim, inside
// a testing/synctest bubble, with every draw (its scheduling choices, Rand,
// Buggify, the network's jitter, loss and duplication) taken from the
// input's bytes ([anyio.SimChoices]) and, once they run out, from seed 0.
// go test -fuzz=FuzzX then searches schedules and faults with coverage
// guidance; an
// input that fails is saved under testdata/fuzz/FuzzX like any fuzz input,
// replayed by a plain go test, and shrunk by Go's own minimisation.
//
//	func FuzzCounter(f *testing.F) {
//		anyiotest.Fuzz(f, func(t *testing.T, ctx context.Context) error { ... })
//	}
//
// opts may add [anyio.NetworkFunc] (a network for each run) and the like.
// body must not call t.Fatal or its relatives: see the package
// documentation.
func Fuzz(f *testing.F, body func(t *testing.T, ctx context.Context) error, opts ...anyio.RunOption) {
	f.Helper()
	caller := callerLine(2)
	f.Add([]byte{}) // seed 0's schedule; the fuzzer mutates from there
	f.Fuzz(func(t *testing.T, input []byte) {
		runInBubble(t, func(t *testing.T) {
			err := anyio.Run(func(ctx context.Context) error { return body(t, ctx) },
				slices.Concat(opts, []anyio.RunOption{anyio.Backend(anyio.BackendSim), anyio.Seed(0), anyio.SimChoices(input)})...)
			if err != nil {
				t.Errorf("%s: on sim with this input (%d bytes): %v", caller, len(input), err)
			}
		})
	})
}
