package grpchealth

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/status"

	"github.com/anyiogen/anyiogen/generated/anyio"
	"github.com/anyiogen/anyiogen/generated/anyio/anyiotest"
)

// A unary call: on std over loopback, and on sim, where gRPC's goroutines
// are adopted by the run.
func TestHealthCheck(t *testing.T) {
	anyiotest.Run(t, func(t *testing.T, ctx context.Context) error {
		return withLocalHealth(ctx, func(ctx context.Context, _ *anyio.TaskGroup, _ *health.Server, client healthpb.HealthClient) error {
			return checkServing(ctx, client, 5*time.Second)
		})
	})
}

// A server stream: Watch sees the status the server sets a second later,
// at that moment of the run's clock.
func TestHealthWatchSeesTheChangeOnSim(t *testing.T) {
	anyiotest.Seeds(t, 20, func(t *testing.T, ctx context.Context) error {
		return withLocalHealth(ctx, func(ctx context.Context, tg *anyio.TaskGroup, hs *health.Server, client healthpb.HealthClient) error {
			start := anyio.Now(ctx)
			tg.StartSoon(func(ctx context.Context) error {
				if err := anyio.Sleep(ctx, time.Second); err != nil {
					return err
				}
				hs.SetServingStatus("", healthpb.HealthCheckResponse_NOT_SERVING)
				return nil
			}, anyio.Name("operator"))
			wctx, cancel := context.WithCancel(ctx)
			defer cancel()
			stream, err := client.Watch(wctx, &healthpb.HealthCheckRequest{})
			if err != nil {
				return err
			}
			for _, want := range []healthpb.HealthCheckResponse_ServingStatus{healthpb.HealthCheckResponse_SERVING, healthpb.HealthCheckResponse_NOT_SERVING} {
				resp, err := stream.Recv()
				if err != nil {
					return fmt.Errorf("Watch: waiting for %v: %w", want, err)
				}
				if resp.Status != want {
					return fmt.Errorf("Watch gave %v, want %v", resp.Status, want)
				}
			}
			if at := anyio.Now(ctx).Sub(start); at < time.Second || at > time.Second+10*time.Millisecond {
				return fmt.Errorf("NOT_SERVING reached the client %v after the start, want just after 1s", at)
			}
			// Ending the stream wakes a goroutine of gRPC's that tells the
			// server; closing the client at once would race it, through
			// gRPC's own queue, for the order of the frames on the wire.
			// Once every task is blocked, it has told.
			cancel()
			return anyio.WaitAllTasksBlocked(ctx)
		})
	})
}

// A partition between client and server: a call's deadline ends it with
// DeadlineExceeded after exactly that much virtual time.
func TestHealthCheckDeadlineAcrossAPartitionOnSim(t *testing.T) {
	anyiotest.Seeds(t, 20, func(t *testing.T, ctx context.Context) error {
		nw := anyio.CurrentNetwork(ctx)
		return anyio.WithTaskGroup(ctx, func(ctx context.Context, tg *anyio.TaskGroup) error {
			var stop func()
			listening := anyio.NewEvent()
			tg.StartSoon(func(ctx context.Context) error {
				return anyio.RunHost(ctx, "server", func(ctx context.Context) error {
					return anyio.WithTaskGroup(ctx, func(ctx context.Context, tg *anyio.TaskGroup) error {
						srv, _, _, err := serveHealth(ctx, tg, "server", 50051)
						if err != nil {
							return err
						}
						stop = srv.Stop
						listening.Set()
						return nil
					})
				})
			}, anyio.Name("server host"))
			if err := listening.Wait(ctx); err != nil {
				return err
			}
			defer func() { stop() }()
			return anyio.RunHost(ctx, "client", func(ctx context.Context) error {
				client, closeClient, err := healthClient(ctx, "server:50051")
				if err != nil {
					return err
				}
				defer closeClient()
				if err := checkServing(ctx, client, 5*time.Second); err != nil {
					return fmt.Errorf("before the partition: %w", err)
				}
				nw.Partition("client", "server")
				start := anyio.Now(ctx)
				err = checkServing(ctx, client, 2*time.Second)
				if status.Code(err) != codes.DeadlineExceeded {
					return fmt.Errorf("across the partition: %v, want DeadlineExceeded", err)
				}
				if waited := anyio.Now(ctx).Sub(start); waited != 2*time.Second {
					return fmt.Errorf("across the partition the call failed after %v of virtual time, want its deadline, 2s", waited)
				}
				return nil
			})
		})
	}, serverAndClient())
}

// The tests above are a function of their seeds: each seed, run twice,
// gives the same trace (-anyio.checkdeterminism, in a child process so
// that the flag is this test's alone). gRPC's goroutines hand work to each
// other through queues of their own, out of the run's sight, and then run
// in the Go scheduler's order; under the race detector that order is
// shuffled on purpose, so the check runs in a plain build (CI runs it so).
func TestGRPCRunsAreAFunctionOfTheSeed(t *testing.T) {
	if os.Getenv("GRPCHEALTH_CHILD") != "" {
		t.Skip("the child runs the tests themselves")
	}
	if raceDetector {
		t.Skip("under -race the Go scheduler shuffles the order of gRPC's goroutines on purpose; run without -race")
	}
	tests := []string{"TestHealthCheck", "TestHealthWatchSeesTheChangeOnSim", "TestHealthCheckDeadlineAcrossAPartitionOnSim"}
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^("+strings.Join(tests, "|")+")$", "-anyio.checkdeterminism", "-test.v")
	cmd.Env = append(os.Environ(), "GRPCHEALTH_CHILD=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("the gRPC tests under -anyio.checkdeterminism: %v\n%s", err, out)
	}
	for _, name := range tests {
		if !strings.Contains(string(out), "--- PASS: "+name+" ") {
			t.Errorf("%s did not pass under -anyio.checkdeterminism; output:\n%s", name, out)
		}
	}
}
