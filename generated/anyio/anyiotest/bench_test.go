package anyiotest_test

import (
	"testing"
)

// BenchmarkSeeds measures a whole Seeds sweep of 1,000 seeds of a small
// body (TestSweepOfThousand), as go test runs it: a test binary, a
// testing/synctest bubble and a trace per seed, seeds one at a time and two
// at a time. It reports seeds per second; the binary's start is included.
func BenchmarkSeeds(b *testing.B) {
	for _, parallel := range []string{"1", "2"} {
		b.Run("parallel="+parallel, func(b *testing.B) {
			for range b.N {
				if out, err := goTest("-test.run=^TestSweepOfThousand$", "-test.parallel="+parallel); err != nil {
					b.Fatalf("%v\n%s", err, out)
				}
			}
			b.ReportMetric(1000*float64(b.N)/b.Elapsed().Seconds(), "seeds/s")
		})
	}
}
