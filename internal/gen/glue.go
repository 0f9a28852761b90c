package gen

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/dave/jennifer/jen"

	"github.com/anyiogen/anyiogen/internal/output"
	"github.com/anyiogen/anyiogen/internal/spec"
)

// glue writes the file that ties the templates together: the package doc,
// the guard on the runtime's version, the backend names, the sentinels and
// the backend registry. Everything in it varies with the spec and the
// options; nothing else in the package does.
func glue(s *spec.Spec, sel *selection, opts Options, cd *copyDocs) ([]byte, error) {
	rt := func(name string) *jen.Statement {
		if opts.Standalone {
			return jen.Id("rt" + name)
		}
		return jen.Qual(s.Runtime.Import, name)
	}
	f := jen.NewFile(sel.pkg)
	f.ImportAlias(s.Runtime.Import, s.Runtime.Name)
	f.HeaderComment(output.Header[len("// "):])
	if !opts.NoPackageDoc {
		if err := packageDoc(f, s, sel, cd); err != nil {
			return nil, err
		}
	}
	f.Comment("A mismatched shared runtime fails to compile here, by name.")
	f.Const().Id("_").Op("=").Add(rt("Version4"))
	f.Line()
	if err := backendConsts(f, sel, cd); err != nil {
		return nil, err
	}
	if err := sentinels(f, s, cd, rt); err != nil {
		return nil, err
	}
	backendRegistry(f, sel, rt)
	var buf bytes.Buffer
	if err := f.Render(&buf); err != nil {
		return nil, fmt.Errorf("rendering the glue: %w", err)
	}
	return buf.Bytes(), nil
}

// backendConsts declares the name of each emitted backend.
func backendConsts(f *jen.File, sel *selection, cd *copyDocs) error {
	var consts []jen.Code
	for _, b := range sel.backends {
		doc, err := cd.render(b.Pos, b.Const, b.Doc)
		if err != nil {
			return err
		}
		consts = append(consts, comments(doc)...)
		consts = append(consts, jen.Id(b.Const).Op("=").Lit(b.Name))
	}
	f.Const().Defs(consts...)
	f.Line()
	return nil
}

// sentinels re-exports the runtime's error sentinels, shared by every copy.
func sentinels(f *jen.File, s *spec.Spec, cd *copyDocs, rt func(string) *jen.Statement) error {
	var vars []jen.Code
	for _, e := range s.Sentinels {
		doc, err := cd.render(e.Pos, e.Name, e.Doc)
		if err != nil {
			return err
		}
		vars = append(vars, comments(doc)...)
		vars = append(vars, jen.Id(e.Name).Op("=").Add(rt(e.Name)))
	}
	f.Var().Defs(vars...)
	f.Line()
	return nil
}

// backendRegistry maps each emitted backend's name to its constructor, and
// makes the default backend for contexts that no Run made.
func backendRegistry(f *jen.File, sel *selection, rt func(string) *jen.Statement) {
	registry := jen.Dict{}
	var def *spec.Backend
	for _, b := range sel.backends {
		registry[jen.Id(b.Const)] = jen.Id(b.Constructor)
		if b.Default {
			def = b
		}
	}
	f.Comment("backendRegistry holds the backends generated into this package.")
	f.Var().Id("backendRegistry").Op("=").Map(jen.String()).Add(rt("NewBackend")).Values(registry)
	f.Line()
	f.Comment(fmt.Sprintf("defaultBackend runs every context that no Run made: %s needs no set-up.", def.Name))
	f.Var().List(jen.Id("defaultBackend"), jen.Id("_")).Op("=").Id(def.Constructor).Call(
		jen.Op("&").Add(rt("RunConfig")).Values(jen.Dict{jen.Id("Backend"): jen.Id(def.Const)}))
}

// comments renders doc text as one // comment per line: jennifer would turn
// a multi-line comment into a /* */ block.
func comments(doc string) []jen.Code {
	var out []jen.Code
	for _, line := range docLines(doc) {
		out = append(out, jen.Comment(line))
	}
	return out
}

func docLines(doc string) []string {
	if doc == "" {
		return nil
	}
	return strings.Split(strings.TrimRight(doc, "\n"), "\n")
}

// packageDoc writes the spec's package doc, naming the package it documents
// whatever -pkg chose, and the paragraph of each emitted backend.
func packageDoc(f *jen.File, s *spec.Spec, sel *selection, cd *copyDocs) error {
	doc, err := cd.render(s.DocPos, "the package", s.Doc)
	if err != nil {
		return err
	}
	if rest, ok := strings.CutPrefix(doc, "Package "+s.Package+" "); ok {
		doc = "Package " + sel.pkg + " " + rest
	}
	for _, line := range docLines(doc) {
		f.PackageComment(line)
	}
	for _, b := range sel.backends {
		if b.PackageDoc == "" {
			continue
		}
		doc, err := cd.render(b.Pos, "the package, backend "+b.Name, b.PackageDoc)
		if err != nil {
			return err
		}
		f.PackageComment("")
		for _, line := range docLines(doc) {
			f.PackageComment(line)
		}
	}
	return nil
}
