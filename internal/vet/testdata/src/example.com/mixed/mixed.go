// Package mixed holds its own generated copy of the API beside the user's
// code, as //go:generate in the user's package makes it: the user's code
// is checked, and fixes name the functions without a qualifier.
package mixed

import (
	"context"
	"time"
)

func Main() error {
	return Run(func(ctx context.Context) error {
		time.Sleep(time.Second) // want `time.Sleep inside a run`
		return nil
	})
}
