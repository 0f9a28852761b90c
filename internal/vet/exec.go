package vet

import (
	"fmt"
	"go/ast"
	"go/types"
	"slices"
)

// Exec reports programs run through os/exec.
var Exec = named("exec", "(*exec.Cmd).Run, Output, CombinedOutput, Start and Wait inside a run wait for a process the simulator cannot see; suggests RunProcess, OpenProcess")

func (w *walker) checkExec(call *ast.CallExpr, fn *types.Func) bool {
	if fn.Pkg().Path() != "os/exec" || !recvIs(fn.Signature().Recv(), "Cmd") || !slices.Contains([]string{"Run", "Output", "CombinedOutput", "Start", "Wait"}, fn.Name()) {
		return false
	}
	w.add("exec", call, fmt.Sprintf("(*exec.Cmd).%s %s waits for a process, which the simulator cannot see or run; use %s.RunProcess or %s.OpenProcess (on sim, SimProgram says what a program does)", fn.Name(), regionInsideRun, w.gen(), w.gen()))
	return true
}
