package anyio_test

import (
	"testing"

	"github.com/anyiogen/anyiogen/internal/leaktest"
)

// TestMain fails the examples when one leaves a goroutine or a file
// descriptor behind. (A hand-written file: the generator leaves it alone.)
func TestMain(m *testing.M) { leaktest.Main(m) }
