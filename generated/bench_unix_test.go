package generated

// A Unix socket echo with the package beside the net package's, on std:
// each round trip a Send and a Receive of 64 bytes, from a task.

import (
	"context"
	"net"
	"path/filepath"
	"testing"

	"github.com/anyiogen/anyiogen/generated/anyio"
)

func BenchmarkUnixEcho(b *testing.B) {
	msg := make([]byte, 64)
	b.Run("anyio", func(b *testing.B) {
		path := filepath.Join(b.TempDir(), "s")
		inTask(b, func(ctx context.Context) {
			l, err := anyio.ListenUnix(ctx, path)
			if err != nil {
				b.Error(err)
				return
			}
			defer l.Close()
			err = anyio.WithTaskGroup(ctx, func(ctx context.Context, tg *anyio.TaskGroup) error {
				tg.StartSoon(func(ctx context.Context) error {
					s, err := l.Accept(ctx)
					if err != nil {
						return err
					}
					defer s.Close()
					for {
						got, err := s.Receive(ctx, 64)
						if err != nil {
							return nil
						}
						if err := s.Send(ctx, got); err != nil {
							return nil
						}
					}
				})
				c, err := anyio.ConnectUnix(ctx, path)
				if err != nil {
					return err
				}
				defer c.Close()
				b.ResetTimer()
				for range b.N {
					if err := c.Send(ctx, msg); err != nil {
						return err
					}
					if _, err := c.Receive(ctx, 64); err != nil {
						return err
					}
				}
				b.StopTimer()
				return nil
			})
			if err != nil {
				b.Error(err)
			}
		})
	})
	b.Run("net", func(b *testing.B) {
		path := filepath.Join(b.TempDir(), "s")
		l, err := net.Listen("unix", path)
		if err != nil {
			b.Fatal(err)
		}
		defer l.Close()
		go func() {
			s, err := l.Accept()
			if err != nil {
				return
			}
			defer s.Close()
			buf := make([]byte, 64)
			for {
				n, err := s.Read(buf)
				if err != nil {
					return
				}
				if _, err := s.Write(buf[:n]); err != nil {
					return
				}
			}
		}()
		c, err := net.Dial("unix", path)
		if err != nil {
			b.Fatal(err)
		}
		defer c.Close()
		buf := make([]byte, 64)
		b.ResetTimer()
		for range b.N {
			if _, err := c.Write(msg); err != nil {
				b.Fatal(err)
			}
			if _, err := c.Read(buf); err != nil {
				b.Fatal(err)
			}
		}
	})
}
