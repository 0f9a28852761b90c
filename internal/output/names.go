package output

import (
	"path/filepath"
	"strings"
)

// What anyiogen calls the files it writes, and how it knows its own among
// the user's: every name is decided here.

// GlueFile is the package's file that ties the templates together.
const GlueFile = "anyio.go"

// PackageFile names a template's file in the package: anyio_<file> for
// the core, anyio_<layer>_<file> for a backend's, with the sub-home after
// the layer for a sub-home's (anyio_sim_trace_record.go).
func PackageFile(parts ...string) string { return "anyio_" + strings.Join(parts, "_") }

// ownsPackageFile reports whether name is one the generator writes in the
// package's directory: only such files are removed as stale.
func ownsPackageFile(name string) bool {
	return name == GlueFile || strings.HasPrefix(name, "anyio_") && (strings.HasSuffix(name, ".go") || strings.HasSuffix(name, ".s"))
}

// HelperDir is the directory of the package's test helper, <pkg>test.
func HelperDir(dir, pkg string) string { return filepath.Join(dir, pkg+"test") }

// HelperFile names a test helper template's file.
func HelperFile(name string) string { return "anyio_testhelper_" + name }

// OwnsHelperFile reports whether name is one the generator writes in the
// helper's directory, which may hold the user's files too.
func OwnsHelperFile(name string) bool {
	return strings.HasPrefix(name, "anyio_testhelper_") && strings.HasSuffix(name, ".go")
}
