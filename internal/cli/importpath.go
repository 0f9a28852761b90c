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
	root, err := moduleRoot(dir)
	if err != nil {
		return "", fmt.Errorf("%w, so the generated package has no import path for its test helper to use", err)
	}
	gomod := filepath.Join(root, "go.mod")
	data, err := os.ReadFile(gomod)
	if err != nil {
		return "", err
	}
	mod, ok := modulePath(data)
	if !ok {
		return "", fmt.Errorf("%s has no module line, so %s has no import path", gomod, dir)
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", err
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

// moduleRoot is the directory of the nearest go.mod at or above dir.
func moduleRoot(dir string) (string, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	for root := abs; ; {
		if _, err := os.Stat(filepath.Join(root, "go.mod")); err == nil {
			return root, nil
		} else if !errors.Is(err, os.ErrNotExist) {
			return "", err
		}
		parent := filepath.Dir(root)
		if parent == root {
			return "", fmt.Errorf("no go.mod at or above %s", dir)
		}
		root = parent
	}
}
