package conformance

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	anyio "github.com/anyiogen/anyiogen/generated/anyio"
)

// confStreamSizes are the buffer sizes every stream behaviour is checked with.
var confStreamSizes = []int{0, 1, 5, anyio.Unbounded}

func confSizeName(size int) string {
	if size == anyio.Unbounded {
		return "unbounded"
	}
	return fmt.Sprintf("size %d", size)
}

// confCloseAll closes every handle; streams in tests are closed on every path.
func confCloseAll(closers ...interface{ Close() error }) {
	for _, c := range closers {
		c.Close()
	}
}

// "Negative sizes other than Unbounded panic."
func TestMemoryStreamNegativeSizePanics(t *testing.T) {
	for _, size := range []int{-2, -100} {
		r := func() (r any) {
			defer func() { r = recover() }()
			tx, rx := anyio.NewMemoryObjectStream[int](size)
			confCloseAll(tx, rx)
			return nil
		}()
		if r == nil {
			t.Errorf("NewMemoryObjectStream(%d): returned, want a panic", size)
		}
	}
	tx, rx := anyio.NewMemoryObjectStream[int](anyio.Unbounded)
	confCloseAll(tx, rx)
}

// Items come out in the order they went in, for every buffer size.
func TestMemoryStreamDeliversInOrder(t *testing.T) {
	for _, size := range confStreamSizes {
		t.Run(confSizeName(size), func(t *testing.T) {
			confEachBackend(t, func(t *testing.T, ctx context.Context) error {
				tx, rx := anyio.NewMemoryObjectStream[int](size)
				defer confCloseAll(tx, rx)
				var got []int
				err := anyio.WithTaskGroup(ctx, func(ctx context.Context, tg *anyio.TaskGroup) error {
					tg.StartSoon(func(ctx context.Context) error {
						for range 20 {
							item, err := rx.Receive(ctx)
							if err != nil {
								return fmt.Errorf("Receive: %w", err)
							}
							got = append(got, item)
						}
						return nil
					})
					for i := range 20 {
						if err := tx.Send(ctx, i); err != nil {
							return fmt.Errorf("Send(%d): %w", i, err)
						}
					}
					return nil
				})
				if err != nil {
					return err
				}
				if want := confRange(20); !slices.Equal(got, want) {
					t.Errorf("received: got %v, want %v", got, want)
				}
				return nil
			})
		})
	}
}

// confOnlyCancellation returns err if it is a cancellation, for a scope to
// catch, and nil otherwise, for the caller to look at.
func confOnlyCancellation(err error) error {
	if confIsCancellation(err) {
		return err
	}
	return nil
}

func confRange(n int) []int {
	s := make([]int, n)
	for i := range s {
		s[i] = i
	}
	return s
}

// "Buffer 0 is a rendezvous: Send returns once a receiver has the item."
func TestMemoryStreamRendezvous(t *testing.T) {
	confEachBackend(t, func(t *testing.T, ctx context.Context) error {
		tx, rx := anyio.NewMemoryObjectStream[string](0)
		defer confCloseAll(tx, rx)
		if err := tx.SendNowait("nobody waits"); !errors.Is(err, anyio.ErrWouldBlock) {
			t.Errorf("SendNowait on a rendezvous stream with no receiver waiting: got %v, want ErrWouldBlock", err)
		}
		if item, err := rx.ReceiveNowait(); !errors.Is(err, anyio.ErrWouldBlock) {
			t.Errorf("ReceiveNowait on an empty stream whose sender is open: got %q, %v, want ErrWouldBlock", item, err)
		}
		// Timed from before the receiver starts waiting: Send can only
		// return once Receive has taken the item, after that wait.
		var sendTook time.Duration
		start := anyio.Now(ctx)
		err := anyio.WithTaskGroup(ctx, func(ctx context.Context, tg *anyio.TaskGroup) error {
			tg.StartSoon(func(ctx context.Context) error {
				if err := tx.Send(ctx, "hello"); err != nil {
					return fmt.Errorf("Send: %w", err)
				}
				sendTook = anyio.Now(ctx).Sub(start)
				return nil
			})
			if err := anyio.Sleep(ctx, 3*confTick); err != nil {
				return err
			}
			item, err := rx.Receive(ctx)
			if err != nil || item != "hello" {
				return fmt.Errorf("Receive: got %q, %v, want hello, nil", item, err)
			}
			return nil
		})
		if err != nil {
			return err
		}
		return confCheckElapsed("rendezvous Send", sendTook, 3*confTick)
	})
}

