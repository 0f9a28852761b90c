// Command anyiotrace draws the trace of a simulated run, as anyio.Trace
// writes it, as an SVG picture:
//
//	anyiotrace -o run.svg run.json
//
// The JSON itself opens in ui.perfetto.dev or chrome://tracing; the picture
// is for places where a viewer is not at hand, such as a README.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/anyiogen/anyiogen/internal/tracesvg"
)

func main() {
	out := flag.String("o", "", "write the SVG to this file (default: standard output)")
	title := flag.String("title", "", "the picture's title (default: the trace file's name)")
	flag.Usage = func() {
		fmt.Fprintf(flag.CommandLine.Output(), "usage: anyiotrace [-o out.svg] [-title text] trace.json\n")
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() != 1 {
		flag.Usage()
		os.Exit(2)
	}
	if err := run(flag.Arg(0), *out, *title); err != nil {
		fmt.Fprintln(os.Stderr, "anyiotrace:", err)
		os.Exit(1)
	}
}

func run(in, out, title string) error {
	f, err := os.Open(in)
	if err != nil {
		return err
	}
	defer f.Close()
	if title == "" {
		title = filepath.Base(in)
	}
	var svg bytes.Buffer
	if err := tracesvg.Render(&svg, f, title); err != nil {
		return fmt.Errorf("%s: %w", in, err)
	}
	if out == "" {
		_, err = os.Stdout.Write(svg.Bytes())
		return err
	}
	return os.WriteFile(out, svg.Bytes(), 0o644)
}
