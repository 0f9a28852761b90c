package anyiotest

import (
	"context"
	"slices"
	"testing"

	"github.com/anyiogen/anyiogen/generated/anyio"
)

// Run runs body once per backend in [anyio.Backends], each as a subtest named
// after the backend (TestX/sim, TestX/std) and inside [anyio.Run] with
// [anyio.Backend] and opts, which may add [anyio.Seed] or [anyio.Network];
// the backend is always the subtest's own. On sim the run is inside a
// testing/synctest bubble (see the package documentation). An error
// returned by body fails the subtest with a message that names the
// backend. The subtests run one after the other.
//
// body must not call t.Fatal or its relatives: see the package
// documentation.
func Run(t *testing.T, body func(t *testing.T, ctx context.Context) error, opts ...anyio.RunOption) {
	t.Helper()
	for _, name := range anyio.Backends() {
		t.Run(name, func(t *testing.T) {
			t.Helper()
			run := func(t *testing.T) {
				err := anyio.Run(func(ctx context.Context) error { return body(t, ctx) },
					slices.Concat(opts, []anyio.RunOption{anyio.Backend(name)})...)
				if err != nil {
					t.Errorf("on backend %s: %v", name, err)
				}
			}
			if name == "sim" {
				runInBubble(t, run)
				return
			}
			run(t)
		})
	}
}
