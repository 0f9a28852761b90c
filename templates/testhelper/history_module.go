//go:build !anyiogen_standalone

package anyiotest

import "github.com/anyiogen/anyiogen/check"

// historyOp is an operation as a History keeps it.
type historyOp = check.Operation

// Operations returns the history so far, in the order the operations were
// called, for check.Linearizable; one not returned has a zero Return and a
// nil Output.
func (h *History) Operations() []check.Operation {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]check.Operation(nil), h.ops...)
}
