// Package exampletest runs an example program's logic in a test.
package exampletest

import (
	"bytes"
	"io"
	"testing"
	"time"
)

// Run calls run (an example's main logic) on backend with seed and returns
// what it printed, failing the test if it fails or takes over a minute.
func Run(t *testing.T, run func(w io.Writer, backend string, seed int64) error, backend string, seed int64) string {
	t.Helper()
	var out bytes.Buffer
	done := make(chan error, 1)
	go func() { done <- run(&out, backend, seed) }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("run on %s, seed %d: %v", backend, seed, err)
		}
	case <-time.After(time.Minute):
		t.Fatalf("run on %s, seed %d, did not return within a minute", backend, seed)
	}
	return out.String()
}
