package main

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/anyiogen/anyiogen/check"
	"github.com/anyiogen/anyiogen/generated/anyio"
)

// The promise, stated as linearizability: the client's operations on the
// cluster, each between its call and its answer on the run's clock, must
// be those of one set of items, added to one at a time and read whole.
// An add the client was told was stored returned; one it was not told
// about never did (it may or may not have taken effect).

// addItem is the client's add of an item; readItems its read of them all.
type (
	addItem   struct{ Item int }
	readItems struct{}
)

// history records the client's operations on the run's clock, as the
// test helper's History does in a test; a command does not import the
// helper, which imports package testing.
type history struct {
	mu  sync.Mutex
	ops []check.Operation
}

// invoke records a call now; the function it returns records the answer.
func (h *history) invoke(ctx context.Context, input any) (answer func(ctx context.Context, output any)) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.ops = append(h.ops, check.Operation{Input: input, Call: anyio.Now(ctx)})
	i := len(h.ops) - 1
	return func(ctx context.Context, output any) {
		h.mu.Lock()
		defer h.mu.Unlock()
		h.ops[i].Output, h.ops[i].Return = output, anyio.Now(ctx)
	}
}

func (h *history) operations() []check.Operation {
	h.mu.Lock()
	defer h.mu.Unlock()
	return slices.Clone(h.ops)
}

// setModel is the sequential specification: a set of items (at most 64,
// as bits), to which add adds one and which read returns whole.
func setModel() check.Model {
	return check.Model{
		Init: func() any { return uint64(0) },
		Step: func(state, input, output any) (bool, any) {
			set := state.(uint64)
			switch in := input.(type) {
			case addItem:
				return true, set | 1<<in.Item
			case readItems:
				return output == nil || output.(uint64) == set, set
			}
			return false, set
		},
		DescribeOperation: func(input, output any) string {
			switch in := input.(type) {
			case addItem:
				if output == nil {
					return fmt.Sprintf("add(%d) -> never acknowledged", in.Item)
				}
				return fmt.Sprintf("add(%d) -> stored", in.Item)
			default:
				if output == nil {
					return "read() -> ?"
				}
				return fmt.Sprintf("read() -> %s", describeSet(output.(uint64)))
			}
		},
		DescribeState: func(state any) string { return describeSet(state.(uint64)) },
	}
}

// itemSet is items as setModel's bits.
func itemSet(items []int) uint64 {
	var set uint64
	for _, k := range items {
		set |= 1 << k
	}
	return set
}

func describeSet(set uint64) string {
	var items []string
	for k := range 64 {
		if set&(1<<k) != 0 {
			items = append(items, fmt.Sprint(k))
		}
	}
	return "{" + strings.Join(items, " ") + "}"
}
