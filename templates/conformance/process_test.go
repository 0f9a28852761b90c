package conformance

import (
	"context"
	"errors"
	"os/exec"
	"strings"
	"syscall"
	"testing"

	anyio "github.com/anyiogen/anyiogen/generated/anyio"
)

// Processes: AnyIO's tests/test_subprocesses.py, with sh scripts where
// AnyIO runs Python. On sim the repository's set-up gives the run an "sh"
// that knows these scripts; a suite without it skips on sim.

// confNoProgram turns a sim run's missing program into a skip.
func confNoProgram(ctx context.Context, err error) error {
	if errors.Is(err, exec.ErrNotFound) && anyio.CurrentBackend(ctx) == "sim" {
		return confSkip("the run has no sh program (SimProgram) for the process tests")
	}
	return err
}

// AnyIO test_run_process: stdin in, stdout out, exit code 0.
func TestRunProcess(t *testing.T) {
	confEachBackend(t, func(t *testing.T, ctx context.Context) error {
		stdout, stderr, err := anyio.RunProcess(ctx, []string{"sh", "-c", "tr abc cba"}, anyio.ProcessInput([]byte("abc")))
		if err != nil {
			return confNoProgram(ctx, err)
		}
		if string(stdout) != "cba" || len(stderr) != 0 {
			t.Errorf("stdout %q, stderr %q; want cba and nothing", stdout, stderr)
		}
		return nil
	})
}

// AnyIO test_run_process_checked: a non-zero exit is an *ExitError that
// keeps both outputs.
func TestRunProcessChecked(t *testing.T) {
	confEachBackend(t, func(t *testing.T, ctx context.Context) error {
		_, _, err := anyio.RunProcess(ctx, []string{"sh", "-c", "echo stdout-text; echo stderr-text >&2; exit 1"})
		if errors.Is(err, exec.ErrNotFound) {
			return confNoProgram(ctx, err)
		}
		var exit *anyio.ExitError
		if !errors.As(err, &exit) {
			t.Fatalf("RunProcess = %v, want an *ExitError", err)
		}
		if exit.Code != 1 || strings.TrimSpace(string(exit.Stdout)) != "stdout-text" || strings.TrimSpace(string(exit.Stderr)) != "stderr-text" {
			t.Errorf("ExitError = code %d, stdout %q, stderr %q", exit.Code, exit.Stdout, exit.Stderr)
		}
		return nil
	})
}

// AnyIO test_terminate: a process that handles SIGTERM exits with its own
// code.
func TestTerminate(t *testing.T) {
	confEachBackend(t, func(t *testing.T, ctx context.Context) error {
		p, err := anyio.OpenProcess(ctx, []string{"sh", "-c", "trap 'exit 2' TERM; echo ready; while :; do sleep 0.01; done"})
		if err != nil {
			return confNoProgram(ctx, err)
		}
		defer p.Close()
		line, err := anyio.NewStapledStream(p.Stdin, p.Stdout).Receive(ctx, 100)
		if strings.TrimSpace(string(line)) != "ready" || err != nil {
			t.Errorf("the first line: %q, %v", line, err)
		}
		if err := p.Signal(syscall.SIGTERM); err != nil {
			return err
		}
		code, err := p.Wait(ctx)
		if code != 2 || err != nil {
			t.Errorf("Wait = %d, %v; want 2, the handler's", code, err)
		}
		return nil
	})
}

// AnyIO test_process_receive_invalid_max_bytes.
func TestProcessReceiveInvalidMaxBytes(t *testing.T) {
	confEachBackend(t, func(t *testing.T, ctx context.Context) error {
		p, err := anyio.OpenProcess(ctx, []string{"sh", "-c", "printf x"})
		if err != nil {
			return confNoProgram(ctx, err)
		}
		defer p.Close()
		for _, max := range []int{0, -1} {
			if _, err := p.Stdout.Receive(ctx, max); err == nil {
				t.Errorf("Receive(%d): no error", max)
			}
		}
		_, err = p.Wait(ctx)
		return err
	})
}

// AnyIO test_process_aexit_cancellation_doesnt_orphan_process: a Wait cut
// short kills the process and reaps it.
func TestProcessAexitCancellationDoesntOrphanProcess(t *testing.T) {
	confEachBackend(t, func(t *testing.T, ctx context.Context) error {
		p, err := anyio.OpenProcess(ctx, []string{"sh", "-c", "sleep 10"})
		if err != nil {
			return confNoProgram(ctx, err)
		}
		defer p.Close()
		_, err = anyio.MoveOnAfter(ctx, confTick, func(ctx context.Context) error {
			_, err := p.Wait(ctx)
			return err
		})
		if err != nil {
			return err
		}
		code, err := p.Wait(ctx)
		if code != -1 || err != nil {
			t.Errorf("Wait after the kill = %d, %v; want -1 (a signal ended it)", code, err)
		}
		return nil
	})
}

// AnyIO test_close_early: closing the streams at once leaves Wait working.
func TestCloseEarly(t *testing.T) {
	confEachBackend(t, func(t *testing.T, ctx context.Context) error {
		p, err := anyio.OpenProcess(ctx, []string{"sh", "-c", "printf x"})
		if err != nil {
			return confNoProgram(ctx, err)
		}
		if err := p.Close(); err != nil {
			return err
		}
		if _, err := p.Stdout.Receive(ctx, 10); !errors.Is(err, anyio.ErrClosedResource) {
			t.Errorf("Receive after Close: %v, want ErrClosedResource", err)
		}
		_, err = p.Wait(ctx)
		return err
	})
}

// A program that does not exist fails to start with exec.ErrNotFound.
func TestRunProcessNotFound(t *testing.T) {
	confEachBackend(t, func(t *testing.T, ctx context.Context) error {
		_, _, err := anyio.RunProcess(ctx, []string{"anyio-no-such-program"})
		if !errors.Is(err, exec.ErrNotFound) {
			t.Errorf("RunProcess of no program: %v, want exec.ErrNotFound", err)
		}
		return nil
	})
}
