package sim

import (
	"context"
	"io"
	"net"
	"os"
	"os/exec"
	"strconv"
	"sync"
	"syscall"

	anyiort "github.com/anyiogen/anyiogen/runtime"
)

// Processes on sim: a program SimProgram registered, run as a task of the
// calling host with in-memory pipes for its standard streams.

// StartProcess starts the program argv[0] names.
func (b *simBackend) StartProcess(ctx context.Context, argv []string, cfg anyiort.ProcessConfig) (anyiort.Proc, error) {
	main := b.programs[argv[0]]
	if main == nil {
		return nil, &exec.Error{Name: argv[0], Err: exec.ErrNotFound}
	}
	b.mu.Lock()
	b.pids++
	pid := 1000 + b.pids
	b.mu.Unlock()
	p := &simProc{b: b, pid: pid}
	p.stdin, p.stdout, p.stderr = b.newPipe(), b.newPipe(), b.newPipe()
	if cfg.NoStdin {
		p.stdin.closeWrite()
	}
	progCtx, cancel := context.WithCancelCause(context.WithoutCancel(ctx))
	p.cancel = cancel
	var parentID int64
	if parent := anyiort.TaskOf(ctx); parent != nil {
		parentID = parent.ID
	}
	task := anyiort.NewTask(anyiort.RunOf(ctx), parentID, argv[0])
	progCtx = anyiort.WithTask(progCtx, task)
	args := append([]string(nil), argv...)
	b.mu.Lock()
	var host *simHost
	if b.current != nil {
		host = b.current.host
	}
	t := b.newTaskLocked(argv[0], host, func() {
		code := main(progCtx, args, simPipeReader{p.stdin, progCtx}, simPipeWriter{p.stdout, progCtx}, simPipeWriter{p.stderr, progCtx})
		p.stdout.closeWrite()
		p.stderr.closeWrite()
		p.stdin.closeRead()
		p.exit(code)
	})
	b.bindCoreLocked(t, task)
	b.readyLocked(t)
	b.mu.Unlock()
	b.Yield()
	return p, nil
}

// simProc is a program running on sim.
type simProc struct {
	b                     *simBackend
	pid                   int
	stdin, stdout, stderr *simPipe
	cancel                context.CancelCauseFunc

	mu      sync.Mutex
	ended   bool
	killed  bool
	code    int
	waiters []anyiort.Waiter // the Waits under way, woken when it ends
}

func (p *simProc) exit(code int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.killed {
		code = -1
	}
	p.ended, p.code = true, code
	for _, w := range p.waiters {
		w.Wake()
	}
	p.waiters = nil
}

func (p *simProc) Stdin() anyiort.Pipe  { return simPipeEnd{p.stdin, true} }
func (p *simProc) Stdout() anyiort.Pipe { return simPipeEnd{p.stdout, false} }
func (p *simProc) Stderr() anyiort.Pipe { return simPipeEnd{p.stderr, false} }
func (p *simProc) PID() int             { return p.pid }

// Signal kills the program for SIGKILL; for SIGTERM and SIGINT it cancels
// main's ctx, with the signal as its cause (context.Cause), and main's
// result is still the exit code, as a program that handles them decides
// its own; other signals it ignores.
func (p *simProc) Signal(sig os.Signal) error {
	p.mu.Lock()
	ended := p.ended
	p.mu.Unlock()
	if ended {
		return os.ErrProcessDone
	}
	switch sig {
	case os.Kill:
		p.kill()
	case os.Interrupt, syscall.SIGTERM:
		p.cancel(simSignalCause{sig})
	}
	return nil
}

// simSignalCause is the cause of a program's ctx cancelled by a signal.
type simSignalCause struct{ sig os.Signal }

func (c simSignalCause) Error() string { return "signal: " + c.sig.String() }

// kill cancels the program's ctx and breaks its pipes; it ends once main
// returns.
func (p *simProc) kill() {
	p.mu.Lock()
	if p.ended {
		p.mu.Unlock()
		return
	}
	p.killed = true
	p.mu.Unlock()
	p.cancel(simSignalCause{os.Kill})
	p.stdin.closeRead()
	p.stdout.closeWrite()
	p.stderr.closeWrite()
}

