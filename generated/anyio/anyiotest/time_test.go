package anyiotest_test

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/anyiogen/anyiogen/generated/anyio"
	"github.com/anyiogen/anyiogen/generated/anyio/anyiotest"
)

// "In a sim run started by anyiotest, time.Now, time.Sleep, time.After,
// timers and context.WithTimeout follow the run's virtual clock."
func TestContextWithTimeoutFollowsTheVirtualClock(t *testing.T) {
	anyiotest.Seeds(t, 5, func(t *testing.T, ctx context.Context) error {
		//anyiovet:ignore the test: the time package inside a bubble follows the run's clock
		start, wallStart := anyio.Now(ctx), time.Now()
		//anyiovet:ignore the test: the time package inside a bubble follows the run's clock
		ctx2, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
		defer cancel()
		err := anyio.Sleep(ctx2, time.Hour)
		if !errors.Is(err, context.DeadlineExceeded) {
			return fmt.Errorf("an hour's Sleep under a 100ms context.WithTimeout returned %v, want context.DeadlineExceeded", err)
		}
		//anyiovet:ignore the test: the time package inside a bubble follows the run's clock
		if virtual, wall := anyio.Now(ctx).Sub(start), time.Since(wallStart); virtual != 100*time.Millisecond || wall != 100*time.Millisecond {
			return fmt.Errorf("the deadline struck after %v of virtual time and %v by time.Since, want exactly 100ms on both", virtual, wall)
		}
		return nil
	})
}

func TestTimePackageFollowsTheVirtualClock(t *testing.T) {
	anyiotest.Seeds(t, 5, func(t *testing.T, ctx context.Context) error {
		start := anyio.Now(ctx)
		//anyiovet:ignore the test: the time package inside a bubble follows the run's clock
		if !time.Now().Equal(start) {
			//anyiovet:ignore the test: the time package inside a bubble follows the run's clock
			return fmt.Errorf("time.Now() = %v at the start of the run, want the run's clock, %v", time.Now(), start)
		}
		var log []string
		stamp := func(what string) {
			//anyiovet:ignore the test: the time package inside a bubble follows the run's clock
			log = append(log, fmt.Sprintf("%s at %v (time.Since %v)", what, anyio.Now(ctx).Sub(start), time.Since(start)))
		}
		//anyiovet:ignore the test: the time package inside a bubble follows the run's clock
		time.Sleep(2 * time.Second)
		stamp("time.Sleep(2s)")
		//anyiovet:ignore the test: the time package inside a bubble follows the run's clock
		<-time.After(time.Second)
		stamp("time.After(1s)")
		//anyiovet:ignore the test: the time package inside a bubble follows the run's clock
		tm := time.NewTimer(10 * time.Second)
		defer tm.Stop()
		if err := anyio.Sleep(ctx, 5*time.Second); err != nil {
			return err
		}
		stamp("anyio.Sleep(5s)")
		//anyiovet:ignore the test: the time package inside a bubble follows the run's clock
		<-tm.C
		stamp("time.NewTimer(10s)")
		want := "time.Sleep(2s) at 2s (time.Since 2s); time.After(1s) at 3s (time.Since 3s); " +
			"anyio.Sleep(5s) at 8s (time.Since 8s); time.NewTimer(10s) at 13s (time.Since 13s)"
		if got := strings.Join(log, "; "); got != want {
			return fmt.Errorf("events: %s\nwant:   %s", got, want)
		}
		return nil
	})
}

// "A task that blocks outside the package is reported without waiting on
// the wall clock where the test's bubble can tell (a raw channel)."
func TestRawChannelBlockIsReportedAtOnce(t *testing.T) {
	out, err := goTest("-test.run=^TestRawChannelBlock$")
	want := `on sim with seed 0: anyio sim: task "waiter" (task 2): it is blocked forever outside the simulator: chan receive (durable) in github.com/anyiogen/anyiogen/generated/anyio/anyiotest_test.TestRawChannelBlock.func1.1.1 at `
	if err == nil || !strings.Contains(out, want) {
		t.Errorf("err = %v, want a failure whose output contains %q; output:\n%s", err, want, out)
	}
	if strings.Contains(out, "of wall time") {
		t.Errorf("the block was reported by the wall-clock watcher, want the bubble to report it at once; output:\n%s", out)
	}
}

// "... and after SimWatchdog(d) elsewhere; in no case does a run hang
// silently: it ends with a report naming the task and what it is stuck in."
func TestMutexBlockIsReportedByTheWatcher(t *testing.T) {
	_, err := goTest("-test.run=^TestMutexBlock$")
	want := regexp.MustCompile(`panic: anyiotest: TestMutexBlock(/seed=0)?: anyio sim: task "locker" \(task 2\) has not reached a scheduling point for 200ms of wall time; it is blocked outside the simulator: sync\.Mutex\.Lock in github\.com/anyiogen/anyiogen/generated/anyio/anyiotest_test\.TestMutexBlock\.func1\.1\.1 at `)
	if err == nil || !want.MatchString(err.Error()) {
		t.Errorf("err = %v, want the test binary stopped by a panic that matches %s", err, want)
	}
}
