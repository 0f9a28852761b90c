package anyiort

import (
	"sync"
	"testing"
)

// The id read from the goroutine's record is the one its traceback prints,
// on every goroutine, however many there are.
func TestGoroutineIDIsTheTracebacksID(t *testing.T) {
	const goroutines = 64
	var wg sync.WaitGroup
	errs := make(chan string, goroutines)
	for range goroutines {
		wg.Go(func() {
			if got, want := GoroutineID(), tracebackGoroutineID(); got != want {
				errs <- "GoroutineID() = " + itoa(got) + ", traceback says " + itoa(want)
			}
		})
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
	if got, want := GoroutineID(), tracebackGoroutineID(); got != want {
		t.Errorf("on the test's goroutine: GoroutineID() = %d, traceback says %d", got, want)
	}
	if currentG() != nil && goidOffset < 0 {
		t.Errorf("no offset of the id in the goroutine record was found: every id costs a traceback")
	}
	t.Logf("id offset in the goroutine record: %d (-1: tracebacks)", goidOffset)
}

func itoa(n uint64) string {
	if n == 0 {
		return "0"
	}
	var b []byte
	for ; n > 0; n /= 10 {
		b = append([]byte{byte('0' + n%10)}, b...)
	}
	return string(b)
}

func BenchmarkGoroutineID(b *testing.B) {
	b.Run("record", func(b *testing.B) {
		for b.Loop() {
			GoroutineID()
		}
	})
	b.Run("traceback", func(b *testing.B) {
		for b.Loop() {
			tracebackGoroutineID()
		}
	})
}
