package check_test

import (
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/anyiogen/anyiogen/check"
)

var t0 = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)

func at(ms int) time.Time { return t0.Add(time.Duration(ms) * time.Millisecond) }

func op(client int, call, ret int, in check.KVInput, out any) check.Operation {
	o := check.Operation{Client: client, Input: in, Output: out, Call: at(call)}
	if ret >= 0 {
		o.Return = at(ret)
	}
	return o
}

func put(k, v string) check.KVInput { return check.KVInput{Op: "put", Key: k, Value: v} }
func get(k string) check.KVInput    { return check.KVInput{Op: "get", Key: k} }
func read(v string) check.KVOutput  { return check.KVOutput{Value: v} }

func TestConcurrentOperationsMayTakeEffectInEitherOrder(t *testing.T) {
	ops := []check.Operation{
		op(0, 0, 10, put("x", "1"), check.KVOutput{}),
		op(1, 5, 15, get("x"), read("")), // overlaps the put: may see before it
		op(1, 20, 30, get("x"), read("1")),
	}
	if res := check.Linearizable(ops, check.KVModel()); !res.OK {
		t.Fatalf("a linearizable history was refused: %v", res)
	}
}

func TestAStaleReadAfterAWriteReturnedIsNotLinearizable(t *testing.T) {
	ops := []check.Operation{
		op(0, 0, 10, put("x", "1"), check.KVOutput{}),
		op(0, 0, 10, put("y", "1"), check.KVOutput{}),
		op(1, 20, 30, get("y"), read("1")),
		op(1, 40, 50, get("x"), read("")), // after the put returned: stale
	}
	res := check.Linearizable(ops, check.KVModel())
	if res.OK {
		t.Fatal("a stale read passed")
	}
	if res.Visualization == "" {
		t.Fatal("no visualization was written")
	}
	defer os.Remove(res.Visualization)
	html, err := os.ReadFile(res.Visualization)
	if err != nil || !strings.Contains(string(html), "<html") {
		t.Fatalf("the visualization is not HTML: %v", err)
	}
	part := res.Part()
	if !strings.Contains(part, `get("x") -> ""`) || strings.Contains(part, `"y"`) {
		t.Fatalf("the culprit should be key x's operations alone, got:\n%s", part)
	}
	var asErr check.Result
	if err := error(res); !errors.As(err, &asErr) || !strings.Contains(err.Error(), res.Visualization) {
		t.Fatalf("the Result as an error: %v", err)
	}
}

func TestAnOperationThatNeverReturnedMayHaveHappened(t *testing.T) {
	ops := []check.Operation{
		op(0, 0, -1, put("x", "1"), nil), // its client crashed
		op(1, 20, 30, get("x"), read("1")),
		op(1, 40, 50, get("x"), read("1")),
	}
	if res := check.Linearizable(ops, check.KVModel()); !res.OK {
		t.Fatalf("a put that never returned may have happened: %v", res)
	}
	ops = append(ops, op(1, 60, 70, get("x"), read("")))
	if res := check.Linearizable(ops, check.KVModel()); res.OK {
		t.Fatal("the put cannot be undone once a read saw it")
	} else {
		os.Remove(res.Visualization)
	}
}

func TestAppend(t *testing.T) {
	ops := []check.Operation{
		op(0, 0, 10, check.KVInput{Op: "append", Key: "l", Value: "a"}, check.KVOutput{}),
		op(1, 0, 10, check.KVInput{Op: "append", Key: "l", Value: "b"}, check.KVOutput{}),
		op(2, 20, 30, get("l"), read("ba")),
	}
	if res := check.Linearizable(ops, check.KVModel()); !res.OK {
		t.Fatalf("concurrent appends may land in either order: %v", res)
	}
}
