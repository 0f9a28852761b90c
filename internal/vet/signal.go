package vet

import (
	"fmt"
	"go/ast"
	"go/types"
)

// Signal reports the process's signals taken through os/signal.
var Signal = named("signal", "signal.Notify and signal.NotifyContext inside a run deliver the OS's signals on a channel the simulator cannot see; suggests OpenSignalReceiver")

func (w *walker) checkSignal(call *ast.CallExpr, fn *types.Func) bool {
	if !isFunc(fn, "os/signal", "Notify", "NotifyContext") {
		return false
	}
	w.add("signal", call, fmt.Sprintf("signal.%s %s delivers the OS's signals on a channel, which the simulator cannot see or send; use %s.OpenSignalReceiver (on sim, SimNetwork.Signal sends a host a signal at a virtual instant)", fn.Name(), regionInsideRun, w.gen()))
	return true
}
