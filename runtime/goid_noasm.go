//go:build !((amd64 || arm64) && gc && !purego)

package anyiort

import "unsafe"

// currentG is nil where no assembly reads the goroutine's record: ids come
// from tracebacks.
func currentG() unsafe.Pointer { return nil }
