package gen

import (
	"fmt"
	"go/ast"
	"go/token"
	"io/fs"
	"runtime"
	"slices"
	"strings"

	"golang.org/x/sync/errgroup"

	"github.com/anyiogen/anyiogen/internal/output"
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
	c, emit, rw, err := g.prepareAndPlan(opts)
	if err != nil {
		return nil, err
	}
	rendered, err := renderAll(emit, c.docs, rw)
	if err != nil {
		return nil, err
	}
	out := map[string][]byte{output.GlueFile: c.glue}
	for i, tf := range emit {
		name := outputName(tf)
		if _, dup := out[name]; dup {
			return nil, fmt.Errorf("%s: output file %s would be written twice", tf.path, name)
		}
		out[name] = rendered[i]
	}
	return out, nil
}

// Plan is what Generate would write, found without rendering the
// templates: everything Generate checks is checked.
type Plan struct {
	Files []string // the files' names, sorted
	Glue  []byte   // the glue file, anyio.go, as written
}

// Plan checks the copy opts describe as Generate does, and says what
// Generate would write, without rendering the templates.
func (g *Generator) Plan(opts Options) (*Plan, error) {
	c, emit, _, err := g.prepareAndPlan(opts)
	if err != nil {
		return nil, err
	}
	p := &Plan{Files: []string{output.GlueFile}, Glue: c.glue}
	for _, tf := range emit {
		p.Files = append(p.Files, outputName(tf))
	}
	slices.Sort(p.Files)
	return p, nil
}

// prepareAndPlan is what Generate and Plan share: the copy, checked, and
// the templates to render with their rewrites.
func (g *Generator) prepareAndPlan(opts Options) (*checkedCopy, []*templateFile, *rewriter, error) {
	c, err := g.prepare(opts)
	if err != nil {
		return nil, nil, nil, err
	}
	emit, rw, err := g.plan(c, opts)
	return c, emit, rw, err
}

// checkedCopy is a copy whose templates are loaded and checked: what is
// left is to render them.
type checkedCopy struct {
	sel      *selection
	core     []*templateFile            // the selected primitives' files
	backends map[string][]*templateFile // each selected backend's files
	runtime  []*templateFile
	asm      []*templateFile   // the runtime's assembly, for a standalone copy
	docs     map[string]string // each declaration's doc, as this copy has it
	glue     []byte            // the glue file, rendered
}

// prepare selects, loads and checks the copy opts describe, and renders its
// glue.
func (g *Generator) prepare(opts Options) (*checkedCopy, error) {
	sel, err := selectFor(g.Spec, opts)
	if err != nil {
		return nil, err
	}
	c := &checkedCopy{sel: sel, backends: map[string][]*templateFile{}}
	stubs, err := g.load(c)
	if err != nil {
		return nil, err
	}
	cd := newCopyDocs(g.Spec, sel)
	if err := g.check(c, cd, stubs); err != nil {
		return nil, err
	}
	if c.glue, err = glue(g.Spec, sel, opts, cd); err != nil {
		return nil, err
	}
	return c, cd.err()
}

// load reads the templates of everything selected into c, and returns the
// stubs that stand in for the glue.
func (g *Generator) load(c *checkedCopy) (stubs []*templateFile, err error) {
	s := g.Spec
	core, err := loadLayer(g.Sources, "templates/core", coreLayer, false)
	if err != nil {
		return nil, err
	}
	if err := checkClaimed(s, core); err != nil {
		return nil, err
	}
	c.core = selectCore(core, c.sel)
	stubs = stubFiles(core)
	for _, b := range c.sel.backends {
		all, err := loadBackend(g.Sources, b.Name)
		if err != nil {
			return nil, s.Errorf(b.Pos, "backend %s: %v", b.Name, err)
		}
		c.backends[b.Name] = selectAdapters(all, s, c.sel)
		stubs = append(stubs, stubFiles(all)...)
	}
	if c.runtime, err = loadLayer(g.Sources, "runtime", runtimeLayer, false); err != nil {
		return nil, err
	}
	c.asm, err = loadAssembly(g.Sources, "runtime", runtimeLayer)
	return stubs, err
}

