// Package cli is the anyiogen command: flags, the spec, rendering, and the
// write or -check step. cmd/anyiogen is a thin main around Run.
package cli

import (
	"errors"
	"flag"
	"fmt"
	"go/token"
	"io"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"

	"github.com/anyiogen/anyiogen"
	"github.com/anyiogen/anyiogen/internal/gen"
	"github.com/anyiogen/anyiogen/internal/output"
	"github.com/anyiogen/anyiogen/internal/spec"
)

// Exit statuses.
const (
	exitOK    = 0
	exitStale = 1 // -check found a difference
	exitError = 2 // bad flags, a bad spec, or a refused write
)

// apiPath is the import path the conformance templates test.
const apiPath = "github.com/anyiogen/anyiogen/generated/anyio"

type config struct {
	dir, pkg, backends, primitives, specFile string
	standalone, tests, check, version        bool
	testHelper                               bool
}

// Run is the whole anyiogen command, minus os.Exit: it returns the exit
// status, so that tests can call it.
func Run(args []string, stdout, stderr io.Writer) int {
	// 1. Flags.
	var c config
	fs := flag.NewFlagSet("anyiogen", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&c.dir, "o", ".", "write into `DIR`")
	fs.StringVar(&c.pkg, "pkg", "", "package `NAME` (default: the package already in DIR, else the directory's name)")
	fs.StringVar(&c.backends, "backends", "", "comma-separated backends to emit (default: all)")
	fs.StringVar(&c.primitives, "primitives", "", "comma-separated primitives to emit (default: all; what they need comes along)")
	fs.StringVar(&c.specFile, "spec", "", "read the API spec from `FILE` instead of the embedded one")
	fs.BoolVar(&c.standalone, "standalone", false, "inline the shared runtime: the output imports only the standard library")
	fs.BoolVar(&c.tests, "tests", false, "also emit the conformance tests, run on every emitted backend")
	fs.BoolVar(&c.testHelper, "testhelper", false, "also write the test helper package <pkg>test (Run, Seeds, Fuzz) into DIR/<pkg>test")
	fs.BoolVar(&c.check, "check", false, "write nothing; exit 1 if the files on disk differ from what would be written")
	fs.BoolVar(&c.version, "version", false, "print the version and exit")
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: anyiogen [flags]\n\nanyiogen writes a portable structured-concurrency API into a Go package.\n\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitError
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "anyiogen: unexpected argument %q: every option is a flag (see anyiogen -h)\n", fs.Arg(0))
		return exitError
	}
	if c.version {
		fmt.Fprintf(stdout, "anyiogen %s\n", version())
		return exitOK
	}
	code, err := generate(c, stdout, stderr)
	if err != nil {
		fmt.Fprintf(stderr, "anyiogen: %v\n", err)
	}
	return code
}

// generate is the command after its flags: the spec, the files rendered in
// memory, the plans that compare them with the disk, then a check or one
// write of everything.
func generate(c config, stdout, stderr io.Writer) (int, error) {
	if c.dir == "" {
		return exitError, errors.New("-o: empty directory name")
	}
	s, err := loadSpec(c.specFile)
	if err != nil {
		return exitError, err
	}
	r, err := renderFor(c, s)
	if err != nil {
		return exitError, err
	}
	plans, err := r.plans()
	if err != nil {
		return exitError, err
	}
	if c.check {
		return checkPlans(plans, stdout)
	}
	// The package and its helper are written together: all or none.
	if err := output.ApplyAll(plans...); err != nil {
		return exitError, dirError(c.dir, err)
	}
	if c.testHelper && !c.standalone {
		if note := helperSumNote(c.dir, r.helperDir); note != "" {
			fmt.Fprintln(stderr, note)
		}
	}
	return exitOK, nil
}

// loadSpec reads the spec: the embedded one, or the file given with -spec.
func loadSpec(file string) (*spec.Spec, error) {
	if file == "" {
		data, err := anyiogen.Sources.ReadFile(anyiogen.DefaultSpec)
		if err != nil {
			return nil, err
		}
		return spec.Parse(anyiogen.DefaultSpec, data)
	}
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("-spec: %w", err)
	}
	return spec.Parse(file, data)
}

// rendered is what anyiogen would write: the package's files and, with
// -testhelper, the helper's, beside the user's files they must live with.
type rendered struct {
	dir, pkg    string
	users       []userFile
	files       map[string][]byte
	helperDir   string
	helperFiles map[string][]byte // nil without -testhelper: its files go
}

