package cli

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// importPathOf is the import path of the package in dir, from the module
// path in the nearest go.mod at or above it: the test helper imports the
// generated package by it.
func importPathOf(dir string) (string, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	for root := abs; ; {
		data, err := os.ReadFile(filepath.Join(root, "go.mod"))
		if err == nil {
			mod, ok := modulePath(data)
			if !ok {
				return "", fmt.Errorf("%s has no module line, so %s has no import path", filepath.Join(root, "go.mod"), dir)
			}
			rel, err := filepath.Rel(root, abs)
			if err != nil {
				return "", err
			}
			if rel == "." {
				return mod, nil
			}
			return mod + "/" + filepath.ToSlash(rel), nil
		}
		if !errors.Is(err, os.ErrNotExist) {
			return "", err
		}
		parent := filepath.Dir(root)
		if parent == root {
			return "", fmt.Errorf("no go.mod at or above %s, so the generated package has no import path for its test helper to use", dir)
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
