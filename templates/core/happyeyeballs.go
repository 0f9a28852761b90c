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
	race := newEyeballsRace(len(addrs))
	err := WithTaskGroup(ctx, func(gctx context.Context, tg *TaskGroup) error {
		cancel := tg.CancelScope().Cancel
		for i, a := range addrs {
			tg.StartSoon(func(actx context.Context) error {
				conn, err := dial(actx, a)
				// The buffer holds one result per attempt: this never blocks.
				_ = race.tx.SendNowait(attemptResult{index: i, conn: conn, err: err})
				return nil
			})
			// Wait for the delay, or less if an attempt finishes first: a
			// failure starts the next attempt at once.
			_, err := MoveOnAfter(gctx, delay, func(wctx context.Context) error {
				return race.await(wctx, i+1, cancel, true)
			})
			if err != nil || race.winner != nil {
				return err
			}
		}
		return race.await(gctx, len(addrs), cancel, false)
	})
	race.closeLosers()
	return race.outcome(err)
}

// eyeballsRace is one happy-eyeballs connect: the attempts' results come
// in on a stream, with room for all of them; the first success wins.
type eyeballsRace struct {
	tx     *SendStream[attemptResult]
	rx     *ReceiveStream[attemptResult]
	winner anyiort.Conn
	errs   attemptErrors
	failed int
}

func newEyeballsRace(attempts int) *eyeballsRace {
	tx, rx := NewMemoryObjectStream[attemptResult](attempts)
	return &eyeballsRace{tx: tx, rx: rx, errs: make(attemptErrors, attempts)}
}

// await takes results until one wins (then cancel stops the others) or
// the started attempts have all failed; with untilFailure, it returns at
// the first failure too.
func (r *eyeballsRace) await(ctx context.Context, started int, cancel func(), untilFailure bool) error {
	for r.winner == nil && r.failed < started {
		res, err := r.rx.Receive(ctx)
		if err != nil {
			return err
		}
		if res.err != nil {
			r.errs[res.index] = res.err
			r.failed++
			if untilFailure {
				return nil
			}
			continue
		}
		r.winner = res.conn
		cancel()
	}
	return nil
}

// closeLosers closes the connections that lost the race, once every
// attempt has returned.
func (r *eyeballsRace) closeLosers() {
	for {
		res, err := r.rx.ReceiveNowait()
		if err != nil {
			return
		}
		if res.conn != nil && res.conn != r.winner {
			res.conn.Close()
		}
	}
}

// outcome is the winner, or the error of the race (closing a winner that
// came too late), or every attempt's error.
func (r *eyeballsRace) outcome(err error) (anyiort.Conn, error) {
	switch {
	case err != nil:
		if r.winner != nil {
			r.winner.Close()
		}
		return nil, err
	case r.winner != nil:
		return r.winner, nil
	}
	return nil, r.errs
}
