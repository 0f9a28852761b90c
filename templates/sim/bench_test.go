package sim

import (
	"context"
	"net/netip"
	"testing"
	"time"
)

// BenchmarkTaskSwitch measures one task switch: two tasks hand the baton
// back and forth with Wake and Wait.
func BenchmarkTaskSwitch(b *testing.B) {
	simMustRun(b, func(s *simBackend) error {
		ctx := context.Background()
		ping, pong := s.NewWaiter(), (*simWaiter)(nil)
		ready := s.NewWaiter()
		s.Go("pong", func() {
			pong = s.NewWaiter().(*simWaiter)
			ready.Wake()
			for {
				if pong.Wait(ctx, "ping") != nil {
					return
				}
				ping.Wake()
			}
		})
		ready.Wait(ctx, "pong")
		b.ResetTimer()
		for i := 0; i < b.N; i += 2 {
			pong.Wake()
			ping.Wait(ctx, "pong")
		}
		b.StopTimer()
		return nil
	})
}

// BenchmarkYield measures one Yield by any of 10 busy tasks, each of which
// hands the baton to a task picked at random.
func BenchmarkYield(b *testing.B) {
	simMustRun(b, func(s *simBackend) error {
		done := s.NewWaiter()
		left, yields := 10, 0
		b.ResetTimer()
		for range 10 {
			s.Go("", func() {
				for ; yields < b.N; yields++ {
					s.Yield()
				}
				if left--; left == 0 {
					done.Wake()
				}
			})
		}
		err := done.Wait(context.Background(), "yielders")
		b.StopTimer()
		return err
	})
}

// BenchmarkSleepHour measures a run that sleeps an hour of virtual time.
func BenchmarkSleepHour(b *testing.B) {
	for range b.N {
		simMustRun(b, func(s *simBackend) error { return simSleep(context.Background(), s, time.Hour) })
	}
}

// BenchmarkSleepers10k measures a run of 10,000 tasks each sleeping a
// different virtual duration.
func BenchmarkSleepers10k(b *testing.B) {
	const n = 10000
	for range b.N {
		simMustRun(b, func(s *simBackend) error {
			done := s.NewWaiter()
			left := n
			for i := range n {
				d := time.Duration((i*7919)%n+1) * time.Millisecond
				s.Go("", func() {
					simSleep(context.Background(), s, d)
					if left--; left == 0 {
						done.Wake()
					}
				})
			}
			return done.Wait(context.Background(), "sleepers")
		})
	}
}

// BenchmarkTCPRoundTrip measures a 1 KiB echo over a simulated connection.
func BenchmarkTCPRoundTrip(b *testing.B) {
	net := NewSimNetwork()
	net.SetLatency(time.Millisecond)
	simMustRun(b, func(s *simBackend) error {
		ctx := context.Background()
		l, err := s.ListenTCP(ctx, "localhost", 0)
		if err != nil {
			return err
		}
		defer l.Close()
		s.Go("echo", func() {
			c, err := l.Accept(ctx)
			if err != nil {
				return
			}
			defer c.Close()
			buf := make([]byte, 4096)
			for {
				n, err := c.Read(ctx, buf)
				if err != nil {
					return
				}
				c.Write(ctx, buf[:n])
			}
		})
		c, err := s.DialTCP(ctx, netip.Addr{}, netip.MustParseAddrPort("[::1]:49152"))
		if err != nil {
			return err
		}
		defer c.Close()
		msg, buf := make([]byte, 1024), make([]byte, 4096)
		b.ResetTimer()
		for range b.N {
			c.Write(ctx, msg)
			for got := 0; got < len(msg); {
				n, err := c.Read(ctx, buf)
				if err != nil {
					return err
				}
				got += n
			}
		}
		b.StopTimer()
		return nil
	}, Network(net))
}
