package conformance

// Behaviours of the package's contract that the rest of the suite left
// unchecked, or checked only on one backend: each test cites the sentence it
// holds the package to.

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	anyio "github.com/anyiogen/anyiogen/generated/anyio"
)

// errConfBody is the error a task group's body fails with on purpose.
var errConfBody = errors.New("conformance: body failure")

// --- Go conventions ---------------------------------------------------------

// "Sleep(ctx, d) error // ctx's error if cancelled first" and
// "Checkpoint(ctx) error // a scheduling point; ctx's error if cancelled":
// what they return is ctx's own error, whatever cancelled ctx, for a Sleep
// that was waiting as for one that found ctx cancelled already.
func TestSleepAndCheckpointReturnCtxErr(t *testing.T) {
	tests := []struct {
		name string
		// enter runs body under a ctx that is cancelled, or will be while
		// body's first Sleep waits.
		enter func(ctx context.Context, body func(ctx context.Context) error) error
	}{
		{"own Cancel", func(ctx context.Context, body func(ctx context.Context) error) error {
			s := anyio.NewCancelScope()
			return s.Run(ctx, func(ctx context.Context) error { s.Cancel(); return body(ctx) })
		}},
		{"own deadline while sleeping", func(ctx context.Context, body func(ctx context.Context) error) error {
			return anyio.NewCancelScope(anyio.Deadline(anyio.Now(ctx).Add(confTick))).Run(ctx, body)
		}},
		{"own deadline already past", func(ctx context.Context, body func(ctx context.Context) error) error {
			return anyio.NewCancelScope(anyio.Deadline(anyio.Now(ctx).Add(-time.Second))).Run(ctx, body)
		}},
		{"enclosing scope's Cancel", func(ctx context.Context, body func(ctx context.Context) error) error {
			outer := anyio.NewCancelScope()
			return outer.Run(ctx, func(ctx context.Context) error {
				return anyio.NewCancelScope().Run(ctx, func(ctx context.Context) error { outer.Cancel(); return body(ctx) })
			})
		}},
		{"FailAfter's timeout", func(ctx context.Context, body func(ctx context.Context) error) error {
			err := anyio.FailAfter(ctx, confTick, body)
			if !confIsTimeout(err) {
				return fmt.Errorf("FailAfter: got %v, want ErrTimeout", err)
			}
			return nil
		}},
		{"context.WithCancel", func(ctx context.Context, body func(ctx context.Context) error) error {
			plain, cancel := context.WithCancel(ctx)
			cancel()
			_ = body(plain)
			return nil
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			confEachBackend(t, func(t *testing.T, ctx context.Context) error {
				var ran bool
				err := tt.enter(ctx, func(ctx context.Context) error {
					ran = true
					first := anyio.Sleep(ctx, confForever)
					want := ctx.Err()
					if want == nil {
						t.Errorf("ctx.Err() after Sleep(%v) returned %v: nil, want the cancellation", confForever, first)
						return first
					}
					for i, got := range []error{first, anyio.Checkpoint(ctx), anyio.Sleep(ctx, 0), anyio.Sleep(ctx, confTick)} {
						if !errors.Is(got, want) || !confIsCancellation(got) {
							t.Errorf("call %d (Sleep, Checkpoint, Sleep(0), Sleep(%v)) under a cancelled ctx: got %v, want ctx's error %v", i+1, confTick, got, want)
						}
					}
					return first
				})
				if !ran {
					t.Errorf("the body never ran")
				}
				return err
			})
		})
	}
}

// "A scope's ctx reports ... the enclosing ctx's error when the cancellation
// came from outside"; "Otherwise the body's error goes up unchanged";
// FailAfter: "an outer cancellation goes up as itself". A plain
// context.WithDeadline that has expired is such an outside cancellation: no
// scope catches it, none reports CancelCalled, and FailAfter does not turn it
// into its own ErrTimeout.
func TestScopesUnderAnExpiredContextDeadline(t *testing.T) {
	confEachBackend(t, func(t *testing.T, ctx context.Context) error {
		parent, cancel := context.WithDeadline(ctx, time.Now().Add(-time.Second))
		defer cancel()

		s := anyio.NewCancelScope()
		var bodyErr error
		err := s.Run(parent, func(ctx context.Context) error {
			if !errors.Is(ctx.Err(), context.DeadlineExceeded) {
				t.Errorf("ctx.Err() of a scope under an expired context.WithDeadline: got %v, want context.DeadlineExceeded", ctx.Err())
			}
			bodyErr = fmt.Errorf("body: %w", anyio.Sleep(ctx, confForever))
			return bodyErr
		})
		if err != bodyErr || !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("CancelScope.Run under an expired context.WithDeadline: got %v, want the body's %v unchanged", err, bodyErr)
		}
		if s.CancelCalled() || s.CancelledCaught() {
			t.Errorf("scope cancelled only from outside: CancelCalled %v, CancelledCaught %v, want false, false", s.CancelCalled(), s.CancelledCaught())
		}

		err = anyio.FailAfter(parent, confForever, func(ctx context.Context) error { return anyio.Sleep(ctx, confForever) })
		if !errors.Is(err, context.DeadlineExceeded) || errors.Is(err, anyio.ErrTimeout) {
			t.Errorf("FailAfter(%v) under an expired context.WithDeadline: got %v, want context.DeadlineExceeded and not ErrTimeout", confForever, err)
		}

		scope, err := anyio.MoveOnAfter(parent, confForever, func(ctx context.Context) error { return anyio.Sleep(ctx, confForever) })
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("MoveOnAfter(%v) under an expired context.WithDeadline: got %v, want context.DeadlineExceeded", confForever, err)
		}
		if scope != nil && (scope.CancelCalled() || scope.CancelledCaught()) {
			t.Errorf("MoveOnAfter's scope cancelled only from outside: CancelCalled %v, CancelledCaught %v, want false, false", scope.CancelCalled(), scope.CancelledCaught())
		}
		return nil
	})
}

// confBlocker runs call in a scope of its own, in a task, and cancels that
// scope from another task once waiting reports that call is blocked; it
// checks that the call returned context.Canceled and that the scope caught
// it.
type confBlocker func(call func(ctx context.Context) error, waiting func() bool) error

// "Any blocking call cut short by its ctx (a Receive, a ConnectTCP, a Sleep)
// returns a cancellation, which the scope that was cancelled catches", for
// calls that were already waiting when another task cancelled their scope;
// the resource stays usable afterwards.
func TestWaitingCallsCutShortByCancelAreCaught(t *testing.T) {
	tests := []struct {
		name string
		// run sets up a resource, calls block (in a scope that another task
		// cancels once waiting reports true), then checks the resource
		// still works.
		run func(t *testing.T, ctx context.Context, block confBlocker) error
	}{
		{"TCPListener.Accept", func(t *testing.T, ctx context.Context, block confBlocker) error {
			ln, port, err := confListen(ctx, "127.0.0.1")
			if err != nil {
				return err
			}
			defer ln.Close()
			var waited atomic.Bool
			err = block(func(ctx context.Context) error {
				waited.Store(true)
				s, err := ln.Accept(ctx)
				if s != nil {
					s.Close()
				}
				return err
			}, waited.Load)
			if err != nil {
				return err
			}
			return anyio.WithTaskGroup(ctx, func(ctx context.Context, tg *anyio.TaskGroup) error {
				tg.StartSoon(func(ctx context.Context) error {
					s, err := ln.Accept(ctx)
					if err != nil {
						return fmt.Errorf("Accept after a cancelled Accept: %w", err)
					}
					return s.Close()
				})
				c, err := anyio.ConnectTCP(ctx, "127.0.0.1", port)
				if err != nil {
					return fmt.Errorf("ConnectTCP after a cancelled Accept: %w", err)
				}
				return c.Close()
			})
		}},
		{"ReceiveStream.Receive", func(t *testing.T, ctx context.Context, block confBlocker) error {
			tx, rx := anyio.NewMemoryObjectStream[int](0)
			defer confCloseAll(tx, rx)
			err := block(func(ctx context.Context) error {
				_, err := rx.Receive(ctx)
				return err
			}, func() bool { return rx.Statistics().TasksWaitingReceive == 1 })
			if err != nil {
				return err
			}
			return anyio.WithTaskGroup(ctx, func(ctx context.Context, tg *anyio.TaskGroup) error {
				tg.StartSoon(func(ctx context.Context) error { return tx.Send(ctx, 7) })
				if item, err := rx.Receive(ctx); err != nil || item != 7 {
					return fmt.Errorf("Receive after a cancelled Receive: got %d, %v, want 7, nil", item, err)
				}
				return nil
			})
		}},
		{"SendStream.Send", func(t *testing.T, ctx context.Context, block confBlocker) error {
			tx, rx := anyio.NewMemoryObjectStream[int](1)
			defer confCloseAll(tx, rx)
			if err := tx.SendNowait(1); err != nil {
				return err
			}
			err := block(func(ctx context.Context) error { return tx.Send(ctx, 2) },
				func() bool { return tx.Statistics().TasksWaitingSend == 1 })
			if err != nil {
				return err
			}
			if item, err := rx.ReceiveNowait(); err != nil || item != 1 {
				return fmt.Errorf("ReceiveNowait after a cancelled Send: got %d, %v, want 1, nil", item, err)
			}
			if item, err := rx.ReceiveNowait(); !errors.Is(err, anyio.ErrWouldBlock) {
				return fmt.Errorf("ReceiveNowait after the buffer drained: got %d, %v, want ErrWouldBlock (the cancelled Send delivered nothing)", item, err)
			}
			return nil
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			confEachBackend(t, func(t *testing.T, ctx context.Context) error {
				var block confBlocker = func(call func(ctx context.Context) error, waiting func() bool) error {
					s := anyio.NewCancelScope()
					var callErr, runErr error
					err := anyio.WithTaskGroup(ctx, func(ctx context.Context, tg *anyio.TaskGroup) error {
						tg.StartSoon(func(ctx context.Context) error {
							runErr = s.Run(ctx, func(ctx context.Context) error {
								callErr = call(ctx)
								return callErr
							})
							return nil
						})
						if err := confWaitUntil(ctx, "the call waits", waiting); err != nil {
							return err
						}
						if err := anyio.Sleep(ctx, confTick); err != nil {
							return err
						}
						s.Cancel()
						return nil
					})
					if err != nil {
						return err
					}
					if !errors.Is(callErr, context.Canceled) {
						t.Errorf("%s waiting when another task cancelled its scope: got %v, want context.Canceled", tt.name, callErr)
					}
					if runErr != nil || !s.CancelledCaught() {
						t.Errorf("the cancelled scope around %s: Run got %v (CancelledCaught %v), want nil (true)", tt.name, runErr, s.CancelledCaught())
					}
					return nil
				}
				return tt.run(t, ctx, block)
			})
		})
	}
}

