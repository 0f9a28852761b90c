package core

import (
	"context"
	"fmt"
	"net/netip"
)

// LookupHost resolves host with the backend's resolver (on sim, its DNS).
func LookupHost(ctx context.Context, host string) ([]netip.Addr, error) {
	nw, err := networkOf(ctx)
	if err != nil {
		return nil, err
	}
	addrs, err := nw.LookupHost(ctx, host)
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, fmt.Errorf("anyio: look up %s: %w", host, err)
	}
	out := make([]netip.Addr, len(addrs))
	for i, a := range addrs {
		out[i] = a.Unmap()
	}
	return out, nil
}
