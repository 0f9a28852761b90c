package conformance

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the suite when any test leaves a goroutine behind: every
// primitive of the portable API is structured, so once a Run, a task group or
// a scope has returned, nothing it started may still be running.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}
