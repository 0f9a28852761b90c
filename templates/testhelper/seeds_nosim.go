//go:build anyiogen_nosim

package anyiotest

import (
	"context"
	"testing"

	"github.com/anyiogen/anyiogen/generated/anyio"
)

// Seeds would run body on the sim backend once per seed, but package anyio
// was generated without it (-backends std): it skips the test and says so.
func Seeds(t *testing.T, n int, body func(t *testing.T, ctx context.Context) error, opts ...anyio.RunOption) {
	t.Helper()
	t.Skipf("anyiotest.Seeds: package anyio has no sim backend (compiled in: %v); generate it with -backends std,sim", anyio.Backends())
}

// Fuzz would search schedules of the sim backend, but package anyio was
// generated without it (-backends std): it skips and says so.
func Fuzz(f *testing.F, body func(t *testing.T, ctx context.Context) error, opts ...anyio.RunOption) {
	f.Helper()
	f.Skipf("anyiotest.Fuzz: package anyio has no sim backend (compiled in: %v); generate it with -backends std,sim", anyio.Backends())
}

// runInBubble is never called without a sim backend.
func runInBubble(t *testing.T, f func(t *testing.T)) {
	t.Helper()
	f(t)
}
