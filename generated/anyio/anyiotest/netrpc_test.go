package anyiotest_test

import (
	"context"
	"errors"
	"fmt"
	"net/rpc"
	"regexp"
	"sync"
	"testing"
	"time"

	"github.com/anyiogen/anyiogen/generated/anyio"
	"github.com/anyiogen/anyiogen/generated/anyio/anyiotest"
)

// net/rpc starts goroutines of its own: its server serves each connection,
// and runs each call, in a goroutine; its client reads every reply in one.
// Its server also holds a mutex while it writes a response, and a run that
// adopts its goroutines cannot host that: a goroutine that holds the mutex
// waits for its turn in the run, the others wait for the mutex, and a
// bubble does not count a goroutine waiting for a mutex as blocked, so the
// run never gets to the next turn. TestNetRPCStall is the demo; the report
// names the goroutines and the mutex.

func TestNetRPCStallIsReported(t *testing.T) {
	_, err := goTest("-test.run=^TestNetRPCStall$")
	want := regexp.MustCompile(`anyio sim: the run has waited 200ms of wall time for the goroutines of its bubble to block, and these have not:\n\s+goroutine \d+ \(rpc\.\(\*service\)\.call\): sync\.Mutex\.Lock in net/rpc\.\(\*Server\)\.sendResponse at `)
	if err == nil || !want.MatchString(err.Error()) {
		t.Errorf("err = %v, want the stall report naming net/rpc's goroutines and the mutex", err)
	}
}

// KV is the service: a map behind a mutex, as net/rpc services are.
type KV struct {
	mu   sync.Mutex
	data map[string]string
}

// KVPut is KV.Put's argument.
type KVPut struct{ Key, Value string }

// Put stores a value.
func (kv *KV) Put(args KVPut, _ *struct{}) error {
	kv.mu.Lock()
	defer kv.mu.Unlock()
	kv.data[args.Key] = args.Value
	return nil
}

// Get reads a value.
func (kv *KV) Get(key string, value *string) error {
	kv.mu.Lock()
	defer kv.mu.Unlock()
	v, ok := kv.data[key]
	if !ok {
		return fmt.Errorf("no key %q", key)
	}
	*value = v
	return nil
}

func TestNetRPCStall(t *testing.T) {
	demoOnly(t)
	anyiotest.Seeds(t, 10, func(t *testing.T, ctx context.Context) error {
		nw := anyio.CurrentNetwork(ctx)
		return anyio.WithTaskGroup(ctx, func(ctx context.Context, tg *anyio.TaskGroup) error {
			tg.StartSoon(func(ctx context.Context) error {
				err := anyio.RunHost(ctx, "kv", func(ctx context.Context) error {
					ln, err := anyio.ListenTCP(ctx, "kv", 7000)
					if err != nil {
						return err
					}
					srv := rpc.NewServer()
					if err := srv.Register(&KV{data: map[string]string{}}); err != nil {
						return err
					}
					srv.Accept(ln.NetListener(ctx)) // a goroutine per connection, one per call
					return nil
				})
				if !errors.Is(err, anyio.ErrHostCrashed) {
					return fmt.Errorf("RunHost(kv) = %v, want ErrHostCrashed", err)
				}
				return nil
			}, anyio.Name("kv host"))
			return anyio.RunHost(ctx, "app", func(ctx context.Context) error {
				if err := anyio.Sleep(ctx, time.Millisecond); err != nil { // kv listens
					return err
				}
				s, err := anyio.ConnectTCP(ctx, "kv", 7000)
				if err != nil {
					return err
				}
				client := rpc.NewClient(s.NetConn(ctx)) // reads replies in a goroutine of its own
				defer client.Close()
				// Three tasks call at once over the one connection.
				err = anyio.WithTaskGroup(ctx, func(ctx context.Context, calls *anyio.TaskGroup) error {
					for i := range 3 {
						key := fmt.Sprintf("k%d", i)
						calls.StartSoon(func(ctx context.Context) error {
							if err := client.Call("KV.Put", KVPut{key, "v" + key}, &struct{}{}); err != nil {
								return err
							}
							var got string
							if err := client.Call("KV.Get", key, &got); err != nil {
								return err
							}
							if got != "v"+key {
								return fmt.Errorf("Get(%s) = %q after Put %q", key, got, "v"+key)
							}
							return nil
						}, anyio.Name("caller "+key))
					}
					return nil
				})
				if err != nil {
					return err
				}
				// The server's host crashes while a call is under way: the
				// call fails, one latency after the crash.
				crash := anyio.Now(ctx).Add(5 * time.Millisecond)
				tg.StartSoon(func(ctx context.Context) error {
					if err := anyio.Sleep(ctx, crash.Sub(anyio.Now(ctx))); err != nil {
						return err
					}
					nw.Crash("kv")
					return nil
				}, anyio.Name("nemesis"))
				var got string
				call := client.Go("KV.Get", "k0", &got, nil)
				if err := call.Error; err != nil {
					return fmt.Errorf("a call's error before its reply: %w", err)
				}
				for call.Error == nil {
					// Keep calling until the crash ends one.
					if err := anyio.Sleep(ctx, time.Millisecond); err != nil {
						return err
					}
					//anyiovet:ignore net/rpc's own channel: the run adopts the wait
					<-call.Done
					if call.Error == nil {
						call = client.Go("KV.Get", "k0", &got, nil)
					}
				}
				if at := anyio.Now(ctx); at.Before(crash) || at.After(crash.Add(10*time.Millisecond)) {
					return fmt.Errorf("the call failed at %v, the crash was at %v", at.Sub(crash), crash)
				}
				return nil
			})
		})
	}, hostsAt(time.Millisecond, "kv", "app"), anyio.SimWatchdog(200*time.Millisecond))
}
