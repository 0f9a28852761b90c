//go:build (amd64 || arm64) && gc && !purego

package anyiort

import "unsafe"

// currentG is the runtime's record of the calling goroutine, from the
// thread-local slot (amd64) or the register (arm64) that holds it;
// its body is in goid_amd64.s and goid_arm64.s.
func currentG() unsafe.Pointer
