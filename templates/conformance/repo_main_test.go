package conformance

import (
	"testing"

	"github.com/anyiogen/anyiogen/internal/leaktest"
)

// TestMain fails the suite when any test leaves a goroutine or a file
// descriptor behind: every primitive of the portable API is structured, so
// once a Run, a task group or a scope has returned, nothing it started may
// still be running, and every socket it opened is closed. (This file is the
// repository's own set-up: the generator does not emit repo_ files.)
func TestMain(m *testing.M) { leaktest.Main(m) }