// A waiting receiver takes a SendNowait, and a waiting sender feeds a
// ReceiveNowait, even on a rendezvous stream (AnyIO
// test_receive_then_send_nowait, test_send_then_receive_nowait).
func TestMemoryStreamNowaitMeetsWaitingTask(t *testing.T) {
	confEachBackend(t, func(t *testing.T, ctx context.Context) error {
		tx, rx := anyio.NewMemoryObjectStream[string](0)
		defer confCloseAll(tx, rx)
		var mu sync.Mutex
		var got []string
		err := anyio.WithTaskGroup(ctx, func(ctx context.Context, tg *anyio.TaskGroup) error {
			for range 2 {
				tg.StartSoon(func(ctx context.Context) error {
					item, err := rx.Receive(ctx)
					if err != nil {
						return fmt.Errorf("Receive: %w", err)
					}
					mu.Lock()
					got = append(got, item)
					mu.Unlock()
					return nil
				})
			}
			if err := confWaitUntil(ctx, "two receivers wait", func() bool { return rx.Statistics().TasksWaitingReceive == 2 }); err != nil {
				return err
			}
			for _, s := range []string{"hello", "world"} {
				if err := tx.SendNowait(s); err != nil {
					return fmt.Errorf("SendNowait(%q) with a receiver waiting: %w", s, err)
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
		slices.Sort(got)
		if !slices.Equal(got, []string{"hello", "world"}) {
			t.Errorf("received by two waiting receivers: got %q, want [hello world]", got)
		}

		err = anyio.WithTaskGroup(ctx, func(ctx context.Context, tg *anyio.TaskGroup) error {
			tg.StartSoon(func(ctx context.Context) error { return tx.Send(ctx, "waiting") })
			if err := confWaitUntil(ctx, "a sender waits", func() bool { return tx.Statistics().TasksWaitingSend == 1 }); err != nil {
				return err
			}
			if item, err := rx.ReceiveNowait(); err != nil || item != "waiting" {
				return fmt.Errorf("ReceiveNowait with a sender waiting: got %q, %v, want waiting, nil", item, err)
			}
			return nil
		})
		return err
	})
}

// A buffer of n takes n items without a receiver; the next would block.
func TestMemoryStreamBuffered(t *testing.T) {
	confEachBackend(t, func(t *testing.T, ctx context.Context) error {
		tx, rx := anyio.NewMemoryObjectStream[int](2)
		defer confCloseAll(tx, rx)
		for i := range 2 {
			if err := tx.SendNowait(i); err != nil {
				t.Errorf("SendNowait(%d) into a buffer of 2: got %v, want nil", i, err)
			}
		}
		if err := tx.SendNowait(2); !errors.Is(err, anyio.ErrWouldBlock) {
			t.Errorf("SendNowait into a full buffer: got %v, want ErrWouldBlock", err)
		}
		// Send blocks on a full buffer until its ctx gives up.
		scope, err := anyio.MoveOnAfter(ctx, confTick, func(ctx context.Context) error { return tx.Send(ctx, 2) })
		if err != nil || !scope.CancelledCaught() {
			t.Errorf("Send into a full buffer under MoveOnAfter: got %v (CancelledCaught %v), want nil (true)", err, scope.CancelledCaught())
		}
		for i := range 2 {
			if item, err := rx.ReceiveNowait(); err != nil || item != i {
				t.Errorf("ReceiveNowait: got %d, %v, want %d, nil", item, err, i)
			}
		}
		if item, err := rx.ReceiveNowait(); !errors.Is(err, anyio.ErrWouldBlock) {
			t.Errorf("ReceiveNowait after the buffer was drained: got %d, %v, want ErrWouldBlock (the timed-out Send must not have delivered)", item, err)
		}
		return nil
	})
}

func TestMemoryStreamUnbounded(t *testing.T) {
	confEachBackend(t, func(t *testing.T, ctx context.Context) error {
		tx, rx := anyio.NewMemoryObjectStream[int](anyio.Unbounded)
		defer confCloseAll(tx, rx)
		const n = 1000
		for i := range n {
			if err := tx.SendNowait(i); err != nil {
				return fmt.Errorf("SendNowait(%d) into an unbounded stream: %w", i, err)
			}
		}
		st := rx.Statistics()
		if st.MaxBufferSize != anyio.Unbounded || st.CurrentBufferUsed != n {
			t.Errorf("Statistics of an unbounded stream holding %d: MaxBufferSize %d, CurrentBufferUsed %d, want %d, %d", n, st.MaxBufferSize, st.CurrentBufferUsed, anyio.Unbounded, n)
		}
		for i := range n {
			item, err := rx.Receive(ctx)
			if err != nil || item != i {
				return fmt.Errorf("Receive: got %d, %v, want %d, nil", item, err, i)
			}
		}
		return nil
	})
}

// "Receive returns ErrEndOfStream once every send clone is closed and the
// buffer is drained; items sent before the close are still delivered."
func TestMemoryStreamEndOfStream(t *testing.T) {
	t.Run("after the buffer drains", func(t *testing.T) {
		confEachBackend(t, func(t *testing.T, ctx context.Context) error {
			tx, rx := anyio.NewMemoryObjectStream[string](5)
			defer rx.Close()
			tx2, err := tx.Clone()
			if err != nil {
				return fmt.Errorf("Clone: %w", err)
			}
			for _, s := range []string{"a", "b"} {
				if err := tx.Send(ctx, s); err != nil {
					return fmt.Errorf("Send(%q): %w", s, err)
				}
			}
			tx.Close()
			if err := tx2.Send(ctx, "c"); err != nil {
				return fmt.Errorf("Send(c) through a clone after the original was closed: %w", err)
			}
			tx2.Close()
			for _, want := range []string{"a", "b", "c"} {
				if item, err := rx.Receive(ctx); err != nil || item != want {
					t.Errorf("Receive after every sender closed: got %q, %v, want %q, nil (items sent before the close are delivered)", item, err, want)
				}
			}
			for range 2 {
				if item, err := rx.Receive(ctx); !errors.Is(err, anyio.ErrEndOfStream) {
					t.Errorf("Receive after every sender closed: got %q, %v, want ErrEndOfStream", item, err)
				}
			}
			if item, err := rx.ReceiveNowait(); !errors.Is(err, anyio.ErrEndOfStream) {
				t.Errorf("ReceiveNowait after every sender closed: got %q, %v, want ErrEndOfStream", item, err)
			}
			return nil
		})
	})
	t.Run("only when the last clone closes", func(t *testing.T) {
		confEachBackend(t, func(t *testing.T, ctx context.Context) error {
			tx, rx := anyio.NewMemoryObjectStream[int](0)
			defer rx.Close()
			tx2, err := tx.Clone()
			if err != nil {
				return fmt.Errorf("Clone: %w", err)
			}
			tx.Close()
			if _, err := rx.ReceiveNowait(); !errors.Is(err, anyio.ErrWouldBlock) {
				t.Errorf("ReceiveNowait with one send clone still open: got %v, want ErrWouldBlock", err)
			}
			tx2.Close()
			if _, err := rx.ReceiveNowait(); !errors.Is(err, anyio.ErrEndOfStream) {
				t.Errorf("ReceiveNowait after the last send clone closed: got %v, want ErrEndOfStream", err)
			}
			return nil
		})
	})
	t.Run("wakes a waiting receiver", func(t *testing.T) {
		confEachBackend(t, func(t *testing.T, ctx context.Context) error {
			tx, rx := anyio.NewMemoryObjectStream[int](1)
			defer rx.Close()
			var recvErr error
			err := anyio.WithTaskGroup(ctx, func(ctx context.Context, tg *anyio.TaskGroup) error {
				tg.StartSoon(func(ctx context.Context) error {
					_, recvErr = rx.Receive(ctx)
					return nil
				})
				if err := confWaitUntil(ctx, "the receiver waits", func() bool { return rx.Statistics().TasksWaitingReceive == 1 }); err != nil {
					return err
				}
				return tx.Close()
			})
			if err != nil {
				return err
			}
			if !errors.Is(recvErr, anyio.ErrEndOfStream) {
				t.Errorf("Receive waiting while the last sender closed: got %v, want ErrEndOfStream", recvErr)
			}
			return nil
		})
	})
}

// "Send returns ErrBrokenResource once every receive clone is closed."
func TestMemoryStreamBrokenResource(t *testing.T) {
	t.Run("send after the receivers closed", func(t *testing.T) {
		for _, size := range confStreamSizes {
			t.Run(confSizeName(size), func(t *testing.T) {
				confEachBackend(t, func(t *testing.T, ctx context.Context) error {
					tx, rx := anyio.NewMemoryObjectStream[int](size)
					defer tx.Close()
					rx2, err := rx.Clone()
					if err != nil {
						return fmt.Errorf("Clone: %w", err)
					}
					rx.Close()
					if err := tx.SendNowait(1); err != nil && !errors.Is(err, anyio.ErrWouldBlock) {
						t.Errorf("SendNowait with one receive clone still open: got %v, want nil or ErrWouldBlock", err)
					}
					rx2.Close()
					if err := tx.Send(ctx, 2); !errors.Is(err, anyio.ErrBrokenResource) {
						t.Errorf("Send after every receive clone closed: got %v, want ErrBrokenResource", err)
					}
					if err := tx.SendNowait(3); !errors.Is(err, anyio.ErrBrokenResource) {
						t.Errorf("SendNowait after every receive clone closed: got %v, want ErrBrokenResource", err)
					}
					return nil
				})
			})
		}
	})
	t.Run("wakes a waiting sender", func(t *testing.T) {
		confEachBackend(t, func(t *testing.T, ctx context.Context) error {
			tx, rx := anyio.NewMemoryObjectStream[*int](0)
			defer tx.Close()
			var sendErr error
			err := anyio.WithTaskGroup(ctx, func(ctx context.Context, tg *anyio.TaskGroup) error {
				tg.StartSoon(func(ctx context.Context) error {
					sendErr = tx.Send(ctx, nil) // a zero item, AnyIO #731
					return nil
				})
				if err := confWaitUntil(ctx, "the sender waits", func() bool { return tx.Statistics().TasksWaitingSend == 1 }); err != nil {
					return err
				}
				return rx.Close()
			})
			if err != nil {
				return err
			}
			if !errors.Is(sendErr, anyio.ErrBrokenResource) {
				t.Errorf("Send waiting while the last receiver closed: got %v, want ErrBrokenResource", sendErr)
			}
			return nil
		})
	})
}

// "A use of a handle that was itself closed returns ErrClosedResource"; Close
// is idempotent; a closed handle cannot be cloned.
func TestMemoryStreamClosedHandle(t *testing.T) {
	confEachBackend(t, func(t *testing.T, ctx context.Context) error {
		tx, rx := anyio.NewMemoryObjectStream[int](1)
		tx2, err := tx.Clone()
		if err != nil {
			return fmt.Errorf("SendStream.Clone: %w", err)
		}
		rx2, err := rx.Clone()
		if err != nil {
			return fmt.Errorf("ReceiveStream.Clone: %w", err)
		}
		defer confCloseAll(tx2, rx2)

		for i := range 2 {
			if err := tx.Close(); err != nil {
				t.Errorf("SendStream.Close, call %d: got %v, want nil", i+1, err)
			}
			if err := rx.Close(); err != nil {
				t.Errorf("ReceiveStream.Close, call %d: got %v, want nil", i+1, err)
			}
		}
		if st := tx2.Statistics(); st.OpenSendStreams != 1 || st.OpenReceiveStreams != 1 {
			t.Errorf("Statistics after closing one of two clones per side twice: OpenSendStreams %d, OpenReceiveStreams %d, want 1, 1", st.OpenSendStreams, st.OpenReceiveStreams)
		}

		if err := tx.Send(ctx, 1); !errors.Is(err, anyio.ErrClosedResource) {
			t.Errorf("Send on a closed SendStream: got %v, want ErrClosedResource", err)
		}
		if err := tx.SendNowait(1); !errors.Is(err, anyio.ErrClosedResource) {
			t.Errorf("SendNowait on a closed SendStream: got %v, want ErrClosedResource", err)
		}
		if _, err := rx.Receive(ctx); !errors.Is(err, anyio.ErrClosedResource) {
			t.Errorf("Receive on a closed ReceiveStream: got %v, want ErrClosedResource", err)
		}
		if _, err := rx.ReceiveNowait(); !errors.Is(err, anyio.ErrClosedResource) {
			t.Errorf("ReceiveNowait on a closed ReceiveStream: got %v, want ErrClosedResource", err)
		}
		if c, err := tx.Clone(); !errors.Is(err, anyio.ErrClosedResource) {
			t.Errorf("Clone of a closed SendStream: got %v, want ErrClosedResource", err)
			if c != nil {
				c.Close()
			}
		}
		if c, err := rx.Clone(); !errors.Is(err, anyio.ErrClosedResource) {
			t.Errorf("Clone of a closed ReceiveStream: got %v, want ErrClosedResource", err)
			if c != nil {
				c.Close()
			}
		}

		// The clones still work (AnyIO test_clone).
		if err := tx2.SendNowait(7); err != nil {
			t.Errorf("SendNowait through a clone of a closed handle: got %v, want nil", err)
		}
		if item, err := rx2.ReceiveNowait(); err != nil || item != 7 {
			t.Errorf("ReceiveNowait through a clone of a closed handle: got %d, %v, want 7, nil", item, err)
		}
		return nil
	})
}

// A Send or Receive whose ctx is already cancelled returns the cancellation
// and moves nothing (AnyIO test_receive_when_cancelled,
// test_send_when_cancelled).
func TestMemoryStreamCancelledCallMovesNothing(t *testing.T) {
	t.Run("Receive", func(t *testing.T) {
		confEachBackend(t, func(t *testing.T, ctx context.Context) error {
			tx, rx := anyio.NewMemoryObjectStream[string](0)
			defer confCloseAll(tx, rx)
			return anyio.WithTaskGroup(ctx, func(ctx context.Context, tg *anyio.TaskGroup) error {
				tg.StartSoon(func(ctx context.Context) error { return tx.Send(ctx, "hello") })
				if err := confWaitUntil(ctx, "a sender waits", func() bool { return tx.Statistics().TasksWaitingSend == 1 }); err != nil {
					return err
				}
				tg.StartSoon(func(ctx context.Context) error { return tx.Send(ctx, "world") })
				if err := confWaitUntil(ctx, "two senders wait", func() bool { return tx.Statistics().TasksWaitingSend == 2 }); err != nil {
					return err
				}
				s := anyio.NewCancelScope()
				var item string
				var recvErr error
				if err := s.Run(ctx, func(ctx context.Context) error {
					s.Cancel()
					item, recvErr = rx.Receive(ctx)
					return recvErr
				}); err != nil {
					return err
				}
				if !errors.Is(recvErr, context.Canceled) {
					t.Errorf("Receive with a cancelled ctx and a sender waiting: got %q, %v, want context.Canceled", item, recvErr)
				}
				for _, want := range []string{"hello", "world"} {
					if item, err := rx.Receive(ctx); err != nil || item != want {
						t.Errorf("Receive after a cancelled Receive: got %q, %v, want %q, nil", item, err, want)
					}
				}
				return nil
			})
		})
	})
	t.Run("Send", func(t *testing.T) {
		confEachBackend(t, func(t *testing.T, ctx context.Context) error {
			tx, rx := anyio.NewMemoryObjectStream[string](0)
			defer confCloseAll(tx, rx)
			var got []string
			err := anyio.WithTaskGroup(ctx, func(ctx context.Context, tg *anyio.TaskGroup) error {
				tg.StartSoon(func(ctx context.Context) error {
					item, err := rx.Receive(ctx)
					got = append(got, item)
					return err
				})
				if err := confWaitUntil(ctx, "a receiver waits", func() bool { return rx.Statistics().TasksWaitingReceive == 1 }); err != nil {
					return err
				}
				s := anyio.NewCancelScope()
				var sendErr error
				if err := s.Run(ctx, func(ctx context.Context) error {
					s.Cancel()
					sendErr = tx.Send(ctx, "hello")
					return sendErr
				}); err != nil {
					return err
				}
				if !errors.Is(sendErr, context.Canceled) {
					t.Errorf("Send with a cancelled ctx and a receiver waiting: got %v, want context.Canceled", sendErr)
				}
				return tx.Send(ctx, "world")
			})
			if err != nil {
				return err
			}
			if !slices.Equal(got, []string{"world"}) {
				t.Errorf("received after a cancelled Send and a good one: got %q, want [world]", got)
			}
			return nil
		})
	})
}

// A cancelled waiting Send or Receive leaves nothing behind (AnyIO
// test_cancel_receive, test_cancel_send).
func TestMemoryStreamCancelledWaitLeavesNothingBehind(t *testing.T) {
	confEachBackend(t, func(t *testing.T, ctx context.Context) error {
		tx, rx := anyio.NewMemoryObjectStream[string](0)
		defer confCloseAll(tx, rx)
		err := anyio.WithTaskGroup(ctx, func(ctx context.Context, tg *anyio.TaskGroup) error {
			tg.StartSoon(func(ctx context.Context) error { _, err := rx.Receive(ctx); return err })
			if err := confWaitUntil(ctx, "a receiver waits", func() bool { return rx.Statistics().TasksWaitingReceive == 1 }); err != nil {
				return err
			}
			tg.CancelScope().Cancel()
			return nil
		})
		if err != nil {
			return fmt.Errorf("group of a cancelled receiver: %w", err)
		}
		if n := rx.Statistics().TasksWaitingReceive; n != 0 {
			t.Errorf("TasksWaitingReceive after the receiver was cancelled: got %d, want 0", n)
		}
		if err := tx.SendNowait("hello"); !errors.Is(err, anyio.ErrWouldBlock) {
			t.Errorf("SendNowait after the only receiver was cancelled: got %v, want ErrWouldBlock", err)
		}

		err = anyio.WithTaskGroup(ctx, func(ctx context.Context, tg *anyio.TaskGroup) error {
			tg.StartSoon(func(ctx context.Context) error { return tx.Send(ctx, "hello") })
			if err := confWaitUntil(ctx, "a sender waits", func() bool { return tx.Statistics().TasksWaitingSend == 1 }); err != nil {
				return err
			}
			tg.CancelScope().Cancel()
			return nil
		})
		if err != nil {
			return fmt.Errorf("group of a cancelled sender: %w", err)
		}
		if n := tx.Statistics().TasksWaitingSend; n != 0 {
			t.Errorf("TasksWaitingSend after the sender was cancelled: got %d, want 0", n)
		}
		if item, err := rx.ReceiveNowait(); !errors.Is(err, anyio.ErrWouldBlock) {
			t.Errorf("ReceiveNowait after the only sender was cancelled: got %q, %v, want ErrWouldBlock", item, err)
		}
		return nil
	})
}

// An item handed to a waiting receiver whose wait is cancelled just before or
// just after is received exactly once if SendNowait took it, and never if it
// did not (AnyIO test_cancel_during_receive, test_cancel_during_receive_buffered,
// test_send_to_natively_cancelled_receiver).
func TestMemoryStreamCancelDuringReceiveLosesNothing(t *testing.T) {
	for _, size := range []int{0, 1} {
		for _, cancelFirst := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s, cancel before SendNowait %v", confSizeName(size), cancelFirst), func(t *testing.T) {
				confEachBackend(t, func(t *testing.T, ctx context.Context) error {
					tx, rx := anyio.NewMemoryObjectStream[string](size)
					defer confCloseAll(tx, rx)
					var got []string
					var sendErr error
					err := anyio.WithTaskGroup(ctx, func(ctx context.Context, tg *anyio.TaskGroup) error {
						v, err := tg.Start(ctx, func(ctx context.Context, st *anyio.TaskStatus) error {
							s := anyio.NewCancelScope()
							return s.Run(ctx, func(ctx context.Context) error {
								st.Started(s)
								item, err := rx.Receive(ctx)
								if err == nil {
									got = append(got, item)
								}
								return err
							})
						})
						if err != nil {
							return fmt.Errorf("Start: %w", err)
						}
						receiverScope := v.(*anyio.CancelScope)
						if err := confWaitUntil(ctx, "the receiver waits", func() bool { return rx.Statistics().TasksWaitingReceive == 1 }); err != nil {
							return err
						}
						if cancelFirst {
							receiverScope.Cancel()
						}
						sendErr = tx.SendNowait("hello")
						receiverScope.Cancel()
						return nil
					})
					if err != nil {
						return err
					}
					if sendErr != nil && !errors.Is(sendErr, anyio.ErrWouldBlock) {
						return fmt.Errorf("SendNowait: got %v, want nil or ErrWouldBlock", sendErr)
					}
					if sendErr != nil && !(cancelFirst && size == 0) {
						t.Errorf("SendNowait with a receiver waiting or room in the buffer: got %v, want nil", sendErr)
					}
					for {
						item, err := rx.ReceiveNowait()
						if err != nil {
							break
						}
						got = append(got, item)
					}
					switch {
					case sendErr == nil && !slices.Equal(got, []string{"hello"}):
						t.Errorf("SendNowait took the item: received %q, want [hello] exactly once", got)
					case sendErr != nil && len(got) != 0:
						t.Errorf("SendNowait returned %v: received %q, want nothing", sendErr, got)
					}
					return nil
				})
			})
		}
	}
}

// Statistics report the buffer, the open handles and the waiting tasks, the
// same from either end (AnyIO test_statistics).
func TestMemoryStreamStatistics(t *testing.T) {
	confEachBackend(t, func(t *testing.T, ctx context.Context) error {
		tx, rx := anyio.NewMemoryObjectStream[int](1)
		defer confCloseAll(tx, rx)
		ends := []struct {
			name  string
			stats func() anyio.StreamStatistics
		}{{"send end", tx.Statistics}, {"receive end", rx.Statistics}}
		for _, end := range ends {
			want := anyio.StreamStatistics{MaxBufferSize: 1, OpenSendStreams: 1, OpenReceiveStreams: 1}
			if got := end.stats(); got != want {
				t.Errorf("Statistics of a fresh stream of size 1 from the %s: got %+v, want %+v", end.name, got, want)
			}
		}
		for _, end := range ends {
			check := func(what string, got, want int) {
				t.Helper()
				if got != want {
					t.Errorf("%s from the %s: got %d, want %d", what, end.name, got, want)
				}
			}
			err := anyio.WithTaskGroup(ctx, func(ctx context.Context, tg *anyio.TaskGroup) error {
				if err := tx.SendNowait(0); err != nil {
					return err
				}
				check("CurrentBufferUsed after one SendNowait", end.stats().CurrentBufferUsed, 1)
				tg.StartSoon(func(ctx context.Context) error { return tx.Send(ctx, 1) })
				if err := confWaitUntil(ctx, "a sender waits", func() bool { return end.stats().TasksWaitingSend == 1 }); err != nil {
					return err
				}
				check("CurrentBufferUsed with a sender waiting", end.stats().CurrentBufferUsed, 1)
				if _, err := rx.ReceiveNowait(); err != nil {
					return err
				}
				check("CurrentBufferUsed after the waiting sender refilled the buffer", end.stats().CurrentBufferUsed, 1)
				check("TasksWaitingSend after the waiting sender moved in", end.stats().TasksWaitingSend, 0)
				if _, err := rx.ReceiveNowait(); err != nil {
					return err
				}
				check("CurrentBufferUsed after draining", end.stats().CurrentBufferUsed, 0)

				tg.StartSoon(func(ctx context.Context) error { _, err := rx.Receive(ctx); return err })
				if err := confWaitUntil(ctx, "a receiver waits", func() bool { return end.stats().TasksWaitingReceive == 1 }); err != nil {
					return err
				}
				if err := tx.SendNowait(2); err != nil {
					return err
				}
				check("TasksWaitingReceive after a SendNowait fed the waiting receiver", end.stats().TasksWaitingReceive, 0)
				return nil
			})
			if err != nil {
				return fmt.Errorf("from the %s: %w", end.name, err)
			}

			err = anyio.WithTaskGroup(ctx, func(ctx context.Context, tg *anyio.TaskGroup) error {
				if err := tx.SendNowait(0); err != nil {
					return err
				}
				for range 3 {
					tg.StartSoon(func(ctx context.Context) error { return tx.Send(ctx, 1) })
				}
				if err := confWaitUntil(ctx, "three senders wait", func() bool { return end.stats().TasksWaitingSend == 3 }); err != nil {
					return err
				}
				for i := 2; i >= 0; i-- {
					if _, err := rx.ReceiveNowait(); err != nil {
						return err
					}
					check("TasksWaitingSend after one more ReceiveNowait", end.stats().TasksWaitingSend, i)
				}
				_, err := rx.ReceiveNowait()
				return err
			})
			if err != nil {
				return fmt.Errorf("from the %s: %w", end.name, err)
			}
			want := anyio.StreamStatistics{MaxBufferSize: 1, OpenSendStreams: 1, OpenReceiveStreams: 1}
			if got := end.stats(); got != want {
				t.Errorf("Statistics from the %s after everything was received: got %+v, want %+v", end.name, got, want)
			}
		}

		tx2, err := tx.Clone()
		if err != nil {
			return err
		}
		rx2, err := rx.Clone()
		if err != nil {
			return err
		}
		rx3, err := rx2.Clone()
		if err != nil {
			return err
		}
		if st := rx.Statistics(); st.OpenSendStreams != 2 || st.OpenReceiveStreams != 3 {
			t.Errorf("Statistics with 2 send and 3 receive handles: OpenSendStreams %d, OpenReceiveStreams %d, want 2, 3", st.OpenSendStreams, st.OpenReceiveStreams)
		}
		confCloseAll(tx2, rx2, rx3)
		if st := tx.Statistics(); st.OpenSendStreams != 1 || st.OpenReceiveStreams != 1 {
			t.Errorf("Statistics after closing the clones: OpenSendStreams %d, OpenReceiveStreams %d, want 1, 1", st.OpenSendStreams, st.OpenReceiveStreams)
		}
		return nil
	})
}

// "All yields each item with a nil error and stops quietly at the end of the
// stream; any other error ... is yielded once, with the zero item, as the
// last pair. Breaking out of the loop loses nothing."
func TestMemoryStreamAll(t *testing.T) {
	type pair struct {
		item int
		err  error
	}
	collect := func(ctx context.Context, rx *anyio.ReceiveStream[int], onItem func(int)) []pair {
		var got []pair
		for item, err := range rx.All(ctx) {
			got = append(got, pair{item, err})
			if err == nil && onItem != nil {
				onItem(item)
			}
			if len(got) > 100 {
				break // a broken All must not loop forever
			}
		}
		return got
	}
	t.Run("stops quietly at the end", func(t *testing.T) {
		confEachBackend(t, func(t *testing.T, ctx context.Context) error {
			tx, rx := anyio.NewMemoryObjectStream[int](0)
			defer rx.Close()
			var got []pair
			err := anyio.WithTaskGroup(ctx, func(ctx context.Context, tg *anyio.TaskGroup) error {
				tg.StartSoon(func(ctx context.Context) error { got = collect(ctx, rx, nil); return nil })
				defer tx.Close()
				for i := 1; i <= 3; i++ {
					if err := tx.Send(ctx, i); err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				return err
			}
			if want := []pair{{1, nil}, {2, nil}, {3, nil}}; !slices.Equal(got, want) {
				t.Errorf("All over a stream that ends after 1, 2, 3: got %v, want %v", got, want)
			}
			return nil
		})
	})
	t.Run("cancellation is the last pair", func(t *testing.T) {
		confEachBackend(t, func(t *testing.T, ctx context.Context) error {
			tx, rx := anyio.NewMemoryObjectStream[int](5)
			defer confCloseAll(tx, rx)
			for i := 1; i <= 3; i++ {
				tx.SendNowait(i)
			}
			s := anyio.NewCancelScope()
			var got []pair
			err := s.Run(ctx, func(ctx context.Context) error {
				got = collect(ctx, rx, func(item int) {
					if item == 2 {
						s.Cancel()
					}
				})
				return nil
			})
			if err != nil {
				return err
			}
			if len(got) != 3 || got[0] != (pair{1, nil}) || got[1] != (pair{2, nil}) || got[2].item != 0 || !errors.Is(got[2].err, context.Canceled) {
				t.Errorf("All cancelled after the second item: got %v, want [{1 <nil>} {2 <nil>} {0 context.Canceled}]", got)
			}
			if item, err := rx.ReceiveNowait(); err != nil || item != 3 {
				t.Errorf("ReceiveNowait after All was cancelled: got %d, %v, want 3, nil (nothing lost)", item, err)
			}
			return nil
		})
	})
	t.Run("deadline while waiting is the last pair", func(t *testing.T) {
		confEachBackend(t, func(t *testing.T, ctx context.Context) error {
			tx, rx := anyio.NewMemoryObjectStream[int](0)
			defer confCloseAll(tx, rx)
			var got []pair
			if _, err := anyio.MoveOnAfter(ctx, confTick, func(ctx context.Context) error {
				got = collect(ctx, rx, nil)
				return nil
			}); err != nil {
				return err
			}
			if len(got) != 1 || got[0].item != 0 || !errors.Is(got[0].err, context.DeadlineExceeded) {
				t.Errorf("All on an idle stream under MoveOnAfter: got %v, want one pair {0 context.DeadlineExceeded}", got)
			}
			return nil
		})
	})
	t.Run("closed handle is the last pair", func(t *testing.T) {
		confEachBackend(t, func(t *testing.T, ctx context.Context) error {
			tx, rx := anyio.NewMemoryObjectStream[int](5)
			defer tx.Close()
			tx.SendNowait(1)
			rx.Close()
			got := collect(ctx, rx, nil)
			if len(got) != 1 || got[0].item != 0 || !errors.Is(got[0].err, anyio.ErrClosedResource) {
				t.Errorf("All on a closed ReceiveStream: got %v, want one pair {0 ErrClosedResource}", got)
			}
			return nil
		})
	})
	t.Run("breaking out loses nothing", func(t *testing.T) {
		confEachBackend(t, func(t *testing.T, ctx context.Context) error {
			tx, rx := anyio.NewMemoryObjectStream[int](5)
			defer rx.Close()
			for i := 1; i <= 5; i++ {
				tx.SendNowait(i)
			}
			tx.Close()
			var first []int
			for item, err := range rx.All(ctx) {
				if err != nil {
					return fmt.Errorf("All: %w", err)
				}
				first = append(first, item)
				if item == 2 {
					break
				}
			}
			var rest []int
			for item, err := range rx.All(ctx) {
				if err != nil {
					return fmt.Errorf("second All: %w", err)
				}
				rest = append(rest, item)
			}
			if !slices.Equal(first, []int{1, 2}) || !slices.Equal(rest, []int{3, 4, 5}) {
				t.Errorf("All broken off after 2, then All again: got %v then %v, want [1 2] then [3 4 5]", first, rest)
			}
			return nil
		})
	})
}

// "Nothing is lost or duplicated: every item is either received exactly once
// or its Send returned an error, also when sends and receives are cancelled."
// Senders and receivers work under random deadlines while a chaos task cancels
// random operations; every item is then accounted for.
func TestMemoryStreamNothingLostUnderCancellation(t *testing.T) {
	const (
		senders   = 4
		receivers = 3
		perSender = 300
	)
	for _, size := range confStreamSizes {
		t.Run(confSizeName(size), func(t *testing.T) {
			confEachBackend(t, func(t *testing.T, ctx context.Context) error {
				tx, rx := anyio.NewMemoryObjectStream[int](size)
				var mu sync.Mutex
				sendErr := make([]error, senders*perSender)
				received := make([]int, senders*perSender)
				// ops[i] is the scope of worker i's current operation.
				ops := make([]*anyio.CancelScope, senders+receivers)
				var cancels atomic.Int64

				// op runs one operation of worker w in a scope with a random
				// deadline (or none) that the chaos task may also cancel.
				op := func(ctx context.Context, w int, rnd *rand.Rand, f func(ctx context.Context) error) error {
					var opts []anyio.ScopeOption
					if rnd.IntN(3) > 0 {
						opts = append(opts, anyio.Deadline(anyio.Now(ctx).Add(time.Duration(rnd.IntN(100))*time.Microsecond)))
					}
					s := anyio.NewCancelScope(opts...)
					mu.Lock()
					ops[w] = s
					mu.Unlock()
					err := s.Run(ctx, f)
					mu.Lock()
					ops[w] = nil
					mu.Unlock()
					return err
				}

				err := anyio.FailAfter(ctx, 30*time.Second, func(ctx context.Context) error {
					return anyio.WithTaskGroup(ctx, func(ctx context.Context, outer *anyio.TaskGroup) error {
						outer.StartSoon(func(ctx context.Context) error { // chaos
							rnd := rand.New(rand.NewPCG(1, 0))
							for {
								if err := anyio.Sleep(ctx, time.Duration(10+rnd.IntN(90))*time.Microsecond); err != nil {
									return err
								}
								mu.Lock()
								if s := ops[rnd.IntN(len(ops))]; s != nil {
									s.Cancel()
									cancels.Add(1)
								}
								mu.Unlock()
							}
						})
						err := anyio.WithTaskGroup(ctx, func(ctx context.Context, tg *anyio.TaskGroup) error {
							for s := range senders {
								clone, err := tx.Clone()
								if err != nil {
									return err
								}
								tg.StartSoon(func(ctx context.Context) error {
									defer clone.Close()
									rnd := rand.New(rand.NewPCG(2, uint64(s)))
									for k := range perSender {
										item := s*perSender + k
										var err error
										if scopeErr := op(ctx, s, rnd, func(ctx context.Context) error {
											err = clone.Send(ctx, item)
											return confOnlyCancellation(err)
										}); scopeErr != nil {
											return fmt.Errorf("sender %d: %w", s, scopeErr)
										}
										if err != nil && !confIsCancellation(err) {
											return fmt.Errorf("sender %d: Send: %w", s, err)
										}
										sendErr[item] = err
									}
									return nil
								})
							}
							for r := range receivers {
								clone, err := rx.Clone()
								if err != nil {
									return err
								}
								tg.StartSoon(func(ctx context.Context) error {
									defer clone.Close()
									rnd := rand.New(rand.NewPCG(3, uint64(r)))
									for {
										var item int
										var err error
										if scopeErr := op(ctx, senders+r, rnd, func(ctx context.Context) error {
											item, err = clone.Receive(ctx)
											return confOnlyCancellation(err)
										}); scopeErr != nil {
											return fmt.Errorf("receiver %d: %w", r, scopeErr)
										}
										switch {
										case err == nil:
											mu.Lock()
											received[item]++
											mu.Unlock()
											if rnd.IntN(4) == 0 { // a slow receiver makes senders wait
												if err := anyio.Sleep(ctx, time.Duration(rnd.IntN(200))*time.Microsecond); err != nil {
													return err
												}
											}
										case errors.Is(err, anyio.ErrEndOfStream):
											return nil
										case !confIsCancellation(err):
											return fmt.Errorf("receiver %d: Receive: %w", r, err)
										}
									}
								})
							}
							// The workers hold clones; the originals go.
							tx.Close()
							rx.Close()
							return nil
						})
						outer.CancelScope().Cancel()
						return err
					})
				})
				if err != nil {
					return err
				}
				var delivered, failed int
				for item, n := range received {
					switch {
					case sendErr[item] == nil && n != 1:
						t.Errorf("item %d: Send returned nil, received %d times, want exactly once", item, n)
					case sendErr[item] != nil && n != 0:
						t.Errorf("item %d: Send returned %v, received %d times, want never", item, sendErr[item], n)
					case sendErr[item] == nil:
						delivered++
					default:
						failed++
					}
				}
				if delivered == 0 {
					t.Errorf("no item was delivered at all; want progress despite the cancellations")
				}
				t.Logf("%d delivered, %d sends cancelled, %d cancels by the chaos task", delivered, failed, cancels.Load())
				return nil
			})
		})
	}
}

// Closing a clone whose Send is blocked, then blocking on another clone,
// neither duplicates nor loses a waiting send.
func TestMemoryStreamCloseCloneWithBlockedSend(t *testing.T) {
	confEachBackend(t, func(t *testing.T, ctx context.Context) error {
		tx, rx := anyio.NewMemoryObjectStream[int](0)
		defer confCloseAll(tx, rx)
		tx2, err := tx.Clone()
		if err != nil {
			return err
		}
		return anyio.WithTaskGroup(ctx, func(ctx context.Context, tg *anyio.TaskGroup) error {
			tg.StartSoon(func(ctx context.Context) error {
				if err := tx2.Send(ctx, 1); !errors.Is(err, anyio.ErrClosedResource) {
					t.Errorf("Send blocked on a clone that was closed: got %v, want ErrClosedResource", err)
				}
				return nil
			})
			if err := confWaitUntil(ctx, "the clone's Send to block", func() bool { return tx.Statistics().TasksWaitingSend == 1 }); err != nil {
				return err
			}
			tx2.Close()
			if err := confWaitUntil(ctx, "the closed clone's Send to go", func() bool { return tx.Statistics().TasksWaitingSend == 0 }); err != nil {
				return err
			}
			tg.StartSoon(func(ctx context.Context) error { return tx.Send(ctx, 42) })
			if err := confWaitUntil(ctx, "the second Send to block", func() bool { return tx.Statistics().TasksWaitingSend >= 1 }); err != nil {
				return err
			}
			if n := tx.Statistics().TasksWaitingSend; n != 1 {
				t.Errorf("TasksWaitingSend with one blocked Send: got %d, want 1", n)
			}
			if v, err := rx.Receive(ctx); v != 42 || err != nil {
				t.Errorf("Receive: got %d, %v; want 42, nil", v, err)
			}
			if v, err := rx.ReceiveNowait(); !errors.Is(err, anyio.ErrWouldBlock) {
				t.Errorf("ReceiveNowait after the only item: got %d, %v; want ErrWouldBlock", v, err)
			}
			return nil
		})
	})
}

// Closing a clone whose Receive is blocked does not let a later send vanish
// into that receiver.
func TestMemoryStreamCloseCloneWithBlockedReceive(t *testing.T) {
	confEachBackend(t, func(t *testing.T, ctx context.Context) error {
		tx, rx := anyio.NewMemoryObjectStream[int](0)
		defer confCloseAll(tx, rx)
		rx2, err := rx.Clone()
		if err != nil {
			return err
		}
		return anyio.WithTaskGroup(ctx, func(ctx context.Context, tg *anyio.TaskGroup) error {
			tg.StartSoon(func(ctx context.Context) error {
				if _, err := rx2.Receive(ctx); !errors.Is(err, anyio.ErrClosedResource) {
					t.Errorf("Receive blocked on a clone that was closed: got %v, want ErrClosedResource", err)
				}
				return nil
			})
			if err := confWaitUntil(ctx, "the clone's Receive to block", func() bool { return rx.Statistics().TasksWaitingReceive == 1 }); err != nil {
				return err
			}
			rx2.Close()
			if err := confWaitUntil(ctx, "the closed clone's Receive to go", func() bool { return rx.Statistics().TasksWaitingReceive == 0 }); err != nil {
				return err
			}
			got := make(chan int, 2)
			tg.StartSoon(func(ctx context.Context) error {
				v, err := rx.Receive(ctx)
				//anyiovet:ignore buffered for both sends: never waits
				got <- v
				return err
			})
			if err := confWaitUntil(ctx, "the second Receive to block", func() bool { return rx.Statistics().TasksWaitingReceive == 1 }); err != nil {
				return err
			}
			if err := tx.SendNowait(1); err != nil {
				t.Errorf("SendNowait to the waiting receiver: %v", err)
			}
			if err := tx.SendNowait(2); !errors.Is(err, anyio.ErrWouldBlock) {
				t.Errorf("a second SendNowait with no receiver left: got %v, want ErrWouldBlock", err)
			}
			return nil
		})
	})
}
