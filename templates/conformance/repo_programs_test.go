package conformance

import (
	"context"
	"fmt"
	"io"
	"strings"

	anyio "github.com/anyiogen/anyiogen/generated/anyio"
)

// The repository's set-up gives sim runs an "sh" that knows the scripts of
// the process tests, each written in Go the way sh runs it. (A repo_ file:
// the generator does not emit it.)
func init() {
	confExtraOptions = func(backend string) []anyio.RunOption {
		if backend != anyio.BackendSim {
			return nil
		}
		return []anyio.RunOption{anyio.SimProgram("sh", confSimShell)}
	}
}

// confSimShell runs the scripts of process_test.go.
func confSimShell(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) != 3 || args[1] != "-c" {
		fmt.Fprintln(stderr, "sh: only sh -c SCRIPT")
		return 2
	}
	switch script := args[2]; script {
	case "tr abc cba":
		in, _ := io.ReadAll(stdin)
		io.WriteString(stdout, strings.NewReplacer("a", "c", "c", "a").Replace(string(in)))
		return 0
	case "echo stdout-text; echo stderr-text >&2; exit 1":
		io.WriteString(stdout, "stdout-text\n")
		io.WriteString(stderr, "stderr-text\n")
		return 1
	case "trap 'exit 2' TERM; echo ready; while :; do sleep 0.01; done":
		io.WriteString(stdout, "ready\n")
		anyio.Sleep(ctx, 1<<62) // until SIGTERM cancels ctx: then the trap's exit code
		return 2
	case "printf x":
		io.WriteString(stdout, "x")
		return 0
	case "sleep 10":
		if err := anyio.Sleep(ctx, 10e9); err != nil {
			return -1
		}
		return 0
	default:
		fmt.Fprintf(stderr, "sh: the sim shell does not know %q\n", script)
		return 127
	}
}
