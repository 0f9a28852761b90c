package vet

import (
	"fmt"
	"go/ast"
	"go/types"
	"slices"

	"golang.org/x/tools/go/analysis"
)

// Osfile reports the OS's files.
var Osfile = named("osfile", "os.Open, os.WriteFile, os.Rename, (*os.File).Sync and kin inside a run use the OS's files; suggests OpenFile, WriteFile, Rename, SyncDir")

var (
	// osFuncs are package os's functions that reach the file system.
	osFuncs = []string{"Open", "Create", "OpenFile", "ReadFile", "WriteFile", "Rename", "Remove", "RemoveAll", "Mkdir", "MkdirAll", "MkdirTemp", "CreateTemp", "ReadDir", "Stat", "Lstat", "Truncate"}
	// osSameShape are those whose counterpart in the package takes a ctx
	// first and is otherwise the same, so the fix is mechanical.
	osSameShape = []string{"ReadFile", "WriteFile", "Rename", "Remove", "Mkdir", "MkdirAll", "ReadDir", "Stat"}
	// osFileMethods are an *os.File's calls that wait for the disk.
	osFileMethods = []string{"Read", "ReadAt", "Write", "WriteAt", "WriteString", "ReadFrom", "Seek", "Sync", "Truncate", "Stat", "ReadDir", "Readdir", "Readdirnames"}
)

func (w *walker) checkOSFile(call *ast.CallExpr, fn *types.Func) bool {
	if fn.Pkg().Path() != "os" {
		return false
	}
	recv := fn.Signature().Recv()
	switch {
	case recv == nil && slices.Contains(osFuncs, fn.Name()):
		w.osFunc(call, fn.Name())
	case recvIs(recv, "File") && slices.Contains(osFileMethods, fn.Name()) && !w.stdStream(call):
		w.add("osfile", call, fmt.Sprintf("(*os.File).%s %s uses the OS's files, which the simulator cannot see or crash; open the file with %s.OpenFile and call its %s (and %s.SyncDir for a directory)", fn.Name(), regionInsideRun, w.gen(), fn.Name(), w.gen()))
	default:
		return false
	}
	return true
}

// osFunc reports os.name, with a fix to the package's function of the same
// shape where there is one.
func (w *walker) osFunc(call *ast.CallExpr, name string) {
	counterpart := name
	switch name {
	case "Open", "Create", "CreateTemp":
		counterpart = "OpenFile"
	case "Lstat":
		counterpart = "Stat"
	case "RemoveAll", "MkdirTemp", "Truncate":
		counterpart = "Remove, Mkdir or OpenFile"
	}
	msg := fmt.Sprintf("os.%s %s uses the OS's files, which the simulator cannot see or crash; use %s.%s, on the backend's disk", name, regionInsideRun, w.gen(), counterpart)
	q, ctx, ok := w.qualifier(name, call.Pos())
	if !ok || !slices.Contains(osSameShape, name) || len(call.Args) == 0 {
		w.add("osfile", call, msg)
		return
	}
	w.add("osfile", call, msg, analysis.SuggestedFix{
		Message: "Use " + q + name + " with the run's ctx",
		TextEdits: []analysis.TextEdit{
			{Pos: call.Fun.Pos(), End: call.Fun.End(), NewText: []byte(q + name)},
			{Pos: call.Args[0].Pos(), End: call.Args[0].Pos(), NewText: []byte(ctx + ", ")},
		},
	})
}

// stdStream reports whether call is a method of os.Stdin, os.Stdout or
// os.Stderr: a terminal or a pipe, not the disk.
func (w *walker) stdStream(call *ast.CallExpr) bool {
	sel, ok := ast.Unparen(call.Fun).(*ast.SelectorExpr)
	if !ok {
		return false
	}
	x, ok := ast.Unparen(sel.X).(*ast.SelectorExpr)
	if !ok {
		return false
	}
	v, ok := w.s.pass.TypesInfo.Uses[x.Sel].(*types.Var)
	return ok && v.Pkg() != nil && v.Pkg().Path() == "os" && slices.Contains([]string{"Stdin", "Stdout", "Stderr"}, v.Name())
}
