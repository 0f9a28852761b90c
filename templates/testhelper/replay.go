package anyiotest

// How to spell "run this one test again" on the go command line.

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
)

// runPattern is the -run pattern that matches the test named test (as t.Name
// reports it, levels joined by /) and nothing else: go test matches each
// level separately, so each is anchored on its own.
func runPattern(test string) string {
	levels := strings.Split(test, "/")
	for i, l := range levels {
		levels[i] = "^" + regexp.QuoteMeta(l) + "$"
	}
	return strings.Join(levels, "/")
}

// shellQuote quotes s for a POSIX shell.
func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// packageArg names the package under test for go test. go test runs a test
// binary in its package's directory, so that is the working directory; its
// import path, worked out from the enclosing go.mod, works from anywhere in
// the module. Without a go.mod it is the directory itself.
var packageArg = sync.OnceValue(func() string {
	dir, err := os.Getwd()
	if err != nil {
		return "."
	}
	if path, ok := importPath(dir); ok {
		return path
	}
	return dir
})

// importPath returns the import path of the package in dir, from the module
// path in the nearest go.mod at or above dir.
func importPath(dir string) (string, bool) {
	for root := dir; ; {
		if data, err := os.ReadFile(filepath.Join(root, "go.mod")); err == nil {
			mod, ok := modulePath(data)
			if !ok {
				return "", false
			}
			rel, err := filepath.Rel(root, dir)
			if err != nil {
				return "", false
			}
			if rel == "." {
				return mod, true
			}
			return mod + "/" + filepath.ToSlash(rel), true
		}
		parent := filepath.Dir(root)
		if parent == root {
			return "", false
		}
		root = parent
	}
}

// modulePath returns the path in go.mod's module directive.
func modulePath(gomod []byte) (string, bool) {
	for line := range strings.Lines(string(gomod)) {
		f := strings.Fields(line)
		if len(f) < 2 || f[0] != "module" {
			continue
		}
		if p, err := strconv.Unquote(f[1]); err == nil {
			return p, true
		}
		return f[1], true
	}
	return "", false
}

// replayCommands tells how to run the subtest named test (as t.Name reports
// it) on its own. A scheduler other than the default, and the determinism
// check, are part of the replay.
func replayCommands(test string, seed int64, flags sweepFlags) string {
	pkg := packageArg()
	extra := ""
	if flags.sched != "" && flags.sched != "random" {
		extra = " -anyio.sched=" + flags.sched
	}
	if flags.determinism {
		extra += " -anyio.checkdeterminism"
	}
	return fmt.Sprintf("    replay this seed: go test -run %s %s%s\n               or: go test %s -anyio.seed=%d%s",
		shellQuote(runPattern(test)), pkg, extra, pkg, seed, extra)
}