// Wait waits for main to return; a cancelled ctx kills the program and
// waits for it all the same.
func (p *simProc) Wait(ctx context.Context) (int, error) {
	code, err := p.await(ctx, "")
	if err != nil {
		p.kill()
		code, _ = p.await(context.WithoutCancel(ctx), ", killed")
	}
	return code, err
}

// await waits for the program's end, or for ctx.
func (p *simProc) await(ctx context.Context, what string) (int, error) {
	w := p.b.NewWaiter()
	for {
		p.mu.Lock()
		if p.ended {
			p.mu.Unlock()
			return p.code, nil
		}
		p.waiters = append(p.waiters, w)
		p.mu.Unlock()
		if err := w.Wait(ctx, "process "+strconv.Itoa(p.pid)+what); err != nil {
			return 0, err
		}
	}
}

// simPipe is an in-memory pipe: what is written waits for the reader, all
// of it (no capacity).
type simPipe struct {
	b           *simBackend
	mu          sync.Mutex
	buf         []byte
	writeClosed bool // EOF once buf is read
	readClosed  bool // writes fail
	readers     []anyiort.Waiter
}

func (b *simBackend) newPipe() *simPipe { return &simPipe{b: b} }

func (p *simPipe) read(ctx context.Context, out []byte) (int, error) {
	var w anyiort.Waiter
	for {
		p.mu.Lock()
		switch {
		case p.readClosed:
			p.mu.Unlock()
			return 0, os.ErrClosed
		case len(p.buf) > 0:
			n := copy(out, p.buf)
			p.buf = p.buf[n:]
			p.mu.Unlock()
			return n, nil
		case p.writeClosed:
			p.mu.Unlock()
			return 0, io.EOF
		}
		if w == nil {
			w = p.b.NewWaiter()
		}
		p.readers = append(p.readers, w)
		p.mu.Unlock()
		if err := w.Wait(ctx, "read from a pipe"); err != nil {
			return 0, err
		}
	}
}

func (p *simPipe) write(ctx context.Context, in []byte) (int, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	p.mu.Lock()
	if p.readClosed || p.writeClosed {
		p.mu.Unlock()
		return 0, &os.PathError{Op: "write", Path: "|1", Err: syscall.EPIPE}
	}
	p.buf = append(p.buf, in...)
	p.wakeLocked()
	p.mu.Unlock()
	p.b.Yield()
	return len(in), nil
}

func (p *simPipe) wakeLocked() {
	for _, w := range p.readers {
		w.Wake()
	}
	p.readers = nil
}

func (p *simPipe) closeWrite() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.writeClosed = true
	p.wakeLocked()
}

func (p *simPipe) closeRead() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.readClosed = true
	p.buf = nil
	p.wakeLocked()
}

// simPipeEnd is the caller's end of a pipe: the writing end of stdin, the
// reading end of stdout and stderr.
type simPipeEnd struct {
	p       *simPipe
	writing bool
}

func (e simPipeEnd) Read(ctx context.Context, b []byte) (int, error) {
	if e.writing {
		return 0, net.ErrClosed
	}
	return e.p.read(ctx, b)
}

func (e simPipeEnd) Write(ctx context.Context, b []byte) (int, error) {
	if !e.writing {
		return 0, net.ErrClosed
	}
	return e.p.write(ctx, b)
}

func (e simPipeEnd) Close() error {
	if e.writing {
		e.p.closeWrite()
	} else {
		e.p.closeRead()
	}
	return nil
}

// simPipeReader and simPipeWriter are the program's ends, as the io
// interfaces main takes, under the program's ctx.
type simPipeReader struct {
	p   *simPipe
	ctx context.Context
}

func (r simPipeReader) Read(b []byte) (int, error) { return r.p.read(r.ctx, b) }

type simPipeWriter struct {
	p   *simPipe
	ctx context.Context
}

func (w simPipeWriter) Write(b []byte) (int, error) { return w.p.write(w.ctx, b) }

var _ anyiort.Processes = (*simBackend)(nil)
