package spec

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"
)

// fuzzFile is the file name FuzzParse passes to Parse; every error must
// start with it.
const fuzzFile = "fuzz.yaml"

// errorPos is what every Parse error starts with: the file name, then a
// line and a column counted from 1, then a message.
var errorPos = regexp.MustCompile(`^` + regexp.QuoteMeta(fuzzFile) + `:([1-9][0-9]*):([1-9][0-9]*): \S`)

// FuzzParse checks that no input panics Parse (which both reads and checks
// a spec, as the CLI uses it) and that every error it returns says where:
// file:line:col with a line inside the input.
func FuzzParse(f *testing.F) {
	// The seeds are the bad-spec fixtures of the generator's tests and the
	// default spec, read in place so that they stay current.
	paths, err := filepath.Glob("../../testdata/specs/*.yaml")
	if err != nil || len(paths) == 0 {
		f.Fatalf("no fixtures in ../../testdata/specs (%v)", err)
	}
	paths = append(paths, "../../spec/anyio.yaml")
	for _, path := range paths {
		data, err := os.ReadFile(path)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := Parse(fuzzFile, data)
		if err == nil {
			if s == nil {
				t.Fatal("Parse returned neither a spec nor an error")
			}
			return
		}
		if s != nil {
			t.Errorf("Parse returned a spec and the error %v", err)
		}
		m := errorPos.FindStringSubmatch(err.Error())
		if m == nil {
			t.Fatalf("error without file:line:col: %v", err)
		}
		if line, _ := strconv.Atoi(m[1]); line > maxLine(data) {
			t.Fatalf("error past the last line %d: %v", maxLine(data), err)
		}
	})
}

// maxLine bounds the number of lines YAML sees in data: it breaks lines at
// CR, LF, CRLF, NEL, LS and PS, and a position can be on the line after
// the last break.
func maxLine(data []byte) int {
	n := 1
	for _, sep := range []string{"\n", "\r", "\u0085", "\u2028", "\u2029"} {
		n += bytes.Count(data, []byte(sep))
	}
	return n
}
