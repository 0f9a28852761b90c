package gen

import (
	"bytes"
	"fmt"
	"regexp"

	"github.com/anyiogen/anyiogen/internal/output"
)

// The runtime's assembly (runtime/*.s: the running goroutine's record on
// amd64 and arm64) goes, in a standalone copy, beside the runtime's Go
// files, under the generated-code header. Its text symbols name Go
// declarations of the package ("·currentG(SB)"), which a standalone copy
// renames with the runtime's "rt" prefix; the assembly follows.

// asmSymbol is a symbol of the package in Go assembly: a middle dot, the
// name, and the pseudo-register.
var asmSymbol = regexp.MustCompile(`·([A-Za-z_][A-Za-z0-9_]*)\(SB\)`)

// renderAssembly renders one assembly file of the runtime for a standalone
// copy. A symbol that names no top-level declaration of the runtime is an
// error: its Go declaration would not be renamed with it.
func renderAssembly(tf *templateFile, rw *rewriter) ([]byte, error) {
	var missing string
	body := asmSymbol.ReplaceAllFunc(tf.src, func(m []byte) []byte {
		name := string(asmSymbol.FindSubmatch(m)[1])
		if !rw.rtDecls[name] {
			if missing == "" {
				missing = name
			}
			return m
		}
		return []byte("·rt" + name + "(SB)")
	})
	if missing != "" {
		return nil, fmt.Errorf("%s: symbol ·%s(SB) names no top-level declaration of the runtime", tf.path, missing)
	}
	var out bytes.Buffer
	out.WriteString(output.Header + "\n")
	fmt.Fprintf(&out, "// Source: %s\n\n", tf.path)
	out.Write(body)
	return out.Bytes(), nil
}
