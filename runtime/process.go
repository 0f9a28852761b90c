package anyiort

import (
	"context"
	"os"
)

// Processes is implemented by backends that run programs (Version4): the
// operating system's, or a simulated host's.
type Processes interface {
	// StartProcess starts argv (argv[0] the program) with its standard
	// streams as pipes. A program that cannot be found is an error
	// matching exec.ErrNotFound.
	StartProcess(ctx context.Context, argv []string, cfg ProcessConfig) (Proc, error)
}

// ProcessConfig is how a process starts.
type ProcessConfig struct {
	Dir     string   // its working directory ("": the caller's)
	Env     []string // its environment (nil: the caller's)
	NoStdin bool     // its standard input is empty (the null device): Stdin is closed from the start
}

// Proc is a started process.
type Proc interface {
	// Stdin, Stdout and Stderr are the pipes to and from the process.
	Stdin() Pipe
	Stdout() Pipe
	Stderr() Pipe
	// Wait waits for the process to end and returns its exit code (-1
	// when a signal ended it). A cancelled ctx kills the process, waits
	// for it, and returns ctx.Err().
	Wait(ctx context.Context) (int, error)
	// Signal sends sig to the process.
	Signal(sig os.Signal) error
	// PID is the process's id.
	PID() int
}

// Pipe is one end of a process's standard stream: written to (stdin) or
// read from (stdout, stderr).
type Pipe interface {
	// Read reads up to len(p) bytes; io.EOF once the writer closed it. A
	// cancelled ctx ends it with ctx.Err().
	Read(ctx context.Context, p []byte) (int, error)
	// Write writes all of p; a cancelled ctx ends it with ctx.Err().
	Write(ctx context.Context, p []byte) (int, error)
	// Close closes this end.
	Close() error
}
