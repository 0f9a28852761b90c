//go:build !anyiogen_nosim

package anyiotest

import (
	"fmt"
	"testing"
	"testing/synctest"

	"github.com/anyiogen/anyiogen/generated/anyio"
)

// runInBubble runs f, a sim run, inside a testing/synctest bubble, watched
// from outside for blocks that only the wall clock can see.
func runInBubble(t *testing.T, f func(t *testing.T)) {
	t.Helper()
	defer watchStalls(t)()
	anyio.SetBubbleWait(synctest.Wait)
	synctest.Test(t, f)
}

// watchStalls watches, from outside the bubbles, the sim runs of the test t
// for blocks that only the wall clock can see, and stops the test binary
// with the run's report if one is found: such a run cannot be unwound.
func watchStalls(t *testing.T) (stop func()) {
	return anyio.WatchStalls(func(report string) {
		panic(fmt.Sprintf("anyiotest: %s: %s", t.Name(), report))
	})
}
