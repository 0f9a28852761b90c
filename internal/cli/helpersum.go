package cli

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
)

// helperDependency is the one module outside the standard library and
// anyiogen that a test helper importing the runtime (not -standalone)
// needs: the package github.com/anyiogen/anyiogen/check, which its
// linearizability check uses, is built on it.
const helperDependency = "github.com/anishathalye/porcupine"

// helperSumNote is a line for stderr when the module that holds dir has no
// go.sum entry for helperDependency. The go command's default,
// -mod=readonly, then refuses to build the new helper ("missing go.sum
// entry"), and the remedy, go mod tidy, is better said before that. It is
// empty when the module's go.sum, or the go.work.sum of a workspace above
// it, has the entry, and when dir is in no module (importPathOf has said so
// already).
func helperSumNote(dir, helperDir string) string {
	root, err := moduleRoot(dir)
	if err != nil || hasSum(filepath.Join(root, "go.sum")) {
		return ""
	}
	for d := root; ; d = filepath.Dir(d) {
		if hasSum(filepath.Join(d, "go.work.sum")) {
			return ""
		}
		if filepath.Dir(d) == d {
			break
		}
	}
	return fmt.Sprintf("anyiogen: note: %s imports github.com/anyiogen/anyiogen/check, which needs %s, and %s has no entry for it: run go mod tidy in %s",
		helperDir, helperDependency, filepath.Join(root, "go.sum"), root)
}

// hasSum reports whether the go.sum-format file at path lists
// helperDependency.
func hasSum(path string) bool {
	data, err := os.ReadFile(path)
	return err == nil && bytes.Contains(data, []byte(helperDependency+" "))
}
