package generated

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"syscall"
	"testing"

	"github.com/anyiogen/anyiogen/generated/anyio"
)

// On sim a Unix socket is a name in its host's disk namespace: Stat sees
// it, another host does not, and a crash of the host resets its
// connections and leaves the socket behind, refusing connects.
func TestSimUnixSocketsLiveOnTheHostsDisk(t *testing.T) {
	nw := diskNetwork()
	err := simRun(t, func(ctx context.Context) error {
		if _, err := anyio.ConnectUnix(ctx, "/run/db.sock"); !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("localhost connects to db's socket: %v", err)
		}
		return anyio.WithTaskGroup(ctx, func(ctx context.Context, tg *anyio.TaskGroup) error {
			up := anyio.NewEvent()
			var client *anyio.SocketStream
			tg.StartSoon(func(ctx context.Context) error {
				err := onHost(ctx, func(ctx context.Context) error {
					if err := anyio.MkdirAll(ctx, "/run", 0o755); err != nil {
						return err
					}
					l, err := anyio.ListenUnix(ctx, "/run/db.sock")
					if err != nil {
						return err
					}
					// The socket's name is durable, as any name, once its
					// directory is synced.
					if err := anyio.SyncDir(ctx, "/run"); err != nil {
						return err
					}
					if err := anyio.SyncDir(ctx, "/"); err != nil {
						return err
					}
					info, err := anyio.Stat(ctx, "/run/db.sock")
					if err != nil || info.Mode()&fs.ModeSocket == 0 {
						return fmt.Errorf("Stat of the socket: %v, %v", info, err)
					}
					if _, err := anyio.OpenFile(ctx, "/run/db.sock", 0, 0); !errors.Is(err, syscall.ENXIO) {
						return fmt.Errorf("OpenFile of a socket: %v, want ENXIO", err)
					}
					client, err = anyio.ConnectUnix(ctx, "/run/db.sock")
					if err != nil {
						return err
					}
					if _, err := l.Accept(ctx); err != nil {
						return err
					}
					up.Set()
					return anyio.Sleep(ctx, 1e9)
				})
				if !errors.Is(err, anyio.ErrHostCrashed) {
					return err
				}
				return nil
			})
			if err := up.Wait(ctx); err != nil {
				return err
			}
			nw.Crash("db")
			return onHost(ctx, func(ctx context.Context) error {
				// The crashed incarnation's sockets are gone with it.
				if _, err := client.Receive(ctx, 10); !errors.Is(err, anyio.ErrClosedResource) {
					return fmt.Errorf("a connection of the crashed incarnation: %v, want ErrClosedResource", err)
				}
				client.Close()
				if _, err := anyio.ConnectUnix(ctx, "/run/db.sock"); !errors.Is(err, syscall.ECONNREFUSED) {
					return fmt.Errorf("a connect to the socket left by the crash: %v, want ECONNREFUSED", err)
				}
				return nil
			})
		})
	}, anyio.Network(nw))
	if err != nil {
		t.Fatal(err)
	}
}
