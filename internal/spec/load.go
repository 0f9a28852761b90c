package spec

import (
	"bytes"
	"errors"
	"go/parser"
	"go/token"
	"io"
	"slices"
	"strings"

	yaml "go.yaml.in/yaml/v3"
)

// Version is the spec format this generator reads.
const Version = 1

// Parse reads and checks a spec. file is the name errors use.
func Parse(file string, data []byte) (*Spec, error) {
	var doc yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, &Error{File: file, Pos: Pos{1, 1}, Msg: "empty spec"}
		}
		return nil, yamlError(file, data, err)
	}
	if len(doc.Content) != 1 {
		return nil, &Error{File: file, Pos: Pos{1, 1}, Msg: "empty spec"}
	}
	// The decoder stops after one document; a second one, and any mistake
	// in it, would go unnoticed.
	var next yaml.Node
	if err := dec.Decode(&next); err == nil {
		return nil, &Error{File: file, Pos: pos(&next), Msg: "a second YAML document starts here; a spec is one document"}
	} else if !errors.Is(err, io.EOF) {
		return nil, yamlError(file, data, err)
	}
	r := &reader{spec: &Spec{File: file}}
	r.top(doc.Content[0])
	if r.err != nil {
		return nil, r.err
	}
	if err := r.spec.check(); err != nil {
		return nil, err
	}
	return r.spec, nil
}

// reader turns YAML nodes into a Spec, keeping the first error.
type reader struct {
	spec *Spec
	err  error
}

func (r *reader) fail(n *yaml.Node, format string, args ...any) {
	if r.err == nil {
		r.err = r.spec.Errorf(pos(n), format, args...)
	}
}

func pos(n *yaml.Node) Pos { return Pos{n.Line, n.Column} }

// fields checks that n is a mapping with only the allowed keys and returns
// the value of each key present.
func (r *reader) fields(n *yaml.Node, what string, allowed ...string) map[string]*yaml.Node {
	out := map[string]*yaml.Node{}
	if n.Kind != yaml.MappingNode {
		r.fail(n, "%s must be a mapping", what)
		return out
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		switch {
		case !slices.Contains(allowed, k.Value):
			r.fail(k, "unknown field %q in %s (valid: %s)", k.Value, what, strings.Join(allowed, ", "))
		case out[k.Value] != nil:
			r.fail(k, "field %q repeated in %s", k.Value, what)
		default:
			out[k.Value] = v
		}
	}
	return out
}

func (r *reader) require(n *yaml.Node, f map[string]*yaml.Node, what string, keys ...string) {
	for _, k := range keys {
		if f[k] == nil {
			r.fail(n, "%s lacks field %q", what, k)
		}
	}
}

func (r *reader) str(n *yaml.Node, what string) string {
	if n == nil {
		return ""
	}
	if n.Kind != yaml.ScalarNode {
		r.fail(n, "%s must be a string", what)
		return ""
	}
	return n.Value
}

func (r *reader) boolean(n *yaml.Node, what string) bool {
	if n == nil {
		return false
	}
	var b bool
	if n.Kind != yaml.ScalarNode || n.Decode(&b) != nil {
		r.fail(n, "%s must be true or false", what)
	}
	return b
}

func (r *reader) list(n *yaml.Node, what string) []*yaml.Node {
	if n == nil {
		return nil
	}
	if n.Kind != yaml.SequenceNode {
		r.fail(n, "%s must be a list", what)
		return nil
	}
	return n.Content
}

func (r *reader) refs(n *yaml.Node, what string) []Ref {
	var out []Ref
	for _, item := range r.list(n, what) {
		out = append(out, Ref{Pos: pos(item), Value: r.str(item, what)})
	}
	return out
}

