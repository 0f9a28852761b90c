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

// withLocalHealth serves the health service on 127.0.0.1 in a task group
// and calls body with the group, the service and a client of it; the
// client closes and the server stops when body returns.
func withLocalHealth(ctx context.Context, body func(ctx context.Context, tg *anyio.TaskGroup, hs *health.Server, client healthpb.HealthClient) error) error {
	return anyio.WithTaskGroup(ctx, func(ctx context.Context, tg *anyio.TaskGroup) error {
		srv, hs, addr, err := serveHealth(ctx, tg, "127.0.0.1", 0)
		if err != nil {
			return err
		}
		defer srv.Stop()
		client, closeClient, err := healthClient(ctx, addr)
		if err != nil {
			return err
		}
		defer closeClient()
		return body(ctx, tg, hs, client)
	})
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

// serverAndClient is a fresh simulated network for each seed with two
// hosts, server (10.0.0.1) and client (10.0.0.2), 1 ms apart.
func serverAndClient() anyio.RunOption {
	return anyio.NetworkFunc(func(int64) *anyio.SimNetwork {
		nw := anyio.NewSimNetwork()
		nw.AddHost("server", netip.MustParseAddr("10.0.0.1"))
		nw.AddHost("client", netip.MustParseAddr("10.0.0.2"))
		nw.SetLatency(time.Millisecond)
		return nw
	})
}
