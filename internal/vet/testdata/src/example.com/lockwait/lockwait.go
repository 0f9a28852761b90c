package lockwait

import (
	"context"
	"sync"
	"time"

	"example.com/gen/anyio"
)

var mu sync.Mutex

func Main() {
	_ = anyio.Run(func(ctx context.Context) error {
		mu.Lock()
		err := anyio.Sleep(ctx, time.Second) // want `mu is held across anyio.Sleep, which may wait: a task that then waits for mu blocks outside the simulator; use anyio.Lock`
		mu.Unlock()
		if err != nil {
			return err
		}
		mu.Lock()
		_ = anyio.Now(ctx) // never waits: fine
		mu.Unlock()
		_ = anyio.Checkpoint(ctx) // after the unlock: fine
		var rw sync.RWMutex
		rw.RLock()
		defer rw.RUnlock()
		return anyio.Checkpoint(ctx) // want `rw is held across anyio.Checkpoint`
	})
}
