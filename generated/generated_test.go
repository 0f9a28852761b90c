package generated

import (
	"bufio"
	"bytes"
	"flag"
	"os"
	"strings"
	"testing"

	"github.com/anyiogen/anyiogen/internal/cli"
)

var update = flag.Bool("update", false, "rewrite generated/anyio from spec/ and templates/")

// TestReferenceUpToDate is the staleness check: it runs the command of this
// package's go:generate line in process, with -check, so it fails whenever
// spec/ or templates/ changed without generated/anyio. With -update it runs
// the command as it is, rewriting the package.
func TestReferenceUpToDate(t *testing.T) {
	lines := generateArgs(t)
	if len(lines) == 0 {
		t.Fatal("generate.go has no //go:generate go run line")
	}
	for _, args := range lines {
		if !*update {
			args = append(args, "-check")
		}
		var stdout, stderr bytes.Buffer
		if code := cli.Run(args, &stdout, &stderr); code != 0 {
			t.Errorf("anyiogen %s: the package is stale: run go generate ./generated (or go test ./generated -update)\nexit %d: %s\n%s",
				strings.Join(args, " "), code, stderr.String(), stdout.String())
		}
	}
}

// generateArgs is the anyiogen arguments of each go:generate line in
// generate.go, which run the generator with go run.
func generateArgs(t *testing.T) [][]string {
	src, err := os.ReadFile("generate.go")
	if err != nil {
		t.Fatal(err)
	}
	var out [][]string
	sc := bufio.NewScanner(bytes.NewReader(src))
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) > 3 && fields[0] == "//go:generate" && fields[1] == "go" && fields[2] == "run" {
			out = append(out, fields[4:])
		}
	}
	return out
}
