// Command anyiotrace draws the trace of a simulated run, as anyio.Trace
// writes it, as an SVG picture a person reads: the faults labelled on the
// time axis, each host's tasks under it with their full names, tasks of
// one function that never overlap sharing a row:
//
//	anyiotrace -o run.svg run.json
//	anyiotrace -from 150ms -to 250ms -o crash.svg run.json   # a window of virtual time
//
// The JSON itself opens in ui.perfetto.dev or chrome://tracing; the picture
// is for places where a viewer is not at hand, such as a README or a bug
// report.
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
	from := flag.Duration("from", 0, "draw from this virtual time on (such as 150ms)")
	to := flag.Duration("to", 0, "draw up to this virtual time (default: the end of the run)")
	flag.Usage = func() {
		fmt.Fprintf(flag.CommandLine.Output(), "usage: anyiotrace [-o out.svg] [-title text] [-from d] [-to d] trace.json\n")
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() != 1 {
		flag.Usage()
		os.Exit(2)
	}
	if err := run(flag.Arg(0), *out, tracesvg.Options{Title: *title, From: *from, To: *to}); err != nil {
		fmt.Fprintln(os.Stderr, "anyiotrace:", err)
		os.Exit(1)
	}
}

func run(in, out string, opts tracesvg.Options) error {
	f, err := os.Open(in)
	if err != nil {
		return err
	}
	defer f.Close()
	if opts.Title == "" {
		opts.Title = filepath.Base(in)
	}
	var svg bytes.Buffer
	if err := tracesvg.RenderWith(&svg, f, opts); err != nil {
		return fmt.Errorf("%s: %w", in, err)
	}
	if out == "" {
		_, err = os.Stdout.Write(svg.Bytes())
		return err
	}
	return os.WriteFile(out, svg.Bytes(), 0o644)
}
