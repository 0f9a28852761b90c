// Package usesconc uses a generated package named conc: the checker knows
// it by its header, not its name, and its fixes use the name.
package usesconc

import (
	"context"
	"time"

	c "example.com/gen/conc"
)

func Main() {
	_ = c.Run(func(run context.Context) error {
		time.Sleep(time.Second) // want `time.Sleep inside a run waits on the wall clock, which the simulator cannot see; use c.Sleep`
		return nil
	})
}
