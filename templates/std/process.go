package std

import (
	"context"
	"errors"
	"io"
	"os"
	"os/exec"
	"sync/atomic"

	anyiort "github.com/anyiogen/anyiogen/runtime"
)

// StartProcess starts argv with os/exec, its standard streams pipes of the
// operating system that a cancelled ctx interrupts through deadlines.
func (b stdBackend) StartProcess(_ context.Context, argv []string, cfg anyiort.ProcessConfig) (anyiort.Proc, error) {
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Dir, cmd.Env = cfg.Dir, cfg.Env
	var pipes [3][2]*os.File // stdin, stdout, stderr: [read end, write end]
	closeAll := func() {
		for _, p := range pipes {
			for _, f := range p {
				if f != nil {
					f.Close()
				}
			}
		}
	}
	for i := range pipes {
		if i == 0 && cfg.NoStdin {
			continue // exec gives it the null device
		}
		r, w, err := os.Pipe()
		if err != nil {
			closeAll()
			return nil, err
		}
		pipes[i] = [2]*os.File{r, w}
	}
	cmd.Stdout, cmd.Stderr = pipes[1][1], pipes[2][1]
	if !cfg.NoStdin {
		cmd.Stdin = pipes[0][0]
	}
	if err := cmd.Start(); err != nil {
		closeAll()
		return nil, err
	}
	// The child's ends are the child's now.
	if !cfg.NoStdin {
		pipes[0][0].Close()
	}
	pipes[1][1].Close()
	pipes[2][1].Close()
	p := &stdProc{cmd: cmd, done: make(chan struct{}), run: b.run,
		stdin: stdPipe{pipes[0][1]}, stdout: stdPipe{pipes[1][0]}, stderr: stdPipe{pipes[2][0]}}
	return p, nil
}

// stdProc is an os/exec process, reaped by its first Wait, on the caller's
// goroutine: a goroutine of its own would make each process cost a
// wake-up more (about 0.2 ms of a 1 ms /bin/true, measured).
type stdProc struct {
	cmd                   *exec.Cmd
	stdin, stdout, stderr stdPipe
	run                   *stdRun
	reaping               atomic.Bool   // a Wait reaps, or has
	done                  chan struct{} // closed once reaped
	code                  int
	err                   error
}

func (p *stdProc) reap() {
	err := p.cmd.Wait()
	p.code = p.cmd.ProcessState.ExitCode()
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		p.err = err
	}
	close(p.done)
}

func (p *stdProc) Stdin() anyiort.Pipe  { return p.stdin }
func (p *stdProc) Stdout() anyiort.Pipe { return p.stdout }
func (p *stdProc) Stderr() anyiort.Pipe { return p.stderr }
func (p *stdProc) PID() int             { return p.cmd.Process.Pid }

func (p *stdProc) Signal(sig os.Signal) error { return p.cmd.Process.Signal(sig) }

// Wait reaps the process, killing it first if ctx is cancelled; a Wait
// while another reaps waits for that one.
func (p *stdProc) Wait(ctx context.Context) (int, error) {
	if p.reaping.CompareAndSwap(false, true) {
		defer p.run.blockedIn()()
		stop := context.AfterFunc(ctx, func() { p.cmd.Process.Kill() }) //nolint:errcheck // it may have ended meanwhile
		p.reap()
		if !stop() && ctx.Err() != nil {
			return p.code, ctx.Err()
		}
		return p.code, p.err
	}
	select {
	case <-p.done:
		return p.code, p.err
	default:
	}
	defer p.run.blockedIn()()
	select {
	case <-p.done:
		return p.code, p.err
	case <-ctx.Done():
		p.cmd.Process.Kill() //nolint:errcheck // it may have ended meanwhile
		<-p.done
		return p.code, ctx.Err()
	}
}

// stdPipe is an end of an OS pipe; a nil f, a stdin that is the null
// device, is closed from the start.
type stdPipe struct{ f *os.File }

func (p stdPipe) Read(ctx context.Context, b []byte) (int, error) {
	if p.f == nil {
		return 0, os.ErrClosed
	}
	n, err := anyiort.Interruptible(ctx, p.f.SetReadDeadline, func() (int, error) { return p.f.Read(b) })
	if err == io.EOF {
		return n, io.EOF
	}
	return n, err
}

func (p stdPipe) Write(ctx context.Context, b []byte) (int, error) {
	if p.f == nil {
		return 0, os.ErrClosed
	}
	return anyiort.Interruptible(ctx, p.f.SetWriteDeadline, func() (int, error) { return p.f.Write(b) })
}

func (p stdPipe) Close() error {
	if p.f == nil {
		return nil
	}
	return p.f.Close()
}

var _ anyiort.Processes = stdBackend{}
