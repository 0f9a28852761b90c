package core

import (
	"context"
	"net/netip"
	"time"

	anyiort "github.com/anyiogen/anyiogen/runtime"
)

type attemptResult struct {
	index int
	conn  anyiort.Conn
	err   error
}

// happyEyeballs runs the connection race of RFC 8305 section 5: one attempt
// now, the next after delay or as soon as an earlier one fails; the first
// to connect wins and every other attempt is cancelled and closed. It is
// written with the package's own task group, stream and timeouts, so it runs
// unchanged, and to the nanosecond, on a simulated backend.
func happyEyeballs(ctx context.Context, nw anyiort.Network, addrs []netip.Addr, locals []netip.Addr, port int, delay time.Duration) (anyiort.Conn, error) {
	dial := func(ctx context.Context, a netip.Addr) (anyiort.Conn, error) {
		return nw.DialTCP(ctx, localFor(locals, a), netip.AddrPortFrom(a, uint16(port)))
	}
	if len(addrs) == 1 {
		return dial(ctx, addrs[0])
	}
	tx, rx := NewMemoryObjectStream[attemptResult](len(addrs))
	var winner anyiort.Conn
	errs := make(attemptErrors, len(addrs))
	failed := 0
	settle := func(r attemptResult, cancel func()) {
		if r.err != nil {
			errs[r.index] = r.err
			failed++
			return
		}
		winner = r.conn
		cancel()
	}
	err := WithTaskGroup(ctx, func(gctx context.Context, tg *TaskGroup) error {
		for i, a := range addrs {
			tg.StartSoon(func(actx context.Context) error {
				conn, err := dial(actx, a)
				// The buffer holds one result per attempt: this never blocks.
				_ = tx.SendNowait(attemptResult{index: i, conn: conn, err: err})
				return nil
			})
			// Wait for the delay, or less if an attempt finishes first.
			started := i + 1
			_, err := MoveOnAfter(gctx, delay, func(wctx context.Context) error {
				for winner == nil && failed < started {
					r, err := rx.Receive(wctx)
					if err != nil {
						return err
					}
					settle(r, tg.CancelScope().Cancel)
					if r.err != nil {
						return nil // a failure starts the next attempt at once
					}
				}
				return nil
			})
			if err != nil || winner != nil {
				return err
			}
		}
		for winner == nil && failed < len(addrs) {
			r, err := rx.Receive(gctx)
			if err != nil {
				return err
			}
			settle(r, tg.CancelScope().Cancel)
		}
		return nil
	})
	// Every attempt has returned: close the connections that lost the race.
	for {
		r, rerr := rx.ReceiveNowait()
		if rerr != nil {
			break
		}
		if r.conn != nil && r.conn != winner {
			r.conn.Close()
		}
	}
	switch {
	case err != nil:
		if winner != nil {
			winner.Close()
		}
		return nil, err
	case winner != nil:
		return winner, nil
	}
	return nil, errs
}
