// Package anyiotest runs a test body on every backend of package anyio, as
// AnyIO's pytest plugin does, and on the sim backend over many seeds, many
// schedules and fuzzed schedules.
//
//	func TestEcho(t *testing.T) {
//		anyiotest.Run(t, func(t *testing.T, ctx context.Context) error {
//			tx, rx := anyio.NewMemoryObjectStream[string](1)
//			if err := tx.Send(ctx, "hi"); err != nil {
//				return err
//			}
//			got, err := rx.Receive(ctx)
//			if err == nil && got != "hi" {
//				err = fmt.Errorf("Receive = %q, want %q", got, "hi")
//			}
//			return err
//		})
//	}
//
// go test then reports the subtests TestEcho/sim and TestEcho/std. [Seeds]
// runs a body on sim once per seed, so that each seed tries another
// interleaving of the tasks, and tells how to replay the seed that failed;
// [Fuzz] lets go test -fuzz search the schedules themselves.
//
// anyiogen -testhelper writes this package beside every package it
// generates, bound to it, so that each copy has its own helper and its own
// options (Network, SimWatchdog, ...) work in it.
//
// # Inside a run, return errors; never call t.Fatal
//
// The body and its tasks run inside [anyio.Run]. A failure inside is an error
// returned by the body (or by a task, which the task group passes up), or a
// call to t.Errorf or t.Logf, which are safe from any goroutine. Never call
// t.Fatal, t.FailNow, t.Skip or t.SkipNow inside the run: they end the
// calling goroutine with runtime.Goexit. On sim that goroutine is a task
// that the simulator schedules; ending it behind the simulator's back turns
// the run into an error about runtime.Goexit (for the main task) or a
// deadlock or watchdog report, and the real failure is lost. On std, tasks
// run on goroutines of their own, where testing forbids FailNow. Call them
// after Run or Seeds returns, or return an error instead.
//
// # Time and hangs
//
// Every sim run of Run, Seeds and Fuzz runs inside a testing/synctest
// bubble (synctest.Test), whose fake clock is the run's virtual clock:
// time.Now, time.Sleep, timers, time.After and context.WithTimeout in the
// body and its tasks all follow virtual time, so a library that keeps its
// own deadlines behaves as it would in production, in no wall time. The t
// that body receives is then the bubble's: it must not call t.Run,
// t.Parallel or t.Deadline.
//
// A sim run does not hang silently. When every task is blocked and no timer
// is pending, anyio.Run returns an error matching [anyio.ErrDeadlock] that
// names the blocked tasks. A task blocked on a raw channel that nothing
// will ever send on is reported at once, with the line it is stuck on. A
// block the bubble cannot see (a sync.Mutex, a system call, a busy loop)
// is caught by a watcher outside the bubble after the run's watchdog
// period ([anyio.SimWatchdog], 5 s by default), which stops the test binary
// with a report naming the task and where it is stuck: such a run cannot
// be unwound. A task that spins on Checkpoint waiting for virtual time to
// pass does keep the run busy forever, as on any virtual clock: wait with
// Sleep instead. A std run is bounded by go test -timeout, whose report
// names the subtest that was running.
//
// # Flags
//
// The package registers these flags with the flag package, for the test
// binaries that import it (a binary that imports the helpers of two
// generated packages has one set, which both read):
//
//	-anyio.seed=N             Seeds runs seed N only
//	-anyio.shard=I/N          Seeds runs only the seeds s with s%N == I
//	-anyio.sched=random       the scheduler: random, or pct:D (PCT of depth D)
//	-anyio.checkdeterminism   each seed runs twice; a difference fails, naming the first differing event
//
// Pass them to go test after the package, with the equals sign:
// go test ./pkg -anyio.seed=17. Only the test binaries that import the
// helper know them, so give them one package at a time.
package anyiotest