// "Every blocking call takes a context.Context first and honours it", and
// "any blocking call cut short by its ctx ... returns a cancellation": a
// ListenTCP whose ctx is already cancelled returns the cancellation and
// listens nowhere, on every backend (AnyIO's create_tcp_listener is a
// checkpoint), for an address as for a name.
func TestListenTCPWithCancelledCtx(t *testing.T) {
	for _, host := range []string{"127.0.0.1", "localhost"} {
		t.Run(host, func(t *testing.T) {
			confEachBackend(t, func(t *testing.T, ctx context.Context) error {
				s := anyio.NewCancelScope()
				var listenErr error
				err := s.Run(ctx, func(ctx context.Context) error {
					s.Cancel()
					var ln *anyio.TCPListener
					ln, listenErr = anyio.ListenTCP(ctx, host, 0)
					if ln != nil {
						t.Errorf("ListenTCP(%s, 0) with a cancelled ctx: got a listener on %v, want none", host, ln.Addr())
						ln.Close()
					}
					return listenErr
				})
				if !errors.Is(listenErr, context.Canceled) {
					t.Errorf("ListenTCP(%s, 0) with a cancelled ctx: got %v, want context.Canceled", host, listenErr)
				}
				if err != nil || !s.CancelledCaught() {
					t.Errorf("scope around the cancelled ListenTCP: got %v (CancelledCaught %v), want nil (true)", err, s.CancelledCaught())
				}
				return nil
			})
		})
	}
}

// "Every blocking call takes a context.Context first and honours it": a
// SocketStream.Send waiting for a peer that does not read is cut short by its
// ctx, returns the cancellation, and the scope catches it.
func TestSocketStreamSendHonoursCtx(t *testing.T) {
	confEachBackend(t, func(t *testing.T, ctx context.Context) error {
		if anyio.CurrentBackend(ctx) != anyio.BackendStd {
			return confSkip("a simulated network buffers without limit: its Send never waits")
		}
		ln, port, err := confListen(ctx, "127.0.0.1")
		if err != nil {
			return err
		}
		defer ln.Close()
		return anyio.WithTaskGroup(ctx, func(ctx context.Context, tg *anyio.TaskGroup) error {
			peerDone := anyio.NewCancelScope()
			tg.StartSoon(func(ctx context.Context) error {
				s, err := ln.Accept(ctx)
				if err != nil {
					return err
				}
				defer s.Close()
				// Reads nothing until told to stop.
				return peerDone.Run(ctx, func(ctx context.Context) error { return anyio.Sleep(ctx, confForever) })
			})
			c, err := anyio.ConnectTCP(ctx, "127.0.0.1", port)
			if err != nil {
				return err
			}
			defer c.Close()
			var sendErr error
			start := anyio.Now(ctx)
			scope, err := anyio.MoveOnAfter(ctx, 5*confTick, func(ctx context.Context) error {
				sendErr = c.Send(ctx, make([]byte, 64<<20))
				return sendErr
			})
			elapsed := anyio.Now(ctx).Sub(start)
			peerDone.Cancel()
			if !errors.Is(sendErr, context.DeadlineExceeded) {
				t.Errorf("Send of 64 MiB to a peer that reads nothing, under MoveOnAfter(%v): got %v, want context.DeadlineExceeded", 5*confTick, sendErr)
			}
			if err != nil || !scope.CancelledCaught() {
				t.Errorf("MoveOnAfter around the stuck Send: got %v (CancelledCaught %v), want nil (true)", err, scope.CancelledCaught())
			}
			return confCheckElapsed("the stuck Send", elapsed, 5*confTick)
		})
	})
}

// --- Running and backends ---------------------------------------------------

// "On sim, a run in which every task is blocked and no timer is pending
// returns an error that errors.Is(err, ErrDeadlock) and names every blocked
// task": every one, whatever it waits on.
func TestRunDeadlockNamesEveryBlockedTask(t *testing.T) {
	names := []string{"conf-receiver", "conf-sender", "conf-acceptor", "conf-group-host", "conf-nested-receiver"}
	for _, backend := range anyio.Backends() {
		t.Run(backend, func(t *testing.T) {
			if backend == anyio.BackendStd {
				t.Skip("std runs on the wall clock and cannot tell a deadlock from a wait")
			}
			var err error
			confBound(t, "a deadlocked anyio.Run on backend "+backend, func() {
				err = anyio.Run(func(ctx context.Context) error {
					tx, rx := anyio.NewMemoryObjectStream[int](0)
					tx2, rx2 := anyio.NewMemoryObjectStream[int](0)
					defer confCloseAll(tx, rx, tx2, rx2)
					ln, err := anyio.ListenTCP(ctx, "127.0.0.1", 0)
					if err != nil {
						return err
					}
					defer ln.Close()
					return anyio.WithTaskGroup(ctx, func(ctx context.Context, tg *anyio.TaskGroup) error {
						tg.StartSoon(func(ctx context.Context) error {
							_, err := rx.Receive(ctx)
							return err
						}, anyio.Name(names[0]))
						tg.StartSoon(func(ctx context.Context) error { return tx2.Send(ctx, 1) }, anyio.Name(names[1]))
						tg.StartSoon(func(ctx context.Context) error {
							s, err := ln.Accept(ctx)
							if s != nil {
								s.Close()
							}
							return err
						}, anyio.Name(names[2]))
						tg.StartSoon(func(ctx context.Context) error {
							return anyio.WithTaskGroup(ctx, func(ctx context.Context, inner *anyio.TaskGroup) error {
								inner.StartSoon(func(ctx context.Context) error {
									_, err := rx.Receive(ctx)
									return err
								}, anyio.Name(names[4]))
								return nil
							})
						}, anyio.Name(names[3]))
						return nil
					})
				}, anyio.Backend(backend))
			})
			if !errors.Is(err, anyio.ErrDeadlock) {
				t.Fatalf("Run in which five named tasks wait on things nobody will do: got %v, want ErrDeadlock", err)
			}
			for _, name := range names {
				if !strings.Contains(err.Error(), name) {
					t.Errorf("deadlock error does not name the blocked task %q:\n%v", name, err)
				}
			}
		})
	}
}

// --- Cancel scopes ----------------------------------------------------------

// "CancelCalled() bool // Cancel was called or the deadline passed" and
// "CancelledCaught() bool // this scope absorbed a cancellation on exit":
// before Run, while the body runs and after Run.
func TestCancelScopeFlagsBeforeDuringAfterRun(t *testing.T) {
	confEachBackend(t, func(t *testing.T, ctx context.Context) error {
		s := anyio.NewCancelScope()
		check := func(when string, called, caught bool) {
			t.Helper()
			if s.CancelCalled() != called || s.CancelledCaught() != caught {
				t.Errorf("%s: CancelCalled %v, CancelledCaught %v, want %v, %v", when, s.CancelCalled(), s.CancelledCaught(), called, caught)
			}
		}
		check("before Run", false, false)
		err := s.Run(ctx, func(ctx context.Context) error {
			check("in the body before Cancel", false, false)
			s.Cancel()
			check("in the body after Cancel", true, false)
			err := anyio.Checkpoint(ctx)
			check("in the body after the cancelled Checkpoint", true, false)
			return err
		})
		if err != nil {
			t.Errorf("Run: got %v, want nil", err)
		}
		check("after Run", true, true)
		return nil
	})
}

