package anyiotest_test

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/anyiogen/anyiogen/internal/leaktest"
)

// TestMain fails the package when a test leaves a goroutine or a file
// descriptor behind.
func TestMain(m *testing.M) { leaktest.Main(m) }

// demoEnv, set in the environment of a child test binary, lets the demo
// tests run; they are skipped otherwise. The demos fail on purpose, so they
// only ever run in a child, where goTest reads what they report.
const demoEnv = "ANYIOTEST_DEMO"

// demoOnly skips the calling demo test unless this binary is goTest's child.
func demoOnly(t *testing.T) {
	t.Helper()
	if os.Getenv(demoEnv) != "1" {
		t.Skip("a demo that the examples and tests of anyiotest run in a child process")
	}
}

// goTestBound bounds one child test binary.
const goTestBound = 2 * time.Minute

// goTest runs this test binary again, as go test would, with the demos
// enabled and the test flags args (such as "-test.run=^TestX$"), and returns
// its standard output made independent of the machine: durations and file:line
// prefixes are cut, and the last line (PASS, FAIL, exit status) is dropped.
// err is the binary's exit error, if any; a failing test makes one.
//
// Seeds run one at a time (-test.parallel=1) unless args say otherwise, so
// that what a failing sweep prints does not depend on which seeds a second
// worker had started.
func goTest(args ...string) (out string, err error) { return goTestEnv(nil, args...) }

// goTestEnv is goTest with env added to the child's environment.
func goTestEnv(env []string, args ...string) (out string, err error) {
	if !slices.ContainsFunc(args, func(a string) bool { return strings.HasPrefix(a, "-test.parallel") }) {
		args = append(args, "-test.parallel=1")
	}
	ctx, cancel := context.WithTimeout(context.Background(), goTestBound)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0], args...)
	// A binary built with -race sleeps a second as it exits, to catch races
	// at exit (the race runtime's atexit_sleep_ms): a child has none.
	cmd.Env = append(append(os.Environ(), demoEnv+"=1", "GORACE="+strings.TrimSpace(os.Getenv("GORACE")+" atexit_sleep_ms=0")), env...)
	raw, err := cmd.Output()
	var exit *exec.ExitError
	if errors.As(err, &exit) && len(exit.Stderr) > 0 {
		err = errors.Join(err, errors.New(string(exit.Stderr)))
	}
	return normalize(string(raw)), err
}

var (
	durationRE = regexp.MustCompile(` \(\d+\.\d+s\)$`)
	// helperLineRE is the helper's own file:line, which moves whenever the
	// helper is edited; a test file's line is kept.
	helperLineRE = regexp.MustCompile(`^(\s*)anyio_testhelper_\w+\.go:\d+: `)
)

// normalize makes go test's output the same on every machine and run.
func normalize(out string) string {
	var b strings.Builder
	for line := range strings.Lines(out) {
		line = strings.TrimRight(line, "\n")
		switch {
		case line == "PASS", line == "FAIL", strings.HasPrefix(line, "exit status "),
			strings.HasPrefix(line, "testing: warning: no tests to run"):
			continue
		}
		line = durationRE.ReplaceAllString(line, "")
		line = strings.ReplaceAll(line, os.TempDir(), "$TMPDIR")
		line = helperLineRE.ReplaceAllString(line, "$1")
		b.WriteString(line + "\n")
	}
	return b.String()
}
