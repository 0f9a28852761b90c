package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/anyiogen/anyiogen/internal/tracesvg"
)

func TestRunDrawsTheTrace(t *testing.T) {
	dir := t.TempDir()
	in, out := filepath.Join(dir, "run.json"), filepath.Join(dir, "run.svg")
	trace := `{"traceEvents":[
{"name":"thread_name","ph":"M","pid":1,"tid":1,"args":{"name":"\"main\" (task 1)"}},
{"name":"wait: sleep 1ms","cat":"wait","ph":"X","pid":1,"tid":1,"ts":0.000,"dur":1000.000}]}`
	if err := os.WriteFile(in, []byte(trace), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := run(in, out, tracesvg.Options{}); err != nil {
		t.Fatalf("run: %v", err)
	}
	svg, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"<svg", "run.json", "&#34;main&#34;", "sleep 1ms", "1ms</text>"} {
		if !strings.Contains(string(svg), want) {
			t.Errorf("the picture does not contain %q:\n%s", want, svg)
		}
	}
}

func TestRunNamesTheBadFile(t *testing.T) {
	in := filepath.Join(t.TempDir(), "broken.json")
	if err := os.WriteFile(in, []byte(`{"traceEvents":[`), 0o644); err != nil {
		t.Fatal(err)
	}
	err := run(in, filepath.Join(t.TempDir(), "out.svg"), tracesvg.Options{})
	if err == nil || !strings.Contains(err.Error(), "broken.json: tracesvg: reading the trace:") {
		t.Errorf("run = %v, want an error naming broken.json and what went wrong", err)
	}
}
