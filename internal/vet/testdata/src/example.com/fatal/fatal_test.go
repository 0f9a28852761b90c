package fatal

import (
	"context"
	"testing"

	"example.com/gen/anyio"
)

func TestX(t *testing.T) {
	err := anyio.Run(func(ctx context.Context) error {
		t.Logf("fine")
		t.Errorf("fine too")
		t.Fatal("no") // want `Fatal inside a run ends the calling goroutine, a task of the run, behind the simulator's back`
		t.SkipNow()   // want `SkipNow inside a run ends the calling goroutine`
		return nil
	})
	if err != nil {
		t.Fatal(err) // after the run: fine
	}
}
