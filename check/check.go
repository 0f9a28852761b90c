// Package check says what correct means for a history of operations that
// clients of a system made concurrently: whether it is linearizable, that
// is, whether every operation can be placed at one instant between its
// call and its return so that, in that order, the operations are those of
// a sequential model. It is built on porcupine
// (github.com/anishathalye/porcupine), whose Model it uses as it is.
//
// A generated test helper records a History of a simulated run on the
// run's virtual clock and hands it here; a failing check names the
// smallest part of the history that is not linearizable (one partition of
// the model, one key of KVModel) and writes porcupine's HTML visualization
// of it.
package check

import (
	"fmt"
	"math"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/anishathalye/porcupine"
)

// Operation is one operation of a history: which client made it, its
// input and output, and when it was called and returned (virtual times on
// sim). A zero Return is an operation that never returned (its client
// crashed or gave up): it may have taken effect at any time after Call,
// and its Output is unknown (nil).
type Operation struct {
	Client        int
	Input, Output any
	Call, Return  time.Time
}

// Model is a sequential specification, porcupine's: Init, Step, Equal,
// Partition, DescribeOperation, DescribeState and the rest, with its field
// names and function types.
type Model = porcupine.Model

// Result is the verdict of Linearizable. A Result that is not OK is an
// error that names the part of the history that is not linearizable and
// where its visualization is, so a test body can return it.
type Result struct {
	OK            bool
	Visualization string // the path of porcupine's HTML visualization, written on failure ("" if it could not be)

	part string // the smallest non-linearizable part, described
}

// Error describes the failure.
func (r Result) Error() string {
	if r.OK {
		return "check: the history is linearizable"
	}
	msg := "check: the history is not linearizable: " + r.part
	if r.Visualization != "" {
		msg += "\nlinearizability visualization: " + r.Visualization + " (open it in a browser)"
	}
	return msg
}

// Part is the smallest part of the history that is not linearizable, one
// operation a line (empty when the history is).
func (r Result) Part() string { return r.part }

// Linearizable checks ops against m. On failure it finds the first
// partition of m (m.Partition, or the whole history) that is not
// linearizable by itself, describes it, and writes the visualization of
// the whole history to a temporary file, whose path Result gives.
func Linearizable(ops []Operation, m Model) Result {
	history, start := toPorcupine(ops)
	res, info := porcupine.CheckOperationsVerbose(m, history, 0)
	if res == porcupine.Ok {
		return Result{OK: true}
	}
	out := Result{part: describe(culprit(history, m), m, start)}
	if f, err := os.CreateTemp("", "linearizability-*.html"); err == nil {
		err := porcupine.Visualize(m, info, f)
		if cerr := f.Close(); err == nil && cerr == nil {
			out.Visualization = f.Name()
		} else {
			os.Remove(f.Name())
		}
	}
	return out
}

// toPorcupine converts ops to porcupine's, in nanoseconds since the first
// call; an operation that never returned returns at the end of time.
func toPorcupine(ops []Operation) ([]porcupine.Operation, time.Time) {
	var start time.Time
	for i, op := range ops {
		if i == 0 || op.Call.Before(start) {
			start = op.Call
		}
	}
	out := make([]porcupine.Operation, len(ops))
	for i, op := range ops {
		ret := int64(math.MaxInt64)
		if !op.Return.IsZero() {
			ret = int64(op.Return.Sub(start))
		}
		out[i] = porcupine.Operation{ClientId: op.Client, Input: op.Input, Output: op.Output, Call: int64(op.Call.Sub(start)), Return: ret}
	}
	return out, start
}

// culprit is the first partition of history that fails by itself.
func culprit(history []porcupine.Operation, m Model) []porcupine.Operation {
	if m.Partition == nil {
		return history
	}
	alone := m
	alone.Partition, alone.PartitionEvent = nil, nil
	for _, part := range m.Partition(history) {
		if !porcupine.CheckOperations(alone, part) {
			return part
		}
	}
	return history
}

// describe lists ops by call time: client, when, and what.
func describe(ops []porcupine.Operation, m Model, start time.Time) string {
	ops = slices.Clone(ops)
	slices.SortStableFunc(ops, func(a, b porcupine.Operation) int { return compareInt64(a.Call, b.Call) })
	var b strings.Builder
	fmt.Fprintf(&b, "%d operations", len(ops))
	for _, op := range ops {
		what := fmt.Sprintf("%v -> %v", op.Input, op.Output)
		if m.DescribeOperation != nil {
			what = m.DescribeOperation(op.Input, op.Output)
		}
		ret := "never returned"
		if op.Return != math.MaxInt64 {
			ret = "returned at " + time.Duration(op.Return).String()
		}
		fmt.Fprintf(&b, "\n\tclient %d: %s (called at %v, %s)", op.ClientId, what, time.Duration(op.Call), ret)
	}
	return b.String()
}

func compareInt64(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