// "CancelledCaught() bool // this scope absorbed a cancellation on exit",
// for an exit by panic: the panic goes up through Run unchanged and nothing
// was absorbed.
func TestCancelScopeFlagsAfterBodyPanics(t *testing.T) {
	confEachBackend(t, func(t *testing.T, ctx context.Context) error {
		s := anyio.NewCancelScope()
		recovered := func() (r any) {
			defer func() { r = recover() }()
			_ = s.Run(ctx, func(ctx context.Context) error {
				s.Cancel()
				_ = anyio.Checkpoint(ctx)
				confPanicNow("panicked in a cancelled scope")
				return nil
			})
			return nil
		}()
		if recovered != "panicked in a cancelled scope" {
			t.Errorf("CancelScope.Run whose body panicked: recovered %#v, want the body's panic value", recovered)
		}
		if !s.CancelCalled() || s.CancelledCaught() {
			t.Errorf("after the body panicked: CancelCalled %v, CancelledCaught %v, want true, false", s.CancelCalled(), s.CancelledCaught())
		}
		if err := anyio.Checkpoint(ctx); err != nil {
			t.Errorf("Checkpoint after the panicking scope: got %v, want nil (its cancellation stays inside it)", err)
		}
		return nil
	})
}

// "CancelCalled() bool // Cancel was called or the deadline passed": the
// deadline passing counts even when the body, behind a shield, never saw it;
// and since nothing was absorbed, "CancelledCaught() ... absorbed a
// cancellation on exit" stays false and Run returns the body's nil.
func TestCancelScopeDeadlinePassedUnnoticed(t *testing.T) {
	confEachBackend(t, func(t *testing.T, ctx context.Context) error {
		s := anyio.NewCancelScope(anyio.Deadline(anyio.Now(ctx).Add(confTick)))
		err := s.Run(ctx, func(ctx context.Context) error {
			if err := anyio.NewCancelScope(anyio.Shielded()).Run(ctx, func(ctx context.Context) error {
				return anyio.Sleep(ctx, 3*confTick)
			}); err != nil {
				return fmt.Errorf("shielded Sleep: %w", err)
			}
			if !s.CancelCalled() {
				t.Errorf("CancelCalled() in the body after its deadline passed: got false, want true")
			}
			if !errors.Is(ctx.Err(), context.DeadlineExceeded) {
				t.Errorf("ctx.Err() after the deadline passed: got %v, want context.DeadlineExceeded", ctx.Err())
			}
			return nil
		})
		if err != nil {
			t.Errorf("Run of a body that returned nil after its deadline passed: got %v, want nil", err)
		}
		if !s.CancelCalled() || s.CancelledCaught() {
			t.Errorf("after Run: CancelCalled %v, CancelledCaught %v, want true, false", s.CancelCalled(), s.CancelledCaught())
		}
		return nil
	})
}

// "A shielded scope is not cancelled by its parents", a parent that no scope
// made (a cancelled context.WithCancel) included.
func TestCancelScopeShieldedUnderCancelledPlainContext(t *testing.T) {
	confEachBackend(t, func(t *testing.T, ctx context.Context) error {
		parent, cancel := context.WithCancel(ctx)
		cancel()
		s := anyio.NewCancelScope(anyio.Shielded())
		err := s.Run(parent, func(ctx context.Context) error {
			if ctx.Err() != nil || confIsDone(ctx) {
				t.Errorf("shielded ctx under a cancelled context.WithCancel: Err %v, Done closed %v, want nil, open", ctx.Err(), confIsDone(ctx))
			}
			if err := anyio.Checkpoint(ctx); err != nil {
				t.Errorf("Checkpoint in a shielded scope under a cancelled context.WithCancel: got %v, want nil", err)
			}
			if err := anyio.Sleep(ctx, confTick); err != nil {
				t.Errorf("Sleep in a shielded scope under a cancelled context.WithCancel: got %v, want nil", err)
			}
			return nil
		})
		if err != nil || s.CancelCalled() || s.CancelledCaught() {
			t.Errorf("shielded scope under a cancelled context.WithCancel: Run got %v, CancelCalled %v, CancelledCaught %v, want nil, false, false", err, s.CancelCalled(), s.CancelledCaught())
		}
		return nil
	})
}

// "FailAfter returns the ErrTimeout error only when its own deadline made the
// scope catch a cancellation": a body that outlives the deadline behind a
// shield and returns without seeing the cancellation has its own result
// returned, nil included.
func TestFailAfterBodyThatMissedTheTimeoutReturnsItsOwnResult(t *testing.T) {
	for _, want := range []error{nil, errConfBoom} {
		t.Run(fmt.Sprint(want), func(t *testing.T) {
			confEachBackend(t, func(t *testing.T, ctx context.Context) error {
				err := anyio.FailAfter(ctx, confTick, func(ctx context.Context) error {
					if err := anyio.NewCancelScope(anyio.Shielded()).Run(ctx, func(ctx context.Context) error {
						return anyio.Sleep(ctx, 3*confTick)
					}); err != nil {
						return fmt.Errorf("shielded Sleep: %w", err)
					}
					return want
				})
				if err != want {
					t.Errorf("FailAfter(%v) whose body returned %v after the deadline without seeing it: got %v, want %v", confTick, want, err, want)
				}
				return nil
			})
		})
	}
}

// "A body error that is not a cancellation always goes up unchanged", for
// MoveOnAfter too: after its timeout, nothing is caught.
func TestMoveOnAfterBodyErrorAfterTimeoutGoesUp(t *testing.T) {
	confEachBackend(t, func(t *testing.T, ctx context.Context) error {
		scope, err := anyio.MoveOnAfter(ctx, confTick, func(ctx context.Context) error {
			_ = anyio.Sleep(ctx, confForever)
			return errConfBoom
		})
		if err != errConfBoom {
			t.Errorf("MoveOnAfter whose body returned %v after the timeout: got %v, want it unchanged", errConfBoom, err)
		}
		if scope == nil {
			return errors.New("MoveOnAfter returned a nil scope")
		}
		if !scope.CancelCalled() || scope.CancelledCaught() {
			t.Errorf("MoveOnAfter's scope: CancelCalled %v, CancelledCaught %v, want true, false", scope.CancelCalled(), scope.CancelledCaught())
		}
		return nil
	})
}

// "Otherwise the body's error goes up unchanged" and FailAfter: "an outer
// cancellation goes up as itself": the very error value the body returned
// comes out of CancelScope.Run, FailAfter and MoveOnAfter when only an
// enclosing scope was cancelled.
func TestOuterCancellationGoesUpUnchanged(t *testing.T) {
	confEachBackend(t, func(t *testing.T, ctx context.Context) error {
		type result struct {
			name      string
			got, want error
		}
		var results []result
		outer := anyio.NewCancelScope()
		err := outer.Run(ctx, func(ctx context.Context) error {
			outer.Cancel()
			var want error
			wrap := func(what string) func(ctx context.Context) error {
				return func(ctx context.Context) error {
					want = fmt.Errorf("%s body: %w", what, anyio.Sleep(ctx, confForever))
					return want
				}
			}
			got := anyio.NewCancelScope().Run(ctx, wrap("CancelScope.Run"))
			results = append(results, result{"CancelScope.Run", got, want})
			got = anyio.FailAfter(ctx, confForever, wrap("FailAfter"))
			results = append(results, result{"FailAfter", got, want})
			_, got = anyio.MoveOnAfter(ctx, confForever, wrap("MoveOnAfter"))
			results = append(results, result{"MoveOnAfter", got, want})
			return anyio.Checkpoint(ctx)
		})
		for _, r := range results {
			if r.got != r.want || !errors.Is(r.got, context.Canceled) || errors.Is(r.got, anyio.ErrTimeout) {
				t.Errorf("%s inside a cancelled scope: got %v, want the body's %v unchanged", r.name, r.got, r.want)
			}
		}
		if err != nil || !outer.CancelledCaught() {
			t.Errorf("outer scope: Run got %v (CancelledCaught %v), want nil (true)", err, outer.CancelledCaught())
		}
		return nil
	})
}

// --- Task groups ------------------------------------------------------------

// "The first error (from a task or the body) cancels the group's scope":
// tg.CancelScope() reports CancelCalled, and the body's ctx reports
// context.Canceled.
func TestTaskGroupFirstErrorCancelsTheGroupsScope(t *testing.T) {
	confEachBackend(t, func(t *testing.T, ctx context.Context) error {
		var called bool
		var bodyCtxErr error
		err := anyio.WithTaskGroup(ctx, func(ctx context.Context, tg *anyio.TaskGroup) error {
			if tg.CancelScope().CancelCalled() {
				t.Errorf("tg.CancelScope().CancelCalled() before any failure: got true, want false")
			}
			tg.StartSoon(func(ctx context.Context) error { return errConfBoom })
			err := anyio.Sleep(ctx, confForever)
			called, bodyCtxErr = tg.CancelScope().CancelCalled(), ctx.Err()
			return err
		})
		if err != errConfBoom {
			t.Errorf("WithTaskGroup: got %v, want %v itself", err, errConfBoom)
		}
		if !called {
			t.Errorf("tg.CancelScope().CancelCalled() after a task failed: got false, want true")
		}
		if !errors.Is(bodyCtxErr, context.Canceled) {
			t.Errorf("the body's ctx.Err() after a task failed: got %v, want context.Canceled", bodyCtxErr)
		}
		return nil
	})
}

