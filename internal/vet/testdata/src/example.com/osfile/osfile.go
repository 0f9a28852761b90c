package osfile

import (
	"context"
	"fmt"
	"os"

	"example.com/gen/anyio"
)

func Main() {
	_, _ = os.ReadFile("config") // outside any run: not reported
	_ = anyio.Run(func(ctx context.Context) error {
		data, err := os.ReadFile("state") // want `os.ReadFile inside a run uses the OS's files, which the simulator cannot see or crash; use anyio.ReadFile, on the backend's disk`
		if err != nil {
			return err
		}
		if err := os.WriteFile("state.tmp", data, 0o644); err != nil { // want `os.WriteFile inside a run uses the OS's files`
			return err
		}
		if err := os.Rename("state.tmp", "state"); err != nil { // want `os.Rename inside a run`
			return err
		}
		f, err := os.Create("log") // want `os.Create inside a run uses the OS's files, which the simulator cannot see or crash; use anyio.OpenFile`
		if err != nil {
			return err
		}
		defer f.Close()
		if _, err := f.Write(data); err != nil { // want `\(\*os.File\).Write inside a run uses the OS's files`
			return err
		}
		err = anyio.ToThread(ctx, func() error {
			_, err := os.ReadFile("big") // in a thread, blocking is the point: not reported
			return err
		})
		if err != nil {
			return err
		}
		fmt.Fprintln(os.Stderr, "saved")   // the terminal, not the disk: fine
		_, _ = os.Stdout.WriteString("ok") // likewise
		return f.Sync()                    // want `\(\*os.File\).Sync inside a run`
	})
}
