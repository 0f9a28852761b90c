package cli

import (
	"cmp"
	"go/ast"
	"go/build"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/anyiogen/anyiogen/internal/output"
)

// userFile is a Go file in the output directory that the user wrote (it
// lacks the generated-code header) and the default build compiles.
type userFile struct {
	path string
	pkg  string // its package clause
	fset *token.FileSet
	ast  *ast.File // with comments; nil when only the package clause parses
	test bool
}

// readUserFiles reads the user's files in dir once, for every check that
// needs them: non-test files first, then by name. Only syntax is read, so a
// broken package still has its package clause.
func readUserFiles(dir string) []userFile {
	paths, _ := filepath.Glob(filepath.Join(dir, "*.go"))
	var files []userFile
	for _, path := range paths {
		if match, err := build.Default.MatchFile(filepath.Dir(path), filepath.Base(path)); err != nil || !match {
			continue
		}
		src, err := os.ReadFile(path)
		if err != nil || output.IsGenerated(src) {
			continue
		}
		uf := userFile{path: path, fset: token.NewFileSet(), test: strings.HasSuffix(path, "_test.go")}
		if f, err := parser.ParseFile(uf.fset, path, src, parser.ParseComments|parser.SkipObjectResolution); err == nil {
			uf.ast, uf.pkg = f, f.Name.Name
		} else if f, err := parser.ParseFile(uf.fset, path, src, parser.PackageClauseOnly); err == nil {
			uf.pkg = f.Name.Name
		} else {
			continue
		}
		files = append(files, uf)
	}
	isTest := func(f userFile) int {
		if f.test {
			return 1
		}
		return 0
	}
	slices.SortFunc(files, func(a, b userFile) int {
		return cmp.Or(cmp.Compare(isTest(a), isTest(b)), strings.Compare(a.path, b.path))
	})
	return files
}

// packageOf is the package the user's files declare, an external test's
// _test removed, and a file that declares it: non-test files decide, tests
// only when there is nothing else.
func packageOf(files []userFile) (name, file string, ok bool) {
	if len(files) == 0 {
		return "", "", false
	}
	return strings.TrimSuffix(files[0].pkg, "_test"), files[0].path, true
}

// hasPackageDoc reports whether one of the user's non-test files documents
// the package: then the generated doc would push theirs aside.
func hasPackageDoc(files []userFile) bool {
	return slices.ContainsFunc(files, func(f userFile) bool { return !f.test && f.ast != nil && f.ast.Doc != nil })
}