// "For several, one error whose Unwrap() []error lists them all in the order
// they happened", the body's error among the tasks'.
func TestTaskGroupErrorsInOrderWithTheBodys(t *testing.T) {
	confEachBackend(t, func(t *testing.T, ctx context.Context) error {
		cleanup := func(ctx context.Context, d time.Duration) {
			_ = anyio.NewCancelScope(anyio.Shielded()).Run(ctx, func(ctx context.Context) error { return anyio.Sleep(ctx, d) })
		}
		err := anyio.WithTaskGroup(ctx, func(ctx context.Context, tg *anyio.TaskGroup) error {
			tg.StartSoon(func(ctx context.Context) error {
				if err := anyio.Sleep(ctx, confForever); err != nil {
					cleanup(ctx, 6*confTick)
					return errConfLater
				}
				return nil
			})
			tg.StartSoon(func(ctx context.Context) error {
				if err := anyio.Sleep(ctx, confTick); err != nil {
					return err
				}
				return errConfFirst
			})
			if err := anyio.Sleep(ctx, confForever); err != nil {
				cleanup(ctx, confTick)
				return errConfBody
			}
			return nil
		})
		list := confErrorList(err)
		want := []error{errConfFirst, errConfBody, errConfLater}
		if !slices.Equal(list, want) {
			t.Errorf("Unwrap() []error of the group's error: got %q, want %q in the order they happened", list, want)
		}
		for _, e := range want {
			if !errors.Is(err, e) {
				t.Errorf("errors.Is(group error, %v): false, want true", e)
			}
		}
		return nil
	})
}

// "Cancelling tg.CancelScope() cancels every task; if nothing else failed the
// group returns nil": then the group's scope has caught the cancellation;
// and if something else did fail, that error is the result.
func TestTaskGroupCancelScopeCancelWithAndWithoutFailures(t *testing.T) {
	t.Run("nothing else failed", func(t *testing.T) {
		confEachBackend(t, func(t *testing.T, ctx context.Context) error {
			var scope *anyio.CancelScope
			err := anyio.WithTaskGroup(ctx, func(ctx context.Context, tg *anyio.TaskGroup) error {
				scope = tg.CancelScope()
				tg.StartSoon(func(ctx context.Context) error { return anyio.Sleep(ctx, confForever) })
				if err := anyio.Sleep(ctx, confTick); err != nil {
					return err
				}
				scope.Cancel()
				return anyio.Sleep(ctx, confForever)
			})
			if err != nil {
				t.Errorf("WithTaskGroup after tg.CancelScope().Cancel(): got %v, want nil", err)
			}
			if !scope.CancelCalled() || !scope.CancelledCaught() {
				t.Errorf("tg.CancelScope() after the group returned nil: CancelCalled %v, CancelledCaught %v, want true, true", scope.CancelCalled(), scope.CancelledCaught())
			}
			return nil
		})
	})
	t.Run("a task failed on its way out", func(t *testing.T) {
		confEachBackend(t, func(t *testing.T, ctx context.Context) error {
			err := anyio.WithTaskGroup(ctx, func(ctx context.Context, tg *anyio.TaskGroup) error {
				tg.StartSoon(func(ctx context.Context) error {
					if err := anyio.Sleep(ctx, confForever); err != nil {
						return errConfLater
					}
					return nil
				})
				tg.StartSoon(func(ctx context.Context) error { return anyio.Sleep(ctx, confForever) })
				if err := anyio.Sleep(ctx, confTick); err != nil {
					return err
				}
				tg.CancelScope().Cancel()
				return anyio.Checkpoint(ctx)
			})
			if err != errConfLater {
				t.Errorf("WithTaskGroup cancelled while a task failed on its way out: got %v, want %v itself", err, errConfLater)
			}
			return nil
		})
	})
}

// "Start runs fn as a task": once Started, the task belongs to the group,
// so the caller's cancellation no longer reaches it but the group's does.
func TestTaskGroupStartedTaskBelongsToTheGroup(t *testing.T) {
	confEachBackend(t, func(t *testing.T, ctx context.Context) error {
		var taskErr error
		var finished atomic.Bool
		caller := anyio.NewCancelScope()
		err := anyio.WithTaskGroup(ctx, func(ctx context.Context, tg *anyio.TaskGroup) error {
			callerErr := caller.Run(ctx, func(cctx context.Context) error {
				v, err := tg.Start(cctx, func(ctx context.Context, st *anyio.TaskStatus) error {
					st.Started("up")
					taskErr = anyio.Sleep(ctx, 3*confTick)
					finished.Store(taskErr == nil)
					return taskErr
				})
				if err != nil || v != "up" {
					return fmt.Errorf("Start: got %v, %v, want up, nil", v, err)
				}
				caller.Cancel()
				return anyio.Checkpoint(cctx)
			})
			if callerErr != nil || !caller.CancelledCaught() {
				return fmt.Errorf("caller's scope: Run got %v (CancelledCaught %v), want nil (true)", callerErr, caller.CancelledCaught())
			}
			return nil
		})
		if err != nil {
			t.Errorf("WithTaskGroup: got %v, want nil", err)
		}
		if taskErr != nil || !finished.Load() {
			t.Errorf("started task after its caller's scope was cancelled: Sleep got %v, want nil (the task is the group's now)", taskErr)
		}

		taskErr = nil
		err = anyio.WithTaskGroup(ctx, func(ctx context.Context, tg *anyio.TaskGroup) error {
			if _, err := tg.Start(ctx, func(ctx context.Context, st *anyio.TaskStatus) error {
				st.Started(nil)
				taskErr = anyio.Sleep(ctx, confForever)
				return taskErr
			}); err != nil {
				return err
			}
			tg.CancelScope().Cancel()
			return nil
		})
		if err != nil {
			t.Errorf("WithTaskGroup cancelled after Start: got %v, want nil", err)
		}
		if !errors.Is(taskErr, context.Canceled) {
			t.Errorf("started task after tg.CancelScope().Cancel(): Sleep got %v, want context.Canceled", taskErr)
		}
		return nil
	})
}

// "If fn fails before that, Start returns that error": the error itself.
func TestTaskGroupStartReturnsFnsErrorItself(t *testing.T) {
	confEachBackend(t, func(t *testing.T, ctx context.Context) error {
		var startErr error
		err := anyio.WithTaskGroup(ctx, func(ctx context.Context, tg *anyio.TaskGroup) error {
			_, startErr = tg.Start(ctx, func(ctx context.Context, st *anyio.TaskStatus) error { return errConfBoom })
			return nil
		})
		if startErr != errConfBoom {
			t.Errorf("Start of a fn that returned %v before Started: got %v, want it itself", errConfBoom, startErr)
		}
		if err != nil {
			t.Errorf("WithTaskGroup: got %v, want nil", err)
		}
		return nil
	})
}

// --- Memory object streams --------------------------------------------------

// "A use of a handle that was itself closed returns ErrClosedResource", also
// when the other side is gone too: the handle's own closing comes first,
// before ErrBrokenResource and ErrEndOfStream, which the other clones still
// get.
func TestMemoryStreamClosedHandleBeforeBrokenOrEnded(t *testing.T) {
	confEachBackend(t, func(t *testing.T, ctx context.Context) error {
		tx, rx := anyio.NewMemoryObjectStream[int](1)
		tx2, err := tx.Clone()
		if err != nil {
			return err
		}
		rx.Close()
		tx.Close()
		if err := tx.Send(ctx, 1); !errors.Is(err, anyio.ErrClosedResource) {
			t.Errorf("Send on a closed handle whose receivers are all closed: got %v, want ErrClosedResource", err)
		}
		if err := tx.SendNowait(1); !errors.Is(err, anyio.ErrClosedResource) {
			t.Errorf("SendNowait on a closed handle whose receivers are all closed: got %v, want ErrClosedResource", err)
		}
		if err := tx2.Send(ctx, 1); !errors.Is(err, anyio.ErrBrokenResource) {
			t.Errorf("Send on an open clone whose receivers are all closed: got %v, want ErrBrokenResource", err)
		}
		tx2.Close()

		stx, srx := anyio.NewMemoryObjectStream[string](1)
		srx2, err := srx.Clone()
		if err != nil {
			return err
		}
		stx.Close()
		srx.Close()
		if item, err := srx.Receive(ctx); !errors.Is(err, anyio.ErrClosedResource) {
			t.Errorf("Receive on a closed handle whose senders are all closed: got %q, %v, want ErrClosedResource", item, err)
		}
		if item, err := srx.ReceiveNowait(); !errors.Is(err, anyio.ErrClosedResource) {
			t.Errorf("ReceiveNowait on a closed handle whose senders are all closed: got %q, %v, want ErrClosedResource", item, err)
		}
		var pairs []string
		for item, err := range srx.All(ctx) {
			pairs = append(pairs, fmt.Sprintf("%q %v", item, err))
			if len(pairs) > 5 || err == nil {
				break
			}
		}
		if len(pairs) != 1 || pairs[0] != fmt.Sprintf("%q %v", "", anyio.ErrClosedResource) {
			t.Errorf("All on a closed handle whose senders are all closed: got %v, want one pair with the zero item and ErrClosedResource", pairs)
		}
		if item, err := srx2.Receive(ctx); !errors.Is(err, anyio.ErrEndOfStream) {
			t.Errorf("Receive on an open clone whose senders are all closed: got %q, %v, want ErrEndOfStream", item, err)
		}
		srx2.Close()
		return nil
	})
}