func (r *reader) top(n *yaml.Node) {
	f := r.fields(n, "the spec", "spec", "package", "runtime", "doc", "backends", "sentinels", "primitives")
	// The version first: another version's spec fails on its own terms.
	if v := f["spec"]; v != nil {
		var version int
		if v.Decode(&version) != nil || version != Version {
			r.fail(v, "unsupported spec version %q (this anyiogen reads version %d)", v.Value, Version)
		}
	}
	r.require(n, f, "the spec", "spec", "package", "runtime", "backends", "primitives")
	s := r.spec
	s.Package = r.str(f["package"], "package")
	if p := f["package"]; p != nil {
		s.pkgPos = pos(p)
	}
	s.Doc = r.str(f["doc"], "doc")
	if d := f["doc"]; d != nil {
		s.DocPos = pos(d)
	}
	if rt := f["runtime"]; rt != nil {
		rf := r.fields(rt, "runtime", "import", "name")
		r.require(rt, rf, "runtime", "import", "name")
		s.Runtime = Runtime{Import: r.str(rf["import"], "runtime import"), Name: r.str(rf["name"], "runtime name")}
	}
	for _, b := range r.list(f["backends"], "backends") {
		s.Backends = append(s.Backends, r.backend(b))
	}
	for _, e := range r.list(f["sentinels"], "sentinels") {
		ef := r.fields(e, "a sentinel", "name", "doc")
		r.require(e, ef, "a sentinel", "name", "doc")
		s.Sentinels = append(s.Sentinels, Sentinel{Pos: pos(e), Name: r.str(ef["name"], "name"), Doc: r.str(ef["doc"], "doc")})
	}
	for _, p := range r.list(f["primitives"], "primitives") {
		s.Primitives = append(s.Primitives, r.primitive(p))
	}
}

func (r *reader) backend(n *yaml.Node) Backend {
	f := r.fields(n, "a backend", "name", "const", "constructor", "default", "doc", "packagedoc", "declares")
	r.require(n, f, "a backend", "name", "const", "constructor", "doc")
	b := Backend{
		Pos:         pos(n),
		Name:        r.str(f["name"], "name"),
		Const:       r.str(f["const"], "const"),
		Constructor: r.str(f["constructor"], "constructor"),
		Default:     r.boolean(f["default"], "default"),
		Doc:         r.str(f["doc"], "doc"),
		PackageDoc:  r.str(f["packagedoc"], "packagedoc"),
	}
	for _, d := range r.list(f["declares"], "declares") {
		b.Declares = append(b.Declares, r.decl(d))
	}
	return b
}

func (r *reader) primitive(n *yaml.Node) Primitive {
	f := r.fields(n, "a primitive", "name", "anyio", "always", "needs", "files", "declares")
	r.require(n, f, "a primitive", "name", "anyio", "files")
	p := Primitive{
		Pos:    pos(n),
		Name:   r.str(f["name"], "name"),
		AnyIO:  r.str(f["anyio"], "anyio"),
		Always: r.boolean(f["always"], "always"),
		Files:  r.refs(f["files"], "files"),
	}
	if needs := f["needs"]; needs != nil {
		nf := r.fields(needs, "needs", "primitives", "contracts")
		p.Needs = r.refs(nf["primitives"], "needs.primitives")
		p.Contracts = r.refs(nf["contracts"], "needs.contracts")
	}
	for _, d := range r.list(f["declares"], "declares") {
		p.Declares = append(p.Declares, r.decl(d))
	}
	return p
}

func (r *reader) decl(n *yaml.Node) Decl {
	f := r.fields(n, "a declaration", "name", "decl", "doc")
	r.require(n, f, "a declaration", "name", "decl", "doc")
	d := Decl{Pos: pos(n), Name: r.str(f["name"], "name"), Decl: r.str(f["decl"], "decl"), Doc: r.str(f["doc"], "doc")}
	if v := f["decl"]; v != nil && r.err == nil {
		if _, err := ParseDecl(d.Decl); err != nil {
			r.fail(v, "declaration of %s is not Go: %v", d.Name, err)
		}
	}
	return d
}

// ParseDecl parses a declaration as written in the spec: a func without
// body, "type T struct" with no fields, a const, var or type alias.
func ParseDecl(decl string) (*DeclShape, error) {
	src := "package p\n" + completeDecl(decl)
	f, err := parser.ParseFile(token.NewFileSet(), "", src, parser.SkipObjectResolution)
	if err != nil {
		return nil, errors.New(strings.TrimPrefix(err.Error(), "2:"))
	}
	if len(f.Decls) != 1 {
		return nil, errors.New("want exactly one declaration")
	}
	return shapeOf(f.Decls[0])
}

// completeDecl makes a spec declaration parseable: "type T struct" gets
// braces.
func completeDecl(decl string) string {
	if strings.HasPrefix(decl, "type ") && (strings.HasSuffix(decl, " struct") || strings.HasSuffix(decl, " interface")) {
		return decl + "{}"
	}
	return decl
}
