package anyiotest_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/anyiogen/anyiogen/generated/anyio"
	"github.com/anyiogen/anyiogen/generated/anyio/anyiotest"
)

// "No silent escapes from the simulation": inside a sim run's bubble, a
// call with a context no run made (a library's own, on a goroutine of its
// own) does not reach the operating system; it fails, saying why.
func TestNoSilentEscapeFromTheSimulation(t *testing.T) {
	anyiotest.Seeds(t, 3, func(t *testing.T, ctx context.Context) error {
		check := func(where string, err error) error {
			if err == nil || !strings.Contains(err.Error(), "out of the simulation's sight") {
				return fmt.Errorf("%s: %v, want a refusal that says the call would leave the simulation", where, err)
			}
			return nil
		}
		_, err := anyio.ConnectTCP(context.Background(), "127.0.0.1", 9)
		if err := check("ConnectTCP(context.Background()) in the run's task", err); err != nil {
			return err
		}
		// A goroutine the run did not start, as a library's would be.
		var inThread error
		if _, err := anyio.ToThread(ctx, func() (struct{}, error) {
			_, inThread = anyio.ReadFile(context.Background(), "/etc/hostname")
			return struct{}{}, nil
		}); err != nil {
			return err
		}
		if err := check("ReadFile(context.Background()) on another goroutine", inThread); err != nil {
			return err
		}
		// With the run's ctx the same calls stay in the simulation.
		if _, err := anyio.ConnectTCP(ctx, "127.0.0.1", 9); err == nil || strings.Contains(err.Error(), "out of the simulation's sight") {
			return fmt.Errorf("ConnectTCP with the run's ctx: %v, want the simulated network's refusal", err)
		}
		return nil
	})
}
