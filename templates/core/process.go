package core

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"sync/atomic"

	anyiort "github.com/anyiogen/anyiogen/runtime"
)

// Process is a running program, as AnyIO's Process: its standard input as
// a send stream, its standard output and error as receive streams.
type Process struct {
	Stdin          ByteSendStream
	Stdout, Stderr ByteReceiveStream

	p    anyiort.Proc
	argv []string
}

// ProcessOption configures OpenProcess and RunProcess.
type ProcessOption func(*processConfig)

type processConfig struct {
	cfg   anyiort.ProcessConfig
	input []byte
}

// ProcessDir makes the process start in dir.
func ProcessDir(dir string) ProcessOption { return func(c *processConfig) { c.cfg.Dir = dir } }

// ProcessEnv gives the process env ("KEY=value" each) instead of the
// caller's environment.
func ProcessEnv(env []string) ProcessOption {
	return func(c *processConfig) { c.cfg.Env = append(make([]string, 0, len(env)), env...) } // empty, not nil: nil inherits
}

// ProcessInput makes RunProcess write input to the process's standard
// input, then close it.
func ProcessInput(input []byte) ProcessOption { return func(c *processConfig) { c.input = input } }

// ExitError is RunProcess's error for a process that exited with a code
// other than 0, as AnyIO's CalledProcessError: it keeps what the process
// wrote.
type ExitError struct {
	Argv           []string
	Code           int // -1: a signal ended it
	Stdout, Stderr []byte
}

func (e *ExitError) Error() string {
	return fmt.Sprintf("anyio: %s exited with code %d", strings.Join(e.Argv, " "), e.Code)
}

// processesOf is the processes of ctx's backend, or an error that says
// the backend has none.
func processesOf(ctx context.Context) (anyiort.Processes, error) {
	if err := outsideTheRun(ctx, "a process"); err != nil {
		return nil, err
	}
	b := backendOf(ctx)
	p, ok := b.(anyiort.Processes)
	if !ok {
		return nil, fmt.Errorf("anyio: backend %q has no processes", b.Name())
	}
	return p, nil
}

// OpenProcess starts argv, argv[0] being the program.
func OpenProcess(ctx context.Context, argv []string, opts ...ProcessOption) (*Process, error) {
	var cfg processConfig
	for _, opt := range opts {
		opt(&cfg)
	}
	return openProcess(ctx, argv, cfg)
}

