// Tcpclient connects to an echo server, sends a message and reads the
// reply, as AnyIO's tcp_client example does with connect_tcp.
//
// ConnectTCP resolves the host and connects with happy eyeballs (RFC
// 8305): it tries the first address, starts the next one 250ms later (or
// as soon as an attempt fails), and keeps the first connection that
// succeeds. The echo server runs in the same program, as a task of the
// same task group; cancelling the group's scope stops it.
//
// On the std backend the server listens on 127.0.0.1 (a free port). On
// the sim backend the server is a simulated host, echo.example, whose DNS
// entry lists an IPv6 address first and an IPv4 address second. The IPv6
// address is black-holed: that attempt never answers, so happy eyeballs
// starts the IPv4 attempt after 250ms, which connects after one round
// trip of 2×10ms latency. The program prints the virtual time the connect
// took, 270ms, the same on every run.
//
// Run it with
//
//	go run ./examples/tcpclient              # std: a real socket on 127.0.0.1
//	go run ./examples/tcpclient -backend sim # sim: happy eyeballs on a virtual clock
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/netip"
	"os"
	"time"

	"github.com/anyiogen/anyiogen/generated/anyio"
)

// The simulated echo host: its IPv6 address never answers.
var (
	echoHost = "echo.example"
	echoIPv6 = netip.MustParseAddr("2001:db8::7")
	echoIPv4 = netip.MustParseAddr("192.0.2.7")
)

const echoPort = 7

func main() {
	backend := flag.String("backend", anyio.BackendStd, "backend to run on: std or sim")
	seed := flag.Int64("seed", 0, "sim: the seed of the scheduler")
	flag.Parse()
	if err := run(os.Stdout, *backend, *seed); err != nil {
		fmt.Fprintln(os.Stderr, "tcpclient:", err)
		os.Exit(1)
	}
}

// run starts an echo server and talks to it on the backend named, writing
// what happens to w.
func run(w io.Writer, backend string, seed int64) error {
	opts := []anyio.RunOption{anyio.Backend(backend)}
	if backend == anyio.BackendSim {
		n := anyio.NewSimNetwork()
		n.AddHost(echoHost, echoIPv6, echoIPv4)
		n.Blackhole(echoIPv6)
		n.SetLatency(10 * time.Millisecond)
		opts = append(opts, anyio.Seed(seed), anyio.Network(n))
	}
	return anyio.Run(func(ctx context.Context) error {
		return anyio.WithTaskGroup(ctx, func(ctx context.Context, tg *anyio.TaskGroup) error {
			host, port, err := startEchoServer(ctx, tg)
			if err != nil {
				return err
			}
			if err := client(ctx, w, host, port); err != nil {
				return err
			}
			tg.CancelScope().Cancel() // stop the server; the group returns nil
			return nil
		})
	}, opts...)
}

// startEchoServer starts the server as a task of tg and returns the host
// and port a client connects to.
func startEchoServer(ctx context.Context, tg *anyio.TaskGroup) (host string, port int, err error) {
	listenOn, host, port := "127.0.0.1", "127.0.0.1", 0
	if anyio.CurrentBackend(ctx) == anyio.BackendSim {
		listenOn, host, port = echoIPv4.String(), echoHost, echoPort
	}
	l, err := anyio.ListenTCP(ctx, listenOn, port)
	if err != nil {
		return "", 0, err
	}
	tg.StartSoon(func(ctx context.Context) error {
		defer l.Close()
		return l.Serve(ctx, echo)
	}, anyio.Name("echo server"))
	return host, l.Addr().(*net.TCPAddr).Port, nil
}

// echo sends back whatever it receives until the client's EOF.
func echo(ctx context.Context, s *anyio.SocketStream) error {
	for {
		data, err := s.Receive(ctx, 4096)
		if errors.Is(err, anyio.ErrEndOfStream) {
			return nil
		}
		if err != nil {
			return err
		}
		if err := s.Send(ctx, data); err != nil {
			return err
		}
	}
}

// client is the AnyIO example: connect, send, receive.
func client(ctx context.Context, w io.Writer, host string, port int) error {
	start := anyio.Now(ctx)
	s, err := anyio.ConnectTCP(ctx, host, port)
	if err != nil {
		return err
	}
	defer s.Close()
	remote := s.RemoteAddr().(*net.TCPAddr)
	if anyio.CurrentBackend(ctx) == anyio.BackendSim {
		fmt.Fprintf(w, "connected to %s (%s) in %v of virtual time\n", host, remote, anyio.Now(ctx).Sub(start))
	} else {
		fmt.Fprintf(w, "connected to %s\n", remote.IP)
	}
	if err := s.Send(ctx, []byte("Hello")); err != nil {
		return err
	}
	response, err := s.Receive(ctx, 4096)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "sent %q, received %q\n", "Hello", response)
	return nil
}