// "Send returns ErrBrokenResource once every receive clone is closed", for a
// Send waiting on a full buffer as for one on a rendezvous.
func TestMemoryStreamBlockedBufferedSendBreaks(t *testing.T) {
	confEachBackend(t, func(t *testing.T, ctx context.Context) error {
		tx, rx := anyio.NewMemoryObjectStream[int](1)
		defer tx.Close()
		if err := tx.SendNowait(1); err != nil {
			return err
		}
		var sendErr error
		err := anyio.WithTaskGroup(ctx, func(ctx context.Context, tg *anyio.TaskGroup) error {
			tg.StartSoon(func(ctx context.Context) error {
				sendErr = tx.Send(ctx, 2)
				return nil
			})
			if err := confWaitUntil(ctx, "the sender waits on the full buffer", func() bool { return tx.Statistics().TasksWaitingSend == 1 }); err != nil {
				return err
			}
			return rx.Close()
		})
		if err != nil {
			return err
		}
		if !errors.Is(sendErr, anyio.ErrBrokenResource) {
			t.Errorf("Send waiting on a full buffer while the last receiver closed: got %v, want ErrBrokenResource", sendErr)
		}
		if n := tx.Statistics().TasksWaitingSend; n != 0 {
			t.Errorf("TasksWaitingSend after the waiting Send broke: got %d, want 0", n)
		}
		return nil
	})
}

// StreamStatistics in each state: "MaxBufferSize is Unbounded for an
// unbounded stream" (and the size otherwise, 0 included); the buffer and the
// open handles as handles close, read from closed handles too; no waiting
// task counted once a close has woken it.
func TestMemoryStreamStatisticsInEachState(t *testing.T) {
	confEachBackend(t, func(t *testing.T, ctx context.Context) error {
		for _, size := range confStreamSizes {
			tx, rx := anyio.NewMemoryObjectStream[int](size)
			want := anyio.StreamStatistics{MaxBufferSize: size, OpenSendStreams: 1, OpenReceiveStreams: 1}
			if got := tx.Statistics(); got != want {
				t.Errorf("Statistics of a fresh stream of %s: got %+v, want %+v", confSizeName(size), got, want)
			}
			confCloseAll(tx, rx)
		}

		tx, rx := anyio.NewMemoryObjectStream[int](5)
		for i := range 3 {
			if err := tx.SendNowait(i); err != nil {
				return err
			}
		}
		check := func(when string, want anyio.StreamStatistics) {
			t.Helper()
			for end, got := range map[string]anyio.StreamStatistics{"send end": tx.Statistics(), "receive end": rx.Statistics()} {
				if got != want {
					t.Errorf("Statistics %s, from the %s: got %+v, want %+v", when, end, got, want)
				}
			}
		}
		check("holding 3 of 5", anyio.StreamStatistics{CurrentBufferUsed: 3, MaxBufferSize: 5, OpenSendStreams: 1, OpenReceiveStreams: 1})
		tx.Close()
		check("after the sender closed", anyio.StreamStatistics{CurrentBufferUsed: 3, MaxBufferSize: 5, OpenReceiveStreams: 1})
		for i := range 3 {
			if item, err := rx.Receive(ctx); err != nil || item != i {
				return fmt.Errorf("Receive after the sender closed: got %d, %v, want %d, nil", item, err, i)
			}
		}
		check("after draining", anyio.StreamStatistics{MaxBufferSize: 5, OpenReceiveStreams: 1})
		rx.Close()
		check("after every handle closed", anyio.StreamStatistics{MaxBufferSize: 5})

		tx, rx = anyio.NewMemoryObjectStream[int](0)
		defer rx.Close()
		var recvErr error
		err := anyio.WithTaskGroup(ctx, func(ctx context.Context, tg *anyio.TaskGroup) error {
			tg.StartSoon(func(ctx context.Context) error {
				_, recvErr = rx.Receive(ctx)
				return nil
			})
			if err := confWaitUntil(ctx, "a receiver waits", func() bool { return rx.Statistics().TasksWaitingReceive == 1 }); err != nil {
				return err
			}
			return tx.Close()
		})
		if err != nil {
			return err
		}
		if !errors.Is(recvErr, anyio.ErrEndOfStream) {
			t.Errorf("Receive waiting while the sender closed: got %v, want ErrEndOfStream", recvErr)
		}
		if got, want := rx.Statistics(), (anyio.StreamStatistics{OpenReceiveStreams: 1}); got != want {
			t.Errorf("Statistics after the close woke the waiting receiver: got %+v, want %+v", got, want)
		}
		return nil
	})
}

// "Any other error (a cancellation, ErrClosedResource) is yielded once, with
// the zero item, as the last pair. Breaking out of the loop loses nothing":
// with ctx cancelled before the loop, All yields just that pair, however
// many items wait in the buffer, and they stay there.
func TestMemoryStreamAllWithCancelledCtxLosesNothing(t *testing.T) {
	confEachBackend(t, func(t *testing.T, ctx context.Context) error {
		tx, rx := anyio.NewMemoryObjectStream[string](5)
		defer confCloseAll(tx, rx)
		for _, s := range []string{"a", "b"} {
			if err := tx.SendNowait(s); err != nil {
				return err
			}
		}
		type pair struct {
			item string
			err  error
		}
		var got []pair
		s := anyio.NewCancelScope()
		if err := s.Run(ctx, func(ctx context.Context) error {
			s.Cancel()
			for item, err := range rx.All(ctx) {
				got = append(got, pair{item, err})
				if len(got) > 5 {
					break
				}
			}
			return nil
		}); err != nil {
			return err
		}
		if len(got) != 1 || got[0].item != "" || !errors.Is(got[0].err, context.Canceled) {
			t.Errorf("All with a cancelled ctx and two items buffered: got %v, want one pair {\"\" context.Canceled}", got)
		}
		for _, want := range []string{"a", "b"} {
			if item, err := rx.ReceiveNowait(); err != nil || item != want {
				t.Errorf("ReceiveNowait after the cancelled All: got %q, %v, want %q, nil (nothing lost)", item, err, want)
			}
		}
		return nil
	})
}

// --- TCP --------------------------------------------------------------------

// "LocalAddr, RemoteAddr and Addr return a *net.TCPAddr on every backend",
// also once the stream or listener is closed, and on a stream Serve hands a
// handler.
func TestAddrsAreTCPAddrsAlsoAfterClose(t *testing.T) {
	confEachBackend(t, func(t *testing.T, ctx context.Context) error {
		ln, port, err := confListen(ctx, "127.0.0.1")
		if err != nil {
			return err
		}
		defer ln.Close()
		checkAddr := func(what string, addr net.Addr, want string) {
			t.Helper()
			a, ok := addr.(*net.TCPAddr)
			switch {
			case !ok:
				t.Errorf("%s: got %T, want *net.TCPAddr", what, addr)
			case a == nil:
				t.Errorf("%s: got a nil *net.TCPAddr", what)
			case want != "" && a.String() != want:
				t.Errorf("%s: got %v, want %v", what, a, want)
			}
		}
		err = anyio.WithTaskGroup(ctx, func(ctx context.Context, tg *anyio.TaskGroup) error {
			tg.StartSoon(func(ctx context.Context) error {
				s, err := ln.Accept(ctx)
				if err != nil {
					return err
				}
				local, remote := s.LocalAddr().String(), s.RemoteAddr().String()
				s.Close()
				checkAddr("server LocalAddr() after Close", s.LocalAddr(), local)
				checkAddr("server RemoteAddr() after Close", s.RemoteAddr(), remote)
				return nil
			})
			c, err := anyio.ConnectTCP(ctx, "127.0.0.1", port)
			if err != nil {
				return err
			}
			local, remote := c.LocalAddr().String(), c.RemoteAddr().String()
			c.Close()
			checkAddr("client LocalAddr() after Close", c.LocalAddr(), local)
			checkAddr("client RemoteAddr() after Close", c.RemoteAddr(), remote)
			return nil
		})
		if err != nil {
			return err
		}

		scope, err := anyio.MoveOnAfter(ctx, confPrompt, func(ctx context.Context) error {
			return anyio.WithTaskGroup(ctx, func(ctx context.Context, tg *anyio.TaskGroup) error {
				tg.StartSoon(func(ctx context.Context) error {
					return ln.Serve(ctx, func(ctx context.Context, s *anyio.SocketStream) error {
						checkAddr("LocalAddr() of a served stream", s.LocalAddr(), ln.Addr().String())
						checkAddr("RemoteAddr() of a served stream", s.RemoteAddr(), "")
						tg.CancelScope().Cancel()
						return nil
					})
				})
				c, err := anyio.ConnectTCP(ctx, "127.0.0.1", port)
				if err != nil {
					return err
				}
				return c.Close()
			})
		})
		if err != nil || scope.CancelledCaught() {
			return fmt.Errorf("serving one connection: got %v (timed out %v)", err, scope.CancelledCaught())
		}

		before := ln.Addr().String()
		ln.Close()
		checkAddr("Addr() of a closed listener", ln.Addr(), before)
		return nil
	})
}

