package vet

import (
	"fmt"
	"go/ast"
)

// Goroutine reports go statements.
var Goroutine = named("goroutine", "a go statement inside a run starts a goroutine the simulator does not schedule; suggests a TaskGroup's StartSoon")

func (w *walker) goStmt(n *ast.GoStmt) {
	w.add("goroutine", n, fmt.Sprintf("a go statement %s starts a goroutine the simulator does not schedule; start a task with a TaskGroup's StartSoon", regionInsideRun))
}
