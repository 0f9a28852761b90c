package grpchealth

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"

	"github.com/anyiogen/anyiogen/generated/anyio"
)

// serveHealth serves gRPC's health service on a NetListener of port (0:
// any) on the current host, in a task of tg, and returns the server, its
// health service and the address it listens on. The task ends when the
// server stops.
func serveHealth(ctx context.Context, tg *anyio.TaskGroup, host string, port int) (*grpc.Server, *health.Server, string, error) {
	ln, err := anyio.ListenTCP(ctx, host, port)
	if err != nil {
		return nil, nil, "", err
	}
	srv, hs := grpc.NewServer(), health.NewServer()
	healthpb.RegisterHealthServer(srv, hs)
	tg.StartSoon(func(ctx context.Context) error {
		return srv.Serve(ln.NetListener(ctx))
	}, anyio.Name("grpc server"))
	return srv, hs, ln.Addr().String(), nil
}

// healthClient is a client of the health service at target, dialling
// through the run's network.
func healthClient(ctx context.Context, target string) (healthpb.HealthClient, func() error, error) {
	dial := anyio.DialContext(ctx)
	cc, err := grpc.NewClient("passthrough:///"+target,
		grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithContextDialer(func(ctx context.Context, addr string) (net.Conn, error) {
			return dial(ctx, "tcp", addr)
		}))
	if err != nil {
		return nil, nil, err
	}
	return healthpb.NewHealthClient(cc), cc.Close, nil
}

// checkServing calls Check with a deadline of limit and wants SERVING.
func checkServing(ctx context.Context, client healthpb.HealthClient, limit time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, limit)
	defer cancel()
	resp, err := client.Check(ctx, &healthpb.HealthCheckRequest{})
	if err != nil {
		return fmt.Errorf("Check: %w", err)
	}
	if resp.Status != healthpb.HealthCheckResponse_SERVING {
		return fmt.Errorf("Check = %v, want SERVING", resp.Status)
	}
	return nil
}

// hostsAt is a fresh simulated network for each seed with the hosts names
// at 10.0.0.1, 10.0.0.2, ... and latency.
func hostsAt(latency time.Duration, names ...string) anyio.RunOption {
	return anyio.NetworkFunc(func(int64) *anyio.SimNetwork {
		nw := anyio.NewSimNetwork()
		for i, name := range names {
			nw.AddHost(name, netip.AddrFrom4([4]byte{10, 0, 0, byte(i + 1)}))
		}
		nw.SetLatency(latency)
		return nw
	})
}