// ListenTCP: "port 0: any free port", a different one each time; and a port
// that a listener holds is not free ("ListenTCP on any address claims it")
// until that listener closes.
func TestListenTCPClaimsItsPort(t *testing.T) {
	confEachBackend(t, func(t *testing.T, ctx context.Context) error {
		ln1, p1, err := confListen(ctx, "127.0.0.1")
		if err != nil {
			return err
		}
		defer ln1.Close()
		ln2, p2, err := confListen(ctx, "127.0.0.1")
		if err != nil {
			return err
		}
		defer ln2.Close()
		if p1 == p2 {
			t.Errorf("two ListenTCP(127.0.0.1, 0) both got port %d, want two free ports", p1)
		}
		if dup, err := anyio.ListenTCP(ctx, "127.0.0.1", p1); err == nil {
			dup.Close()
			t.Errorf("ListenTCP(127.0.0.1, %d) while a listener holds it: got a listener, want an error", p1)
		} else if confIsCancellation(err) {
			t.Errorf("ListenTCP on a taken port: got the cancellation %v, want an error saying the port is in use", err)
		}
		ln1.Close()
		ln3, err := anyio.ListenTCP(ctx, "127.0.0.1", p1)
		if err != nil {
			return fmt.Errorf("ListenTCP(127.0.0.1, %d) after its listener closed: %w", p1, err)
		}
		defer ln3.Close()
		return anyio.WithTaskGroup(ctx, func(ctx context.Context, tg *anyio.TaskGroup) error {
			tg.StartSoon(func(ctx context.Context) error {
				s, err := ln3.Accept(ctx)
				if err != nil {
					return err
				}
				return s.Close()
			})
			c, err := anyio.ConnectTCP(ctx, "127.0.0.1", p1)
			if err != nil {
				return fmt.Errorf("ConnectTCP to the reclaimed port: %w", err)
			}
			return c.Close()
		})
	})
}

// "A use of a handle that was itself closed returns ErrClosedResource", for
// an Accept that was waiting when another task closed the listener.
func TestTCPListenerCloseDuringAccept(t *testing.T) {
	confEachBackend(t, func(t *testing.T, ctx context.Context) error {
		ln, _, err := confListen(ctx, "127.0.0.1")
		if err != nil {
			return err
		}
		var acceptErr error
		var accepting, done atomic.Bool
		err = anyio.WithTaskGroup(ctx, func(ctx context.Context, tg *anyio.TaskGroup) error {
			tg.StartSoon(func(ctx context.Context) error {
				accepting.Store(true)
				s, err := ln.Accept(ctx)
				if s != nil {
					s.Close()
				}
				acceptErr = err
				done.Store(true)
				return nil
			})
			if err := confWaitUntil(ctx, "the Accept waits", accepting.Load); err != nil {
				return err
			}
			if err := anyio.Sleep(ctx, confTick); err != nil {
				return err
			}
			ln.Close()
			return confWaitUntil(ctx, "the waiting Accept returned", done.Load)
		})
		if err != nil {
			return err
		}
		if !errors.Is(acceptErr, anyio.ErrClosedResource) {
			t.Errorf("Accept waiting while another task closed the listener: got %v, want ErrClosedResource", acceptErr)
		}
		return nil
	})
}

// Serve: "running each handler as a task of its own task group": a handler's
// error is that group's first error, so it cancels the group and Serve
// returns it, without waiting for ctx to be cancelled.
func TestTCPListenerServeReturnsHandlerError(t *testing.T) {
	confEachBackend(t, func(t *testing.T, ctx context.Context) error {
		ln, port, err := confListen(ctx, "127.0.0.1")
		if err != nil {
			return err
		}
		defer ln.Close()
		var serveErr error
		var served atomic.Bool
		scope, err := anyio.MoveOnAfter(ctx, confPrompt, func(ctx context.Context) error {
			return anyio.WithTaskGroup(ctx, func(ctx context.Context, tg *anyio.TaskGroup) error {
				tg.StartSoon(func(ctx context.Context) error {
					serveErr = ln.Serve(ctx, func(ctx context.Context, s *anyio.SocketStream) error {
						return errConfBoom
					})
					served.Store(true)
					return nil
				})
				c, err := anyio.ConnectTCP(ctx, "127.0.0.1", port)
				if err != nil {
					return err
				}
				defer c.Close()
				if data, err := c.Receive(ctx, 10); !errors.Is(err, anyio.ErrEndOfStream) && !errors.Is(err, anyio.ErrBrokenResource) {
					t.Errorf("Receive from a client whose handler failed: got %q, %v, want ErrEndOfStream (Serve closed the stream)", data, err)
				}
				return nil
			})
		})
		if err != nil {
			return err
		}
		if scope.CancelledCaught() || !served.Load() {
			t.Errorf("Serve whose handler failed was still serving after %v; want it to return the handler's error", confPrompt)
		}
		if !errors.Is(serveErr, errConfBoom) {
			t.Errorf("Serve whose handler returned %v: got %v, want that error", errConfBoom, serveErr)
		}
		return nil
	})
}

// Serve: "Once ctx is cancelled it returns that cancellation": after a
// deadline, one that matches context.DeadlineExceeded, which the scope of the
// deadline catches.
func TestTCPListenerServeReturnsItsDeadline(t *testing.T) {
	confEachBackend(t, func(t *testing.T, ctx context.Context) error {
		ln, _, err := confListen(ctx, "127.0.0.1")
		if err != nil {
			return err
		}
		defer ln.Close()
		var serveErr error
		scope, err := anyio.MoveOnAfter(ctx, 2*confTick, func(ctx context.Context) error {
			serveErr = ln.Serve(ctx, func(ctx context.Context, s *anyio.SocketStream) error { return nil })
			return serveErr
		})
		if !errors.Is(serveErr, context.DeadlineExceeded) {
			t.Errorf("Serve past its ctx's deadline: got %v, want context.DeadlineExceeded", serveErr)
		}
		if err != nil || !scope.CancelledCaught() {
			t.Errorf("MoveOnAfter around Serve: got %v (CancelledCaught %v), want nil (true)", err, scope.CancelledCaught())
		}
		return nil
	})
}

// Serve "accepts until ctx is cancelled"; a listener closed under it is "a
// handle that was itself closed": Serve then returns ErrClosedResource
// rather than serving on or returning nil.
func TestTCPListenerServeOnClosedListener(t *testing.T) {
	confEachBackend(t, func(t *testing.T, ctx context.Context) error {
		ln, _, err := confListen(ctx, "127.0.0.1")
		if err != nil {
			return err
		}
		var serveErr error
		var serving, done atomic.Bool
		err = anyio.WithTaskGroup(ctx, func(ctx context.Context, tg *anyio.TaskGroup) error {
			tg.StartSoon(func(ctx context.Context) error {
				serving.Store(true)
				serveErr = ln.Serve(ctx, func(ctx context.Context, s *anyio.SocketStream) error { return nil })
				done.Store(true)
				return nil
			})
			if err := confWaitUntil(ctx, "Serve runs", serving.Load); err != nil {
				return err
			}
			if err := anyio.Sleep(ctx, confTick); err != nil {
				return err
			}
			ln.Close()
			return confWaitUntil(ctx, "Serve returned after its listener closed", done.Load)
		})
		if err != nil {
			return err
		}
		if !errors.Is(serveErr, anyio.ErrClosedResource) {
			t.Errorf("Serve whose listener another task closed: got %v, want ErrClosedResource", serveErr)
		}
		return nil
	})
}

// ConnectTCP to a port outside 0 to 65535 is an error and connects nowhere:
// ListenTCP refuses such ports, and AnyIO's connect_tcp raises for them
// ("Where a behaviour is not written here, do what Python's AnyIO does");
// above all it must not connect to the port modulo 65536.
func TestConnectTCPInvalidPort(t *testing.T) {
	confEachBackend(t, func(t *testing.T, ctx context.Context) error {
		ln, port, err := confListen(ctx, "127.0.0.1")
		if err != nil {
			return err
		}
		defer ln.Close()
		for _, bad := range []int{port + 65536, -65536 + port, -1} {
			c, err := anyio.ConnectTCP(ctx, "127.0.0.1", bad)
			if err == nil {
				t.Errorf("ConnectTCP(127.0.0.1, %d): connected to %v, want an error (invalid port)", bad, c.RemoteAddr())
				c.Close()
			} else if confIsCancellation(err) {
				t.Errorf("ConnectTCP(127.0.0.1, %d): got the cancellation %v, want an invalid-port error", bad, err)
			}
		}
		// Whatever got through is waiting on the listener: there must be none.
		scope, err := anyio.MoveOnAfter(ctx, 3*confTick, func(ctx context.Context) error {
			s, err := ln.Accept(ctx)
			if err == nil {
				t.Errorf("ConnectTCP to an invalid port reached the listener on port %d (from %v)", port, s.RemoteAddr())
				s.Close()
			}
			return err
		})
		if err != nil && !scope.CancelledCaught() {
			return err
		}
		return nil
	})
}