func openProcess(ctx context.Context, argv []string, cfg processConfig) (*Process, error) {
	if len(argv) == 0 {
		return nil, errors.New("anyio: OpenProcess: an empty argv")
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	ps, err := processesOf(ctx)
	if err != nil {
		return nil, err
	}
	p, err := ps.StartProcess(ctx, argv, cfg.cfg)
	if err != nil {
		return nil, fmt.Errorf("anyio: OpenProcess %s: %w", argv[0], err)
	}
	return &Process{
		Stdin:  &pipeSendStream{p: p.Stdin(), sending: NewResourceGuard("writing to")},
		Stdout: &pipeReceiveStream{p: p.Stdout(), receiving: NewResourceGuard("reading from")},
		Stderr: &pipeReceiveStream{p: p.Stderr(), receiving: NewResourceGuard("reading from")},
		p:      p, argv: append([]string(nil), argv...),
	}, nil
}

// Wait waits for the process to end and returns its exit code (-1 when a
// signal ended it). A cancelled ctx kills the process, waits for it, and
// returns ctx's error.
func (p *Process) Wait(ctx context.Context) (int, error) { return p.p.Wait(ctx) }

// Signal sends sig to the process.
func (p *Process) Signal(sig os.Signal) error { return p.p.Signal(sig) }

// PID is the process's id.
func (p *Process) PID() int { return p.p.PID() }

// Close closes the three streams, as AnyIO's aclose does before it waits:
// the process reads EOF and its writes fail. It does not wait.
func (p *Process) Close() error {
	return errors.Join(p.Stdin.Close(), p.Stdout.Close(), p.Stderr.Close())
}

// RunProcess runs argv to its end and returns what it wrote to its
// standard output and error. An exit code other than 0 is an *ExitError,
// which keeps both. A cancelled ctx kills the process.
func RunProcess(ctx context.Context, argv []string, opts ...ProcessOption) (stdout, stderr []byte, err error) {
	var cfg processConfig
	for _, opt := range opts {
		opt(&cfg)
	}
	cfg.cfg.NoStdin = cfg.input == nil // nothing to send: the null device, as os/exec gives
	p, err := openProcess(ctx, argv, cfg)
	if err != nil {
		return nil, nil, err
	}
	code := 0
	err = WithTaskGroup(ctx, func(ctx context.Context, tg *TaskGroup) error {
		tg.StartSoon(func(ctx context.Context) error {
			defer p.Stdin.Close()
			if len(cfg.input) == 0 {
				return nil
			}
			if err := p.Stdin.Send(ctx, cfg.input); err != nil && !errors.Is(err, ErrBrokenResource) {
				return err
			}
			return nil
		})
		tg.StartSoon(func(ctx context.Context) (err error) { stdout, err = readAll(ctx, p.Stdout); return err })
		tg.StartSoon(func(ctx context.Context) (err error) { stderr, err = readAll(ctx, p.Stderr); return err })
		// The body waits itself: on std the caller's goroutine reaps the
		// process, as os/exec's Run does, without a wake-up more.
		var err error
		code, err = p.Wait(ctx)
		return err
	})
	if err != nil {
		p.p.Wait(context.WithoutCancel(ctx)) //nolint:errcheck // reaped, if the group failed before Wait did
		return stdout, stderr, err
	}
	if code != 0 {
		return stdout, stderr, &ExitError{Argv: p.argv, Code: code, Stdout: stdout, Stderr: stderr}
	}
	return stdout, stderr, nil
}

// readAll reads r, a process's pipe, to its end into one growing buffer
// (as io.ReadAll does, so a process that writes little costs little), then
// closes it.
func readAll(ctx context.Context, r ByteReceiveStream) ([]byte, error) {
	defer r.Close()
	pipe := r.(*pipeReceiveStream).p
	out := make([]byte, 0, 512)
	for {
		if len(out) == cap(out) {
			out = append(out, 0)[:len(out)]
		}
		n, err := pipe.Read(ctx, out[len(out):cap(out)])
		out = out[:len(out)+n]
		switch {
		case err == io.EOF:
			if len(out) == 0 {
				return nil, nil
			}
			return out, nil
		case err != nil:
			return out, err
		}
	}
}

// pipeSendStream is a process's standard input.
type pipeSendStream struct {
	p       anyiort.Pipe
	sending *ResourceGuard
	closed  atomic.Bool
}

func (s *pipeSendStream) Send(ctx context.Context, data []byte) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if s.closed.Load() {
		return ErrClosedResource
	}
	exit, err := s.sending.Enter()
	if err != nil {
		return err
	}
	defer exit()
	if _, err := s.p.Write(ctx, data); err != nil {
		if anyiort.IsCancellation(err) {
			return err
		}
		return fmt.Errorf("%w: %v", ErrBrokenResource, err)
	}
	return nil
}

func (s *pipeSendStream) Close() error {
	if s.closed.Swap(true) {
		return nil
	}
	return s.p.Close()
}

// pipeReceiveStream is a process's standard output or error.
type pipeReceiveStream struct {
	p         anyiort.Pipe
	receiving *ResourceGuard
	closed    atomic.Bool
}

func (s *pipeReceiveStream) Receive(ctx context.Context, maxBytes int) ([]byte, error) {
	if maxBytes < 1 {
		return nil, fmt.Errorf("anyio: Receive: maxBytes must be at least 1, not %d", maxBytes)
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if s.closed.Load() {
		return nil, ErrClosedResource
	}
	exit, err := s.receiving.Enter()
	if err != nil {
		return nil, err
	}
	defer exit()
	buf := make([]byte, maxBytes)
	for {
		n, err := s.p.Read(ctx, buf)
		switch {
		case n > 0:
			return buf[:n], nil
		case err == io.EOF:
			return nil, ErrEndOfStream
		case err != nil:
			return nil, err
		}
	}
}

func (s *pipeReceiveStream) Close() error {
	if s.closed.Swap(true) {
		return nil
	}
	return s.p.Close()
}
