package primarybackup

import (
	"context"
	"os"
	"testing"

	"github.com/anyiogen/anyiogen/generated/anyio"
	"github.com/anyiogen/anyiogen/generated/anyio/anyiotest"
)

// ackFirst is the primary these tests check: the right one, unless
// ACK_FIRST=1 asks for the one that acknowledges before it replicates
// (as the README's example does).
var ackFirst = os.Getenv("ACK_FIRST") == "1"

func body(t *testing.T, ctx context.Context) error { return Check(ctx, ackFirst) }

func network(int64) *anyio.SimNetwork { return Network() }

// The promise holds on every seed: each is another plan of crashes.
func TestPrimaryBackup(t *testing.T) {
	anyiotest.Seeds(t, 200, body, anyio.NetworkFunc(network))
}

// go test -fuzz searches the runs, crashes included.
func FuzzPrimaryBackup(f *testing.F) {
	anyiotest.Fuzz(f, body, anyio.NetworkFunc(network))
}
