package anyiotest

import "testing"

func TestRunPattern(t *testing.T) {
	for _, tc := range []struct{ name, want string }{
		{"TestX/seed=17", `^TestX$/^seed=17$`},
		{"TestX", `^TestX$`},
		{"TestX/case_(a)/seed=3#01", `^TestX$/^case_\(a\)$/^seed=3#01$`},
		{"TestX/1.5*x", `^TestX$/^1\.5\*x$`},
	} {
		if got := runPattern(tc.name); got != tc.want {
			t.Errorf("runPattern(%q) = %q, want %q", tc.name, got, tc.want)
		}
	}
}

func TestShellQuote(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{`^TestX$`, `'^TestX$'`},
		{`it's`, `'it'\''s'`},
	} {
		if got := shellQuote(tc.in); got != tc.want {
			t.Errorf("shellQuote(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestModulePath(t *testing.T) {
	for _, tc := range []struct {
		gomod, want string
		ok          bool
	}{
		{"module example.com/app\n\ngo 1.26\n", "example.com/app", true},
		{"// comment\nmodule \"example.com/quoted\" // trailing\n", "example.com/quoted", true},
		{"go 1.26\n", "", false},
	} {
		got, ok := modulePath([]byte(tc.gomod))
		if got != tc.want || ok != tc.ok {
			t.Errorf("modulePath(%q) = %q, %v; want %q, %v", tc.gomod, got, ok, tc.want, tc.ok)
		}
	}
}

func TestPackageArg(t *testing.T) {
	// go test runs this binary in the package's directory.
	const want = "github.com/anyiogen/anyiogen/generated/anyio/anyiotest"
	if got := packageArg(); got != want {
		t.Errorf("packageArg() = %q, want %q", got, want)
	}
}
