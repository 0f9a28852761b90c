package gen

import (
	"bytes"
	"fmt"
	"go/format"
	"regexp"
	"slices"
	"strings"

	"github.com/anyiogen/anyiogen/internal/output"
	"github.com/anyiogen/anyiogen/internal/spec"
)

// testHelperLayer is the template directory of the test helper, the
// package <pkg>test that -testhelper writes beside a generated package.
const testHelperLayer = "testhelper"

// helperTemplatePath is the import path the helper's templates use for the
// package they test: the reference copy's.
const helperTemplatePath = "github.com/anyiogen/anyiogen/generated/anyio"

var (
	helperSelector = regexp.MustCompile(`\banyio\.([A-Z])`)     // anyio.Run; not the flags' anyio.seed
	helperPackage  = regexp.MustCompile(`\bpackage anyio\b`)    // "package anyio" in prose
	helperName     = regexp.MustCompile(`\banyiotest\b`)        // the helper's own name
	buildLine      = regexp.MustCompile(`(?m)^//go:build .*\n`) // which variant a template is
)

// TestHelper renders the files of the test helper for the package opts
// describe, whose import path is importPath: the package <pkg>test, to be
// written into its own directory beside the package. Without the sim
// backend, Seeds and Fuzz skip, saying why. Like Generate it is pure.
func (g *Generator) TestHelper(opts Options, importPath string) (map[string][]byte, error) {
	sel, err := selectFor(g.Spec, opts)
	if err != nil {
		return nil, err
	}
	sim := slices.ContainsFunc(sel.backends, func(b *spec.Backend) bool { return b.Name == "sim" })
	files, err := loadLayer(g.Sources, "templates/"+testHelperLayer, testHelperLayer, false)
	if err != nil {
		return nil, err
	}
	out := map[string][]byte{}
	for _, tf := range files {
		if sim && strings.HasSuffix(tf.name, "_nosim.go") || !sim && strings.HasSuffix(tf.name, "_sim.go") ||
			opts.Standalone && strings.HasSuffix(tf.name, "_module.go") || !opts.Standalone && strings.HasSuffix(tf.name, "_standalone.go") {
			continue // the other variant
		}
		src := buildLine.ReplaceAllString(string(tf.src), "")
		src = strings.ReplaceAll(src, `"`+helperTemplatePath+`"`, sel.pkg+` "`+importPath+`"`)
		src = helperSelector.ReplaceAllString(src, sel.pkg+".$1")
		src = helperPackage.ReplaceAllString(src, "package "+sel.pkg)
		src = helperName.ReplaceAllString(src, sel.pkg+"test")
		var b bytes.Buffer
		fmt.Fprintf(&b, "%s\n// Source: templates/%s/%s\n\n%s", output.Header, testHelperLayer, tf.name, src)
		formatted, err := format.Source(b.Bytes())
		if err != nil {
			return nil, fmt.Errorf("%s: rendering the test helper for package %s: %w", tf.path, sel.pkg, err)
		}
		out[output.HelperFile(tf.name)] = formatted
	}
	return out, nil
}