// confTLSConfigs makes a self-signed certificate for 127.0.0.1 and
// localhost and returns a server config holding it and a client config
// trusting it. The key is Ed25519's, whose signatures have one length: the
// handshake's bytes on the wire, and so a simulated run, are the same each
// time a seed runs.
func confTLSConfigs() (server, client *tls.Config, err error) {
	pub, key, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "anyio conformance"},
		NotBefore:             time.Date(1999, 1, 1, 0, 0, 0, 0, time.UTC), // before the simulator's clock, which a bubble's time.Now shares
		NotAfter:              time.Now().Add(time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1)},
		DNSNames:              []string{"localhost"},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, pub, key)
	if err != nil {
		return nil, nil, err
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, nil, err
	}
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	server = &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key, Leaf: cert}}, MinVersion: tls.VersionTLS12}
	client = &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
	return server, client, nil
}

// confStreamConn is a net.Conn over a SocketStream, for a TLS server that
// runs inside a task: it waits only through the API.
type confStreamConn struct {
	ctx context.Context
	s   *anyio.SocketStream
}

func (c *confStreamConn) Read(p []byte) (int, error) {
	data, err := c.s.Receive(c.ctx, len(p))
	if errors.Is(err, anyio.ErrEndOfStream) {
		return 0, io.EOF
	}
	return copy(p, data), err
}

func (c *confStreamConn) Write(p []byte) (int, error) {
	if err := c.s.Send(c.ctx, p); err != nil {
		return 0, err
	}
	return len(p), nil
}

func (c *confStreamConn) Close() error                     { return c.s.Close() }
func (c *confStreamConn) LocalAddr() net.Addr              { return c.s.LocalAddr() }
func (c *confStreamConn) RemoteAddr() net.Addr             { return c.s.RemoteAddr() }
func (c *confStreamConn) SetDeadline(time.Time) error      { return nil }
func (c *confStreamConn) SetReadDeadline(time.Time) error  { return nil }
func (c *confStreamConn) SetWriteDeadline(time.Time) error { return nil }

// "TLS(cfg *tls.Config) ConnectOption": ConnectTCP with TLS hands back a
// SocketStream that speaks TLS to the server, on every backend (the option is
// part of the portable API, with no backend excepted), with *net.TCPAddr
// addresses.
func TestConnectTCPWithTLS(t *testing.T) {
	serverCfg, clientCfg, err := confTLSConfigs()
	if err != nil {
		t.Fatalf("making a certificate: %v", err)
	}
	confEachBackend(t, func(t *testing.T, ctx context.Context) error {
		ln, port, err := confListen(ctx, "127.0.0.1")
		if err != nil {
			return err
		}
		defer ln.Close()
		return anyio.WithTaskGroup(ctx, func(ctx context.Context, tg *anyio.TaskGroup) error {
			tg.StartSoon(func(ctx context.Context) error {
				s, err := ln.Accept(ctx)
				if err != nil {
					return err
				}
				defer s.Close()
				tc := tls.Server(&confStreamConn{ctx: ctx, s: s}, serverCfg)
				if err := tc.Handshake(); err != nil {
					if confIsCancellation(err) {
						return err
					}
					return fmt.Errorf("server TLS handshake: %w", err)
				}
				buf := make([]byte, 4)
				if _, err := io.ReadFull(tc, buf); err != nil {
					return fmt.Errorf("server TLS read: %w", err)
				}
				_, err = tc.Write(append([]byte("pong:"), buf...))
				return err
			})
			c, err := anyio.ConnectTCP(ctx, "127.0.0.1", port, anyio.TLS(clientCfg))
			if err != nil {
				return fmt.Errorf("ConnectTCP with TLS: %w", err)
			}
			defer c.Close()
			if remote, err := confTCPAddr("RemoteAddr() of a TLS stream", c.RemoteAddr()); err != nil {
				t.Error(err)
			} else if remote.Port != port {
				t.Errorf("RemoteAddr() of a TLS stream: got %v, want port %d", remote, port)
			}
			if _, err := confTCPAddr("LocalAddr() of a TLS stream", c.LocalAddr()); err != nil {
				t.Error(err)
			}
			if err := c.Send(ctx, []byte("ping")); err != nil {
				return fmt.Errorf("Send over TLS: %w", err)
			}
			var got []byte
			for len(got) < len("pong:ping") {
				data, err := c.Receive(ctx, 64)
				if err != nil {
					return fmt.Errorf("Receive over TLS after %q: %w", got, err)
				}
				got = append(got, data...)
			}
			if string(got) != "pong:ping" {
				t.Errorf("reply over TLS: got %q, want %q", got, "pong:ping")
			}
			return nil
		})
	})
}

// --- The simulated network (sim backend) ------------------------------------
//
// These use no sim-only name (SimNetwork, Network, Seed, BackendSim): the
// suite is also emitted into -backends std packages, where those names do
// not exist. So they check what the default network of any backend other
// than std shows: no latency, no black holes, localhost only. Latency,
// black holes and AddHost's order are for tests that can name them.

// "Network(n *SimNetwork) RunOption // sim: the simulated network (default:
// an empty one with localhost)" and "Name resolution on sim takes no virtual
// time": on the default network a name other than localhost does not
// resolve, at once, and connecting by name takes exactly as long as by
// address. Only a backend other than std has a default network to check.
func TestSimDefaultNetworkKnowsOnlyLocalhost(t *testing.T) {
	confEachBackend(t, func(t *testing.T, ctx context.Context) error {
		if anyio.CurrentBackend(ctx) == anyio.BackendStd {
			return confSkip("std uses the system resolver")
		}
		ln, port, err := confListen(ctx, "::1")
		if err != nil {
			return err
		}
		defer ln.Close()

		start := anyio.Now(ctx)
		c, err := anyio.ConnectTCP(ctx, "no-such-host.example", port)
		elapsed := anyio.Now(ctx).Sub(start)
		if err == nil {
			c.Close()
			t.Errorf("ConnectTCP to a name the default sim network does not know: connected to %v, want an error", c.RemoteAddr())
		} else if confIsCancellation(err) {
			t.Errorf("ConnectTCP to an unknown name: got the cancellation %v, want a resolution error", err)
		}
		if elapsed != 0 {
			t.Errorf("ConnectTCP to an unknown name failed after %v of virtual time, want 0 (name resolution takes no virtual time)", elapsed)
		}

		byAddr, err := confTimedConnect(ctx, ln, "::1", port)
		if err != nil {
			return err
		}
		byName, err := confTimedConnect(ctx, ln, "localhost", port)
		if err != nil {
			return err
		}
		if byName != byAddr {
			t.Errorf("ConnectTCP(localhost) took %v of virtual time, ConnectTCP(::1) %v: want the same (name resolution takes no virtual time)", byName, byAddr)
		}
		return nil
	})
}

// confTimedConnect connects to host:port, where ln accepts, checks that the
// stream reaches ln's address, and returns how long ConnectTCP took on ctx's
// clock.
func confTimedConnect(ctx context.Context, ln *anyio.TCPListener, host string, port int) (time.Duration, error) {
	var took time.Duration
	err := anyio.WithTaskGroup(ctx, func(ctx context.Context, tg *anyio.TaskGroup) error {
		tg.StartSoon(func(ctx context.Context) error {
			s, err := ln.Accept(ctx)
			if err != nil {
				return err
			}
			return s.Close()
		})
		start := anyio.Now(ctx)
		c, err := anyio.ConnectTCP(ctx, host, port, anyio.HappyEyeballsDelay(confForever))
		took = anyio.Now(ctx).Sub(start)
		if err != nil {
			return fmt.Errorf("ConnectTCP(%q, %d): %w", host, port, err)
		}
		defer c.Close()
		if c.RemoteAddr().String() != ln.Addr().String() {
			return fmt.Errorf("ConnectTCP(%q, %d): RemoteAddr() %v, want the listener's %v", host, port, c.RemoteAddr(), ln.Addr())
		}
		return nil
	})
	return took, err
}

