package gen

import (
	"fmt"
	"go/ast"
	"go/token"
	"io/fs"
	"strings"

	"github.com/anyiogen/anyiogen/internal/spec"
)

// Generator renders packages from a spec and the embedded sources.
type Generator struct {
	Spec    *spec.Spec
	Sources fs.FS // holds templates/ and runtime/
	// APIPath is the import path the conformance templates use for the
	// package under test; their anyio.X becomes X when emitted.
	APIPath string
}

// Generate renders every file of the package opts describe, keyed by file
// name. It is pure: the same inputs give the same bytes, and nothing on
// disk is read or written.
func (g *Generator) Generate(opts Options) (map[string][]byte, error) {
	s := g.Spec
	sel, err := selectFor(s, opts)
	if err != nil {
		return nil, err
	}

	// 1. Load the templates of everything selected.
	core, err := loadLayer(g.Sources, "templates/core", coreLayer, false)
	if err != nil {
		return nil, err
	}
	if err := checkClaimed(s, core); err != nil {
		return nil, err
	}
	coreFiles := selectCore(core, sel)
	backendFiles := map[string][]*templateFile{}
	stubs := stubFiles(core)
	for _, b := range sel.backends {
		all, err := loadLayer(g.Sources, "templates/"+b.Name, b.Name, false)
		if err != nil {
			return nil, s.Errorf(b.Pos, "backend %s: %v", b.Name, err)
		}
		backendFiles[b.Name] = selectAdapters(all, s, sel)
		stubs = append(stubs, stubFiles(all)...)
	}
	rt, err := loadLayer(g.Sources, "runtime", runtimeLayer, false)
	if err != nil {
		return nil, err
	}

	// 2. Check them against the spec: declarations and backend contracts.
	aliases := runtimeAliases(s)
	cd := newCopyDocs(s, sel)
	docs := map[string]string{}
	coreIndex := topDecls(coreFiles)
	for _, p := range sel.primitives {
		if err := checkDecls(s, "primitive "+p.Name, p.Declares, coreIndex, nil); err != nil {
			return nil, err
		}
		if err := addDocs(docs, cd, p.Declares); err != nil {
			return nil, err
		}
	}
	contracts, err := contractMethods(g.Sources, s.Runtime)
	if err != nil {
		return nil, err
	}
	for _, b := range sel.backends {
		if err := checkDecls(s, "backend "+b.Name, b.Declares, topDecls(backendFiles[b.Name]), aliases); err != nil {
			return nil, err
		}
		if err := checkContracts(s, b, sel, backendFiles[b.Name], contracts); err != nil {
			return nil, err
		}
		if err := addDocs(docs, cd, b.Declares); err != nil {
			return nil, err
		}
	}

	if err := checkGlue(s, sel, stubs, backendFiles, topLevelNames(rt)); err != nil {
		return nil, err
	}

	// 3. Render: the glue, then every template under its output name.
	rw := &rewriter{pkg: sel.pkg, rtName: s.Runtime.Name, rtPath: s.Runtime.Import, apiPath: g.APIPath, standalone: opts.Standalone, aliases: runtimeAliases(s)}
	out := map[string][]byte{}
	if out["anyio.go"], err = glue(s, sel, opts, cd); err != nil {
		return nil, err
	}
	if err := cd.err(); err != nil {
		return nil, err
	}
	var emit []*templateFile
	emit = append(emit, coreFiles...)
	for _, b := range sel.backends {
		emit = append(emit, backendFiles[b.Name]...)
	}
	if opts.Standalone {
		rw.rtDecls = topLevelNames(rt)
		emit = append(emit, rt...)
	}
	if opts.Tests {
		tests, err := loadLayer(g.Sources, "templates/conformance", conformanceLayer, true)
		if err != nil {
			return nil, err
		}
		var suite []*templateFile
		for _, t := range tests {
			if !strings.HasPrefix(t.name, "repo_") { // the repository's own set-up
				suite = append(suite, t)
			}
		}
		rw.dropTests = testsToDrop(suite, emittedAPI(s, sel, emit))
		for _, tf := range suite {
			if !droppedWhole(tf, rw.dropTests) {
				emit = append(emit, tf)
			}
		}
	}
	for _, tf := range emit {
		name := outputName(tf)
		if _, dup := out[name]; dup {
			return nil, fmt.Errorf("%s: output file %s would be written twice", tf.path, name)
		}
		if out[name], err = render(tf, docs, rw); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// outputName is where a template lands: anyio_<file> for the core,
// anyio_<layer>_<file> for the rest.
func outputName(tf *templateFile) string {
	if tf.layer == coreLayer {
		return "anyio_" + tf.name
	}
	return "anyio_" + tf.layer + "_" + tf.name
}

func selectCore(core []*templateFile, sel *selection) []*templateFile {
	var out []*templateFile
	for _, p := range sel.primitives {
		for _, f := range p.Files {
			for _, t := range core {
				if t.name == f.Value {
					out = append(out, t)
				}
			}
		}
	}
	return out
}

// selectAdapters drops a backend's adapter files for primitives that are
// not selected.
func selectAdapters(files []*templateFile, s *spec.Spec, sel *selection) []*templateFile {
	var out []*templateFile
	for _, f := range files {
		keep := !strings.HasSuffix(f.name, "_stub.go") // stands in for the glue

		for _, p := range s.Primitives {
			if belongsTo(f.name, p.Name) && !sel.has(p.Name) {
				keep = false
			}
		}
		if keep {
			out = append(out, f)
		}
	}
	return out
}

// addDocs adds each declaration's doc, as this copy has it.
func addDocs(docs map[string]string, cd *copyDocs, decls []spec.Decl) error {
	for _, d := range decls {
		doc, err := cd.render(d.Pos, d.Name, d.Doc)
		if err != nil {
			return err
		}
		docs[d.Name] = doc
	}
	return nil
}

func topLevelNames(files []*templateFile) map[string]bool {
	names := map[string]bool{}
	for _, f := range files {
		for _, d := range f.ast.Decls {
			if fd, ok := d.(*ast.FuncDecl); ok && fd.Recv != nil {
				continue
			}
			if gd, ok := d.(*ast.GenDecl); ok && gd.Tok == token.IMPORT {
				continue
			}
			for _, n := range declNames(d) {
				if n != "_" {
					names[n] = true
				}
			}
		}
	}
	return names
}

// runtimeAliases lists the facade's aliases of runtime types, such as
// RunOption = anyiort.RunOption.
func runtimeAliases(s *spec.Spec) []string {
	var out []string
	for _, p := range s.Primitives {
		for _, d := range p.Declares {
			if shape, _ := spec.ParseDecl(d.Decl); strings.Contains(shape.Text, "= "+s.Runtime.Name+".") {
				out = append(out, d.Name)
			}
		}
	}
	return out
}

// emittedAPI is every top-level name the generated package declares: the
// glue's and the templates'.
func emittedAPI(s *spec.Spec, sel *selection, emitted []*templateFile) map[string]bool {
	api := map[string]bool{}
	for _, b := range sel.backends {
		api[b.Const] = true
	}
	for _, e := range s.Sentinels {
		api[e.Name] = true
	}
	for name := range topDecls(emitted) {
		api[name] = true
	}
	return api
}
