package spec

import "testing"

// parseError parses src as t.yaml and returns the error text, failing the
// test if there is none.
func parseError(t *testing.T, src string) string {
	t.Helper()
	_, err := Parse("t.yaml", []byte(src))
	if err == nil {
		t.Fatalf("Parse(%q) succeeded, want an error", src)
	}
	return err.Error()
}

// TestYAMLErrorPositions covers the YAML library's errors that came without
// a place (bad characters, unknown anchors, problems on line 1) or with
// the parser's line counted from 0, and pins the numbering of the library
// version in go.mod.
func TestYAMLErrorPositions(t *testing.T) {
	tests := []struct{ name, src, want string }{
		{"control character", "spec: 1\n\x01", "t.yaml:2:1: control characters are not allowed (found U+0001)"},
		{"control character after CRLF", "spec: 1\r\n\x01", "t.yaml:2:1: control characters are not allowed (found U+0001)"},
		{"columns are characters, after a BOM", "\xef\xbb\xbfdoc: é\x7f", "t.yaml:1:7: control characters are not allowed (found U+007F)"},
		{"bad UTF-8", "spec: 1\npackage: \xff\n", "t.yaml:2:10: invalid leading UTF-8 octet (found byte 0xff)"},
		{"unknown anchor", "spec: 1\npackage: *x\n", "t.yaml:2:10: unknown anchor 'x' referenced"},
		{"unknown anchor in a flow list", "spec: 1\nbackends: [*b]\n", "t.yaml:2:12: unknown anchor 'b' referenced"},
		{"scanner error on line 1", `"`, "t.yaml:1:1: found unexpected end of stream"},
		{"unknown directive", "%FOO\n---\n", "t.yaml:1:1: found unknown directive name"},
		{"parser error", "spec: 1\n- a\n", "t.yaml:2:1: did not find expected key"},
		{"parser error in a nested block", "a:\n  - b\n c: d\n", "t.yaml:3:1: did not find expected key"},
		{"parser error at the end", "spec: [", "t.yaml:1:8: did not find expected node content"},
		{"scanner error, no column", "spec: 1\npackage: anyio: anyio\n", "t.yaml:2:1: mapping values are not allowed in this context"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := parseError(t, tt.src); got != tt.want {
				t.Errorf("got  %s\nwant %s", got, tt.want)
			}
		})
	}
}

// TestSecondDocument checks that a document after the spec is an error,
// and so is a syntax error in it, rather than being ignored.
func TestSecondDocument(t *testing.T) {
	tests := []struct{ src, want string }{
		{"spec: 1\n---\nspec: 2\n", "t.yaml:2:1: a second YAML document starts here; a spec is one document"},
		{"spec: 1\n---\n", "t.yaml:2:1: a second YAML document starts here; a spec is one document"},
		{"spec: 1\n---\nfoo: [\n", "t.yaml:4:1: did not find expected node content"},
	}
	for _, tt := range tests {
		if got := parseError(t, tt.src); got != tt.want {
			t.Errorf("Parse(%q):\ngot  %s\nwant %s", tt.src, got, tt.want)
		}
	}
}

// TestPackageErrorPosition checks that a bad package name is reported where
// it is written, not at the top of the file.
func TestPackageErrorPosition(t *testing.T) {
	src := "spec: 1\npackage: 2x\nruntime: {import: a, name: b}\nbackends: []\nprimitives: []\n"
	want := `t.yaml:2:10: package "2x" is not a Go identifier`
	if got := parseError(t, src); got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}