// "On sim, ListenTCP on any address claims it on the simulated network" (and
// "port 0: any free port" there too): an address no host has is listenable,
// reachable, and taken until the listener closes.
func TestSimListenTCPClaimsAnyAddress(t *testing.T) {
	confEachBackend(t, func(t *testing.T, ctx context.Context) error {
		if anyio.CurrentBackend(ctx) == anyio.BackendStd {
			return confSkip("std can only listen on the machine's own addresses")
		}
		const host, port = "192.0.2.10", 8080
		ln, err := anyio.ListenTCP(ctx, host, port)
		if err != nil {
			return fmt.Errorf("ListenTCP(%s, %d) on a simulated network: %w", host, port, err)
		}
		defer ln.Close()
		addr, err := confTCPAddr("Addr()", ln.Addr())
		if err != nil {
			return err
		}
		if addr.String() != "192.0.2.10:8080" {
			t.Errorf("Addr() of ListenTCP(%s, %d): got %v", host, port, addr)
		}
		if dup, err := anyio.ListenTCP(ctx, host, port); err == nil {
			dup.Close()
			t.Errorf("a second ListenTCP(%s, %d): got a listener, want an error (the address is claimed)", host, port)
		}
		any0, err := anyio.ListenTCP(ctx, host, 0)
		if err != nil {
			return fmt.Errorf("ListenTCP(%s, 0): %w", host, err)
		}
		defer any0.Close()
		if a, err := confTCPAddr("Addr() of port 0", any0.Addr()); err != nil {
			return err
		} else if a.Port == 0 || a.Port == port || a.IP.String() != host {
			t.Errorf("Addr() of ListenTCP(%s, 0): got %v, want %s and a free port", host, a, host)
		}

		err = anyio.WithTaskGroup(ctx, func(ctx context.Context, tg *anyio.TaskGroup) error {
			tg.StartSoon(func(ctx context.Context) error {
				s, err := ln.Accept(ctx)
				if err != nil {
					return err
				}
				defer s.Close()
				return confEcho(ctx, s)
			})
			c, err := anyio.ConnectTCP(ctx, host, port)
			if err != nil {
				return fmt.Errorf("ConnectTCP(%s, %d): %w", host, port, err)
			}
			defer c.Close()
			if c.RemoteAddr().String() != "192.0.2.10:8080" {
				t.Errorf("RemoteAddr(): got %v, want 192.0.2.10:8080", c.RemoteAddr())
			}
			got, err := confRoundTrip(ctx, c, []byte("claimed"))
			if err != nil || string(got) != "claimed" {
				return fmt.Errorf("echo through the claimed address: got %q, %v", got, err)
			}
			return nil
		})
		if err != nil {
			return err
		}
		if err := ln.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
		again, err := anyio.ListenTCP(ctx, host, port)
		if err != nil {
			t.Errorf("ListenTCP(%s, %d) after the listener there closed: %v, want the address free again", host, port, err)
		} else {
			again.Close()
		}
		return nil
	})
}

// "A connect to an address with no listener is refused after one round
// trip": exactly as long, on the virtual clock, as a connect that succeeds
// (one round trip too), whatever the latency of the default network.
func TestSimRefusedAfterOneRoundTrip(t *testing.T) {
	confEachBackend(t, func(t *testing.T, ctx context.Context) error {
		if anyio.CurrentBackend(ctx) == anyio.BackendStd {
			return confSkip("timings on the wall clock are not exact")
		}
		ln, port, err := confListen(ctx, "127.0.0.1")
		if err != nil {
			return err
		}
		defer ln.Close()
		roundTrip, err := confTimedConnect(ctx, ln, "127.0.0.1", port)
		if err != nil {
			return err
		}
		free, err := confFreePort(ctx, "127.0.0.1")
		if err != nil {
			return err
		}
		start := anyio.Now(ctx)
		c, err := anyio.ConnectTCP(ctx, "127.0.0.1", free)
		refusedAfter := anyio.Now(ctx).Sub(start)
		if err == nil {
			c.Close()
			return fmt.Errorf("ConnectTCP to a port with no listener: connected")
		}
		if refusedAfter != roundTrip {
			t.Errorf("ConnectTCP to a port with no listener was refused after %v, want one round trip, %v (as long as a connect that succeeds)", refusedAfter, roundTrip)
		}
		return nil
	})
}

// "Errors that are only the group's own cancellation are not reported": a
// nested MoveOnAfter whose deadline fires as the group is cancelled cannot
// catch (the group is cancelled too), and what it lets through is still
// only a cancellation.
func TestTaskGroupNestedTimeoutDuringGroupCancelIsNotReported(t *testing.T) {
	confEachBackend(t, func(t *testing.T, ctx context.Context) error {
		err := anyio.WithTaskGroup(ctx, func(ctx context.Context, tg *anyio.TaskGroup) error {
			tg.StartSoon(func(ctx context.Context) error {
				_, err := anyio.MoveOnAfter(ctx, confTick, func(ctx context.Context) error {
					return anyio.Sleep(ctx, confForever)
				})
				return err
			})
			tg.StartSoon(func(ctx context.Context) error {
				if err := anyio.Sleep(ctx, confTick); err != nil {
					return err
				}
				tg.CancelScope().Cancel()
				return nil
			})
			return nil
		})
		if err != nil {
			t.Errorf("group cancelled by its own scope while a nested timeout fired: got %v, want nil", err)
		}
		return nil
	})
}

// "CancelCalled: Cancel was called or the deadline passed" — also when
// nothing waited on the scope's context, and it stays true: after Run, after
// SetDeadline moves the deadline later, and a later Cancel does not turn the
// deadline's error into context.Canceled.
func TestCancelScopeDeadlineThatPassedUnwatchedCounts(t *testing.T) {
	steps := []struct {
		name  string
		after func(s *anyio.CancelScope, now time.Time)
	}{
		{"then nothing", func(*anyio.CancelScope, time.Time) {}},
		{"then SetDeadline later", func(s *anyio.CancelScope, now time.Time) { s.SetDeadline(now.Add(confForever)) }},
		{"then Cancel", func(s *anyio.CancelScope, _ time.Time) { s.Cancel() }},
	}
	for _, step := range steps {
		t.Run(step.name, func(t *testing.T) {
			confEachBackend(t, func(t *testing.T, outer context.Context) error {
				s := anyio.NewCancelScope(anyio.Deadline(anyio.Now(outer).Add(confTick)))
				var bodyErr error
				err := s.Run(outer, func(ctx context.Context) error {
					// Block on the outer context only: nothing waits on ctx.
					if err := anyio.Sleep(outer, 2*confTick); err != nil {
						return err
					}
					step.after(s, anyio.Now(outer))
					if !s.CancelCalled() {
						t.Errorf("CancelCalled after the deadline passed: got false, want true")
					}
					bodyErr = ctx.Err()
					return nil
				})
				if err != nil {
					return err
				}
				if !errors.Is(bodyErr, context.DeadlineExceeded) {
					t.Errorf("the body's ctx.Err() after its deadline passed: got %v, want context.DeadlineExceeded", bodyErr)
				}
				if !s.CancelCalled() {
					t.Errorf("CancelCalled after Run: got false, want true")
				}
				return nil
			})
		})
	}
}

// "Start ... returns the value given to Started as soon as it is called":
// a cancellation of the caller that comes after Started does not take the
// value away, nor reach the started task.
func TestTaskGroupStartCallerCancelledAfterStarted(t *testing.T) {
	confEachBackend(t, func(t *testing.T, ctx context.Context) error {
		var taskErr error // read once the group has waited for the task
		err := anyio.WithTaskGroup(ctx, func(ctx context.Context, tg *anyio.TaskGroup) error {
			caller := anyio.NewCancelScope()
			return caller.Run(ctx, func(cctx context.Context) error {
				v, err := tg.Start(cctx, func(ctx context.Context, status *anyio.TaskStatus) error {
					status.Started(7)
					caller.Cancel() // after Started: not the task's business
					taskErr = anyio.Sleep(ctx, confTick)
					return nil
				})
				if v != 7 || err != nil {
					t.Errorf("Start whose caller was cancelled after Started: got %v, %v; want 7, nil", v, err)
				}
				return anyio.Checkpoint(cctx)
			})
		})
		if err != nil {
			return err
		}
		if taskErr != nil {
			t.Errorf("the started task's Sleep after its caller was cancelled: got %v, want nil", taskErr)
		}
		return nil
	})
}

// "Sleep ... ctx's error if cancelled first", when ctx is a plain
// context.WithCancel cancelled by a task that then keeps running: the
// cancellation reaches the sleeper while the canceller is still busy.
func TestSleepOnForeignContextCancelledByABusyTask(t *testing.T) {
	confEachBackend(t, func(t *testing.T, ctx context.Context) error {
		cctx, cancel := context.WithCancel(ctx)
		defer cancel()
		var entered, done atomic.Bool
		return anyio.WithTaskGroup(ctx, func(ctx context.Context, tg *anyio.TaskGroup) error {
			tg.StartSoon(func(context.Context) error {
				defer done.Store(true)
				entered.Store(true)
				if err := anyio.Sleep(cctx, confForever); !errors.Is(err, context.Canceled) {
					return fmt.Errorf("Sleep on a cancelled context.WithCancel: got %v, want context.Canceled", err)
				}
				return nil
			})
			// Cancel only once the sleeper is asleep (on sim it parks in
			// the same turn in which it sets entered).
			if err := confWaitUntil(ctx, "the sleeper to start", entered.Load); err != nil {
				return err
			}
			if err := anyio.Sleep(ctx, confTick); err != nil {
				return err
			}
			cancel()
			for i := 0; !done.Load(); i++ {
				if i == 1_000_000 {
					return fmt.Errorf("the sleeper was still asleep after a million checkpoints")
				}
				if err := anyio.Checkpoint(ctx); err != nil {
					return err
				}
			}
			return nil
		})
	})
}