// check holds the templates to the spec (declarations, backend contracts,
// the glue's names) and gathers the copy's docs.
func (g *Generator) check(c *checkedCopy, cd *copyDocs, stubs []*templateFile) error {
	s := g.Spec
	c.docs = map[string]string{}
	coreIndex := topDecls(c.core)
	for _, p := range c.sel.primitives {
		if err := checkDecls(s, "primitive "+p.Name, p.Declares, coreIndex, nil); err != nil {
			return err
		}
		if err := addDocs(c.docs, cd, p.Declares); err != nil {
			return err
		}
	}
	contracts, err := contractMethods(g.Sources, s.Runtime)
	if err != nil {
		return err
	}
	for _, b := range c.sel.backends {
		files := c.backends[b.Name]
		if err := checkDecls(s, "backend "+b.Name, b.Declares, topDecls(files), runtimeAliases(s)); err != nil {
			return err
		}
		if err := checkContracts(s, b, c.sel, files, contracts); err != nil {
			return err
		}
		if err := addDocs(c.docs, cd, b.Declares); err != nil {
			return err
		}
	}
	return checkGlue(s, c.sel, stubs, c.backends, topLevelNames(c.runtime))
}

// plan lists the templates to emit, in order, and the rewrites that merge
// them: the core, each backend, the runtime when standalone, and the
// conformance suite, less what the copy cannot run, when asked for.
func (g *Generator) plan(c *checkedCopy, opts Options) ([]*templateFile, *rewriter, error) {
	s := g.Spec
	rw := &rewriter{pkg: c.sel.pkg, rtName: s.Runtime.Name, rtPath: s.Runtime.Import, apiPath: g.APIPath, standalone: opts.Standalone, aliases: runtimeAliases(s)}
	emit := slices.Clone(c.core)
	for _, b := range c.sel.backends {
		emit = append(emit, c.backends[b.Name]...)
	}
	rw.homes = homesOf(emit)
	if opts.Standalone {
		rw.rtDecls = topLevelNames(c.runtime)
		emit = append(emit, c.runtime...)
	}
	if !opts.Tests {
		return emitAssembly(emit, c, opts), rw, nil
	}
	tests, err := loadLayer(g.Sources, "templates/conformance", conformanceLayer, true)
	if err != nil {
		return nil, nil, err
	}
	suite := slices.DeleteFunc(tests, func(t *templateFile) bool {
		return strings.HasPrefix(t.name, "repo_") // the repository's own set-up
	})
	rw.dropTests = testsToDrop(suite, emittedAPI(s, c.sel, emit))
	for _, tf := range suite {
		if !droppedWhole(tf, rw.dropTests) {
			emit = append(emit, tf)
		}
	}
	return emitAssembly(emit, c, opts), rw, nil
}

// emitAssembly adds, last, the runtime's assembly to what a standalone copy
// emits: what reads the emitted files' declarations reads Go only.
func emitAssembly(emit []*templateFile, c *checkedCopy, opts Options) []*templateFile {
	if !opts.Standalone {
		return emit
	}
	return append(emit, c.asm...)
}

// renderAll renders the templates on every core: each file's rendering
// reads only its own template and what rw and docs say, so the files are
// independent, and the result is the same in any order.
func renderAll(emit []*templateFile, docs map[string]string, rw *rewriter) ([][]byte, error) {
	out := make([][]byte, len(emit))
	var g errgroup.Group
	g.SetLimit(runtime.GOMAXPROCS(0))
	for i, tf := range emit {
		g.Go(func() error {
			var err error
			out[i], err = render(tf, docs, rw)
			return err
		})
	}
	return out, g.Wait()
}

// outputName is where a template lands: anyio_<file> for the core,
// anyio_<layer>_<file> for the rest.
func outputName(tf *templateFile) string {
	switch {
	case tf.layer == coreLayer:
		return output.PackageFile(tf.name)
	case tf.home != "":
		return output.PackageFile(tf.layer, tf.home, tf.name)
	}
	return output.PackageFile(tf.layer, tf.name)
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
			// A sub-home's files are the home's, whatever their names.
			if f.home == "" && belongsTo(f.name, p.Name) && !sel.has(p.Name) {
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
	// A sub-home's names take its prefix in the package: as written they
	// are not the package's.
	own := slices.DeleteFunc(slices.Clone(emitted), func(tf *templateFile) bool { return tf.home != "" })
	for name := range topDecls(own) {
		api[name] = true
	}
	return api
}
