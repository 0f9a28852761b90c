//go:build anyiogen_standalone

package anyiotest

import "time"

// Operation is an operation of a History. This helper was generated with
// -standalone, so it imports only the standard library; check.Operation
// has the same fields, so check.Operation(op) converts one.
type Operation struct {
	Client        int
	Input, Output any
	Call, Return  time.Time
}

// historyOp is an operation as a History keeps it.
type historyOp = Operation

// Operations returns the history so far, in the order the operations were
// called; one not returned has a zero Return and a nil Output. Convert
// each with check.Operation(op) for check.Linearizable.
func (h *History) Operations() []Operation {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]Operation(nil), h.ops...)
}
