// Package primarybackup is the store a newcomer writes first: a primary
// that takes each write and a backup that takes over when the primary
// crashes. Its promise: every write the primary acknowledged is on the
// backup. The primary keeps that promise only if it replicates a write
// before it acknowledges it; AckFirst is the tempting other order, which
// acknowledges at once and replicates in batches. Its tests sweep seeds
// and fuzz runs, with a nemesis that crashes the primary, to show the one
// keeping the promise and the other breaking it. It runs on the simulator
// (its state is shared between tasks that run one at a time there).
package primarybackup

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/anyiogen/anyiogen/generated/anyio"
)

const (
	port        = 7000
	batchEvery  = 2 * time.Millisecond  // AckFirst replicates this often
	writeLimit  = 20 * time.Millisecond // a write not acknowledged by then was not acknowledged
	writes      = 20
	nemesisTime = 100 * time.Millisecond
)

// Network is the cluster: the primary p, the backup b, 1 ms of latency.
func Network() *anyio.SimNetwork {
	nw := anyio.NewSimNetwork()
	nw.AddHost("p", netip.MustParseAddr("10.0.0.1"))
	nw.AddHost("b", netip.MustParseAddr("10.0.0.2"))
	nw.SetLatency(time.Millisecond)
	return nw
}

// Check runs the store on the run's network (see Network) while a nemesis
// crashes the primary, and returns an error if an acknowledged write is
// not on the backup. ackFirst picks the primary that acknowledges first.
func Check(ctx context.Context, ackFirst bool) error {
	nw := anyio.CurrentNetwork(ctx)
	var acked []int
	var onBackup []int
	err := anyio.WithTaskGroup(ctx, func(ctx context.Context, tg *anyio.TaskGroup) error {
		backup := &store{}
		tg.StartSoon(func(ctx context.Context) error {
			return anyio.RunHost(ctx, "b", func(ctx context.Context) error { return serveBackup(ctx, backup) })
		}, anyio.Name("backup"))
		tg.StartSoon(func(ctx context.Context) error {
			err := anyio.RunHost(ctx, "p", func(ctx context.Context) error { return servePrimary(ctx, ackFirst) })
			if errors.Is(err, anyio.ErrHostCrashed) {
				return nil // the backup takes over
			}
			return err
		}, anyio.Name("primary"))
		// The nemesis may crash p ("localhost" runs no host: crashing it
		// does nothing), at moments drawn from the seed.
		tg.StartSoon(func(ctx context.Context) error {
			return nw.RunNemesis(ctx, anyio.Nemesis{Hosts: []string{"p", "localhost"}, Faults: []anyio.Fault{anyio.FaultCrash}, Period: 80 * time.Millisecond, Duration: nemesisTime})
		}, anyio.Name("nemesis"))
		for k := 1; k <= writes; k++ {
			if write(ctx, k) {
				acked = append(acked, k)
			}
		}
		if err := anyio.Sleep(ctx, nemesisTime); err != nil { // the nemesis is done
			return err
		}
		onBackup = backup.all()
		tg.CancelScope().Cancel()
		return nil
	})
	if err != nil {
		return err
	}
	var lost []int
	for _, k := range acked {
		if !slices.Contains(onBackup, k) {
			lost = append(lost, k)
		}
	}
	if len(lost) > 0 {
		return fmt.Errorf("acknowledged writes %v are not on the backup", lost)
	}
	return nil
}

// write sends PUT k to the primary and reports whether it acknowledged it.
func write(ctx context.Context, k int) (acked bool) {
	_ = anyio.FailAfter(ctx, writeLimit, func(ctx context.Context) error {
		reply, err := ask(ctx, "p", "PUT "+strconv.Itoa(k))
		acked = err == nil && reply == "OK"
		return err
	})
	return acked
}

// ask sends one line to host and returns its one-line answer.
func ask(ctx context.Context, host, line string) (string, error) {
	s, err := anyio.ConnectTCP(ctx, host, port)
	if err != nil {
		return "", err
	}
	defer s.Close()
	if err := s.Send(ctx, []byte(line+"\n")); err != nil {
		return "", err
	}
	var b []byte
	for !strings.HasSuffix(string(b), "\n") {
		chunk, err := s.Receive(ctx, 64)
		if err != nil {
			return "", err
		}
		b = append(b, chunk...)
	}
	return strings.TrimSuffix(string(b), "\n"), nil
}

// store is the backup's state: the writes it holds.
type store struct{ keys []int }

func (s *store) all() []int { return slices.Clone(s.keys) }

// serveBackup takes PUT k from the primary.
func serveBackup(ctx context.Context, st *store) error {
	return serveLines(ctx, func(ctx context.Context, line string) string {
		if k, ok := strings.CutPrefix(line, "PUT "); ok {
			n, _ := strconv.Atoi(k)
			st.keys = append(st.keys, n)
		}
		return "OK"
	})
}

// servePrimary takes PUT k from the client. The right primary replicates
// k, then acknowledges it; the AckFirst one acknowledges at once and sends
// what it holds to the backup every batchEvery.
func servePrimary(ctx context.Context, ackFirst bool) error {
	return anyio.WithTaskGroup(ctx, func(ctx context.Context, tg *anyio.TaskGroup) error {
		var pending []string
		if ackFirst {
			tg.StartSoon(func(ctx context.Context) error {
				for {
					if err := anyio.Sleep(ctx, batchEvery); err != nil {
						return err
					}
					for len(pending) > 0 {
						line := pending[0]
						if _, err := ask(ctx, "b", line); err != nil {
							return err
						}
						pending = pending[1:]
					}
				}
			}, anyio.Name("replicate"))
		}
		return serveLines(ctx, func(ctx context.Context, line string) string {
			if ackFirst {
				pending = append(pending, line)
				return "OK"
			}
			if reply, err := ask(ctx, "b", line); err != nil || reply != "OK" {
				return "FAIL"
			}
			return "OK"
		})
	})
}

// serveLines answers each line of each connection on port with handle.
func serveLines(ctx context.Context, handle func(ctx context.Context, line string) string) error {
	ln, err := anyio.ListenTCP(ctx, "", port)
	if err != nil {
		return err
	}
	defer ln.Close()
	return ln.Serve(ctx, func(ctx context.Context, s *anyio.SocketStream) error {
		var b []byte
		for {
			chunk, err := s.Receive(ctx, 64)
			if err != nil {
				return nil
			}
			b = append(b, chunk...)
			for {
				line, rest, ok := strings.Cut(string(b), "\n")
				if !ok {
					break
				}
				b = []byte(rest)
				if err := s.Send(ctx, []byte(handle(ctx, line)+"\n")); err != nil {
					return nil
				}
			}
		}
	})
}
