package vet

import (
	"fmt"
	"go/ast"
	"go/types"
	"slices"
)

// Fatal reports the testing package's ends of a goroutine.
var Fatal = named("fatal", "t.Fatal, t.FailNow or t.Skip inside a run end a task behind the simulator's back; suggests returning an error")

// fatalMethods end the calling goroutine.
var fatalMethods = []string{"Fatal", "Fatalf", "FailNow", "Skip", "Skipf", "SkipNow"}

func (w *walker) checkFatal(call *ast.CallExpr, fn *types.Func) bool {
	if fn.Pkg().Path() != "testing" || fn.Signature().Recv() == nil || !slices.Contains(fatalMethods, fn.Name()) {
		return false
	}
	w.add("fatal", call, fmt.Sprintf("%s %s ends the calling goroutine, a task of the run, behind the simulator's back, and the failure is lost; return an error instead, and call it after the run", fn.Name(), regionInsideRun))
	return true
}
