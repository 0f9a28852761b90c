// Package raftcluster runs a Raft cluster (github.com/hashicorp/raft) on
// the simulator: three hosts of a SimNetwork, each a raft node whose
// NetworkTransport speaks over TCPListener.NetListener and DialContext.
// Raft starts goroutines of its own (its main loop, the FSM's, one per
// follower to replicate to, the transport's listener and connections) and
// waits on timers of the time package: the run adopts the goroutines, and
// the timers follow the run's clock, so elections, replication and a
// leader cut off by a partition play out in virtual seconds.
//
// Raft's runs are not all a function of their seeds. Its timeouts are
// draws from the global math/rand, which the tests' binary lets each run
// seed (GODEBUG randseednop=0, in raft_test.go), but several of its
// goroutines draw, between calls into the run, in the Go scheduler's
// order, and that order changes when the runtime takes the processor from
// a goroutine midway: a garbage collector's worker does, and so does the
// preemption of a goroutine that ran 10 ms of wall time. Under
// -anyio.checkdeterminism on a quiet machine, 7 of 70 runs of the two
// tests (20 seeds each, a run stopping at its first seed that differs)
// found a seed that ran differently the second time, and 0 of 30 with
// GOGC=off; with three test binaries at once on 2 cores, 11 of 30, and 6
// of 24 with GOGC=off. What the tests check holds on every seed: 300 of
// each passed, and 100 of each under -race.
//
// It is a module of its own, so that raft's dependencies stay out of the
// repository's build; CI runs its tests beside the README's command.
package raftcluster