// renderFor renders the package c asks for, and its test helper, in
// memory.
func renderFor(c config, s *spec.Spec) (*rendered, error) {
	r := &rendered{dir: c.dir, pkg: c.pkg, users: readUserFiles(c.dir)}
	if r.pkg == "" {
		var err error
		if r.pkg, err = defaultPackage(c.dir, r.users); err != nil {
			return nil, err
		}
	}
	g := &gen.Generator{Spec: s, Sources: anyiogen.Sources, APIPath: apiPath}
	opts := gen.Options{
		Package:      r.pkg,
		Backends:     splitList(c.backends),
		Primitives:   splitList(c.primitives),
		Standalone:   c.standalone,
		Tests:        c.tests,
		NoPackageDoc: hasPackageDoc(r.users),
	}
	var err error
	if r.files, err = g.Generate(opts); err != nil {
		return nil, err
	}
	// The test helper lives in DIR/<pkg>test. Without -testhelper its
	// generated files there, if any, are stale and go.
	r.helperDir = output.HelperDir(c.dir, r.pkg)
	if !c.testHelper {
		return r, nil
	}
	importPath, err := importPathOf(c.dir)
	if err != nil {
		return nil, fmt.Errorf("-testhelper: %w", err)
	}
	if r.helperFiles, err = g.TestHelper(opts, importPath); err != nil {
		return nil, err
	}
	if err := checkPackage(r.pkg+"test", readUserFiles(r.helperDir)); err != nil {
		return nil, fmt.Errorf("-testhelper: %w", err)
	}
	return r, nil
}

// plans checks the rendered files against the user's and compares them with
// the disk: the package's directory, then the helper's.
func (r *rendered) plans() ([]*output.Plan, error) {
	if err := checkPackage(r.pkg, r.users); err != nil {
		return nil, err
	}
	if err := checkCollisions(r.dir, r.pkg, r.files, r.users); err != nil {
		return nil, err
	}
	plan, err := output.NewPlan(r.dir, r.files, output.IsGenerated)
	if err != nil {
		return nil, dirError(r.dir, err)
	}
	helperPlan, err := output.NewPlanOwning(r.helperDir, r.helperFiles, output.IsGenerated, output.OwnsHelperFile)
	if err != nil {
		return nil, dirError(r.helperDir, err)
	}
	return []*output.Plan{plan, helperPlan}, nil
}

// checkPlans is -check: the diff of every stale file, and exit status 1,
// or 0 when everything is up to date.
func checkPlans(plans []*output.Plan, stdout io.Writer) (int, error) {
	var stale []string
	for _, p := range plans {
		if !p.UpToDate() {
			stdout.Write(p.Diff())
			stale = append(stale, fmt.Sprintf("%s is stale: %d file(s) to write, %d to remove", p.Dir, len(p.Write), len(p.Remove)))
		}
	}
	if len(stale) == 0 {
		return exitOK, nil
	}
	return exitStale, fmt.Errorf("%s; run anyiogen without -check", strings.Join(stale, "; "))
}

// defaultPackage is the package clause already in dir (the user's
// files), else $GOPACKAGE when dir is the directory go generate runs in,
// else the directory's name. It reads package clauses only: the package may
// be broken, and must not need a type check.
func defaultPackage(dir string, users []userFile) (string, error) {
	if name, _, ok := packageOf(users); ok {
		return name, nil
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	if p := os.Getenv("GOPACKAGE"); p != "" && !strings.HasSuffix(p, "_test") {
		if wd, err := os.Getwd(); err == nil && wd == abs {
			return p, nil
		}
	}
	base := filepath.Base(abs)
	if !token.IsIdentifier(base) {
		return "", fmt.Errorf("-pkg: directory name %q is not a Go package name; give one with -pkg", base)
	}
	return base, nil
}

// checkPackage refuses a package name that differs from the one the user's
// files already have: the directory would hold two packages.
func checkPackage(pkg string, users []userFile) error {
	if name, file, ok := packageOf(users); ok && name != pkg {
		return fmt.Errorf("-pkg: %q, but %s is package %s; a directory holds one package", pkg, file, name)
	}
	return nil
}

func splitList(s string) []string {
	var out []string
	for _, part := range strings.Split(s, ",") {
		if part = strings.TrimSpace(part); part != "" {
			out = append(out, part)
		}
	}
	return out
}

// version is the module version the binary was built from.
func version() string {
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" {
		return bi.Main.Version
	}
	return "(devel)"
}

// dirError names -o in an error about the output directory, unless it is a
// refusal, which names its file already.
func dirError(dir string, err error) error {
	var refused *output.RefusedError
	if errors.As(err, &refused) {
		return err
	}
	return fmt.Errorf("-o %s: %w", dir, err)
}
