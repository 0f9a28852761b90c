package anyiotest

import (
	"context"
	"sync"

	"github.com/anyiogen/anyiogen/generated/anyio"
)

// History records the operations that a test's clients make on the system
// under test, each with the time it was called and the time it returned on
// the run's clock (virtual on sim), for check.Linearizable (package
// github.com/anyiogen/anyiogen/check). Its methods are safe for concurrent
// use.
type History struct {
	mu  sync.Mutex
	ops []historyOp
}

// NewHistory returns an empty history of the run ctx belongs to.
func NewHistory(ctx context.Context) *History { return &History{} }

// Op is an operation called and not yet returned: Return records its
// output.
type Op struct {
	h *History
	i int
}

// Invoke records that client calls input now, and returns the operation,
// whose Return the client calls once it has the output. An operation never
// returned (its client crashed or gave up) may have taken effect at any
// time after it was called, with an unknown output.
func (h *History) Invoke(ctx context.Context, client int, input any) Op {
	now := anyio.Now(ctx)
	h.mu.Lock()
	defer h.mu.Unlock()
	h.ops = append(h.ops, historyOp{Client: client, Input: input, Call: now})
	return Op{h: h, i: len(h.ops) - 1}
}

// Return records that the operation returned output now.
func (op Op) Return(ctx context.Context, output any) {
	now := anyio.Now(ctx)
	op.h.mu.Lock()
	defer op.h.mu.Unlock()
	op.h.ops[op.i].Output = output
	op.h.ops[op.i].Return = now
}
