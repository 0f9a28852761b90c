package generated

// RunProcess of /bin/true, from a task, beside os/exec's Run of it. RunProcess
// captures the standard output and error through pipes, as AnyIO's does;
// the twins that capture them too (Run into two buffers, Output) are shown
// beside it.

import (
	"bytes"
	"context"
	"os/exec"
	"testing"

	"github.com/anyiogen/anyiogen/generated/anyio"
)

func BenchmarkRunProcessTrue(b *testing.B) {
	b.Run("anyio", func(b *testing.B) {
		inTask(b, func(ctx context.Context) {
			for range b.N {
				if _, _, err := anyio.RunProcess(ctx, []string{"/bin/true"}); err != nil {
					b.Error(err)
					return
				}
			}
		})
	})
	b.Run("exec.Run", func(b *testing.B) {
		for range b.N {
			if err := exec.Command("/bin/true").Run(); err != nil {
				b.Fatal(err)
			}
		}
	})
	// The twin that captures what RunProcess captures: both streams
	// through pipes, read to their end, then Wait.
	b.Run("exec.Pipes", func(b *testing.B) {
		for range b.N {
			cmd := exec.Command("/bin/true")
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			if err := cmd.Run(); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("exec.Output", func(b *testing.B) {
		for range b.N {
			if _, err := exec.Command("/bin/true").Output(); err != nil {
				b.Fatal(err)
			}
		}
	})
}
