package sim

import (
	"context"
	"io"
	"maps"

	anyiort "github.com/anyiogen/anyiogen/runtime"
)

// simProgramsKey is the key under which SimProgram records the programs.
type simProgramsKey struct{}

// simProgram is what a program name runs on sim.
type simProgram func(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int

// SimProgram returns a RunOption that makes a process started with
// argv[0] == name run main, as tasks of the calling host: args is the
// whole argv, the streams are the process's pipes, and main's result is
// its exit code. A crash of the host kills it; a kill cancels main's ctx
// and closes its pipes; SIGTERM and SIGINT cancel main's ctx with the
// signal as its cause. Any other program fails to start with an error
// matching exec.ErrNotFound. Other backends ignore it.
func SimProgram(name string, main func(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int) anyiort.RunOption {
	return func(cfg *anyiort.RunConfig) {
		programs, _ := cfg.Value(simProgramsKey{}).(map[string]simProgram)
		programs = maps.Clone(programs)
		if programs == nil {
			programs = map[string]simProgram{}
		}
		programs[name] = main
		cfg.Set(simProgramsKey{}, programs)
	}
}
