package exec

import (
	"context"
	"os/exec"

	"example.com/gen/anyio"
)

func Main() {
	_ = exec.Command("true").Run() // outside any run: not reported
	_ = anyio.Run(func(ctx context.Context) error {
		cmd := exec.CommandContext(ctx, "git", "status") // making the command waits for nothing: fine
		out, err := cmd.Output()                         // want `\(\*exec.Cmd\).Output inside a run waits for a process, which the simulator cannot see or run; use anyio.RunProcess or anyio.OpenProcess`
		_ = out
		if err != nil {
			return err
		}
		return exec.Command("true").Run() // want `\(\*exec.Cmd\).Run inside a run`
	})
}
