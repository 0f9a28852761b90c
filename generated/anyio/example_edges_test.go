package anyio_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/netip"
	"os"
	"strings"
	"syscall"

	"github.com/anyiogen/anyiogen/generated/anyio"
)

// On sim a host's disk keeps only what was made durable: after a crash,
// the synced file is there, the unsynced one is not.
func ExampleOpenFile() {
	nw := anyio.NewSimNetwork()
	nw.AddHost("db", netip.MustParseAddr("10.0.0.1"))
	err := anyio.Run(func(ctx context.Context) error {
		err := anyio.RunHost(ctx, "db", func(ctx context.Context) error {
			f, err := anyio.OpenFile(ctx, "/synced", os.O_CREATE|os.O_WRONLY, 0o644)
			if err != nil {
				return err
			}
			f.Write(ctx, []byte("kept"))
			f.Sync(ctx) // the data...
			f.Close()
			anyio.SyncDir(ctx, "/") // ...and the name
			anyio.WriteFile(ctx, "/unsynced", []byte("lost"), 0o644)
			nw.Crash("db")
			return nil
		})
		fmt.Println("RunHost:", errors.Is(err, anyio.ErrHostCrashed))
		return nil
	}, anyio.Backend(anyio.BackendSim), anyio.Network(nw))
	if err != nil {
		fmt.Println(err)
	}
	synced, _ := fs.ReadFile(nw.Disk("db"), "synced")
	_, err = fs.ReadFile(nw.Disk("db"), "unsynced")
	fmt.Printf("%s, %v\n", synced, errors.Is(err, fs.ErrNotExist))
	// Output:
	// RunHost: true
	// kept, true
}

// RunProcess runs a command and returns its output; on sim, SimProgram
// says what the command does.
func ExampleRunProcess() {
	upper := func(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
		in, _ := io.ReadAll(stdin)
		io.WriteString(stdout, strings.ToUpper(string(in)))
		return 0
	}
	err := anyio.Run(func(ctx context.Context) error {
		out, _, err := anyio.RunProcess(ctx, []string{"upper"}, anyio.ProcessInput([]byte("hello")))
		fmt.Printf("%s %v\n", out, err)
		_, _, err = anyio.RunProcess(ctx, []string{"missing"})
		fmt.Println(err)
		return nil
	}, anyio.Backend(anyio.BackendSim), anyio.SimProgram("upper", upper))
	if err != nil {
		fmt.Println(err)
	}
	// Output:
	// HELLO <nil>
	// anyio: OpenProcess missing: exec: "missing": executable file not found in $PATH
}

// A signal receiver gets SIGTERM; on sim, SimNetwork.Signal sends it at a
// virtual instant.
func ExampleOpenSignalReceiver() {
	nw := anyio.NewSimNetwork()
	err := anyio.Run(func(ctx context.Context) error {
		signals, err := anyio.OpenSignalReceiver(ctx, syscall.SIGTERM)
		if err != nil {
			return err
		}
		defer signals.Close()
		nw.Signal("localhost", syscall.SIGTERM)
		sig, err := signals.Receive(ctx)
		fmt.Println(sig, err)
		return nil
	}, anyio.Backend(anyio.BackendSim), anyio.Network(nw))
	if err != nil {
		fmt.Println(err)
	}
	// Output: terminated <nil>
}

// A Unix socket is a name on the host's disk.
func ExampleListenUnix() {
	err := anyio.Run(func(ctx context.Context) error {
		l, err := anyio.ListenUnix(ctx, "/app.sock")
		if err != nil {
			return err
		}
		defer l.Close()
		c, err := anyio.ConnectUnix(ctx, "/app.sock")
		if err != nil {
			return err
		}
		defer c.Close()
		s, err := l.Accept(ctx)
		if err != nil {
			return err
		}
		defer s.Close()
		c.Send(ctx, []byte("ping"))
		got, err := s.Receive(ctx, 16)
		fmt.Printf("%s %v %v\n", got, err, c.RemoteAddr())
		return nil
	}, anyio.Backend(anyio.BackendSim))
	if err != nil {
		fmt.Println(err)
	}
	// Output: ping <nil> /app.sock
}
