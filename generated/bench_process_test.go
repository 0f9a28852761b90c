package generated

// RunProcess of /bin/true, from a task, beside os/exec's Run of it. RunProcess
// captures the standard output and error through pipes, as AnyIO's does;
// Output, which captures the standard output, is shown beside them.

import (
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
	b.Run("exec.Output", func(b *testing.B) {
		for range b.N {
			if _, err := exec.Command("/bin/true").Output(); err != nil {
				b.Fatal(err)
			}
		}
	})
}
