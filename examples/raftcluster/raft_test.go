//go:debug randseednop=0

package raftcluster

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/anyiogen/anyiogen/generated/anyio"
	"github.com/anyiogen/anyiogen/generated/anyio/anyiotest"
)

// The "//go:debug randseednop=0" above lets each sim run seed math/rand's
// global source, from which raft draws its election and heartbeat
// timeouts: without it, which node times out first would be the process's
// draw, not the seed's. With it, most seeds give the same run twice, but
// not all (see the package doc).

// The three nodes elect a leader, and a command applied on it reaches
// every node's state machine.
func TestRaftElectsALeaderAndReplicates(t *testing.T) {
	anyiotest.Seeds(t, 20, func(t *testing.T, ctx context.Context) error {
		return withCluster(ctx, func(ctx context.Context, c *cluster) error {
			leader, err := c.leader(ctx, 10*time.Second)
			if err != nil {
				return err
			}
			if err := leader.raft.Apply([]byte("x=1"), time.Second).Error(); err != nil {
				return fmt.Errorf("apply on the leader %s: %w", leader.name, err)
			}
			return applied(ctx, time.Second, []string{"x=1"}, c.nodes...)
		})
	}, clusterNetwork())
}

// A leader cut off from the other two loses its place: they elect another
// between them, which commits what the old one could not, and once the
// partition heals the old leader follows, with the new leader's log and
// without the command it took alone.
func TestRaftLeaderPartitionedAway(t *testing.T) {
	anyiotest.Seeds(t, 20, func(t *testing.T, ctx context.Context) error {
		nw := anyio.CurrentNetwork(ctx)
		return withCluster(ctx, func(ctx context.Context, c *cluster) error {
			old, err := c.leader(ctx, 10*time.Second)
			if err != nil {
				return err
			}
			if err := old.raft.Apply([]byte("before"), time.Second).Error(); err != nil {
				return fmt.Errorf("apply on the first leader %s: %w", old.name, err)
			}
			if err := applied(ctx, time.Second, []string{"before"}, c.nodes...); err != nil {
				return err
			}
			for _, n := range c.nodes {
				if n != old {
					nw.Partition(old.name, n.name)
				}
			}
			alone := old.raft.Apply([]byte("alone"), 2*time.Second)
			next, err := c.leader(ctx, 10*time.Second, old)
			if err != nil {
				return fmt.Errorf("with %s cut off: %w", old.name, err)
			}
			if err := next.raft.Apply([]byte("after"), time.Second).Error(); err != nil {
				return fmt.Errorf("apply on the second leader %s: %w", next.name, err)
			}
			if err := alone.Error(); err == nil {
				return fmt.Errorf("the cut-off leader %s committed a command alone", old.name)
			}
			nw.HealAll()
			if err := applied(ctx, 10*time.Second, []string{"before", "after"}, c.nodes...); err != nil {
				return fmt.Errorf("after the partition healed: %w", err)
			}
			if now, err := c.leader(ctx, time.Second); err != nil || now != next {
				return fmt.Errorf("after the partition healed the leader is %v (%v), want %s", now, err, next.name)
			}
			return nil
		})
	}, clusterNetwork())
}
