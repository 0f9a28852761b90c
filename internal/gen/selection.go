package gen

import (
	"fmt"
	"go/token"
	"slices"
	"strings"

	"github.com/anyiogen/anyiogen/internal/spec"
)

// Options say what to generate.
type Options struct {
	Package    string   // the package name; empty means the spec's
	Backends   []string // backends to emit; empty means all
	Primitives []string // primitives to emit; empty means all
	Standalone bool     // inline the runtime: import only the standard library
	Tests      bool     // emit the conformance tests too
	// NoPackageDoc leaves the package doc out, for a package whose own
	// files already document it.
	NoPackageDoc bool
}

// selection is Options resolved against the spec.
type selection struct {
	pkg        string
	backends   []*spec.Backend   // in spec order
	primitives []*spec.Primitive // in spec order, with everything they need
	contracts  []string          // runtime interfaces the backends must implement
}

// OptionError is a bad option: it names the flag and lists the choices.
type OptionError struct {
	Option, Value string
	Valid         []string
	Reason        string
}

// Error names the flag, the value and the valid choices.
func (e *OptionError) Error() string {
	msg := fmt.Sprintf("-%s: %s %q", e.Option, e.Reason, e.Value)
	if len(e.Valid) > 0 {
		msg += " (valid: " + strings.Join(e.Valid, ", ") + ")"
	}
	return msg
}

func selectFor(s *spec.Spec, opts Options) (*selection, error) {
	sel := &selection{pkg: opts.Package}
	if sel.pkg == "" {
		sel.pkg = s.Package
	}
	if !isIdentifier(sel.pkg) {
		return nil, &OptionError{Option: "pkg", Value: sel.pkg, Reason: "not a Go package name:"}
	}
	var err error
	if sel.backends, err = selectBackends(s, opts.Backends); err != nil {
		return nil, err
	}
	if sel.primitives, err = selectPrimitives(s, opts.Primitives); err != nil {
		return nil, err
	}
	for _, p := range sel.primitives {
		for _, c := range p.Contracts {
			if !slices.Contains(sel.contracts, c.Value) {
				sel.contracts = append(sel.contracts, c.Value)
			}
		}
	}
	return sel, nil
}

// selectBackends resolves -backends (empty: all), in spec order; the
// default backend must be among them.
func selectBackends(s *spec.Spec, names []string) ([]*spec.Backend, error) {
	if len(names) == 0 {
		names = s.BackendNames()
	}
	var out []*spec.Backend
	for _, name := range names {
		b, ok := s.Backend(name)
		if !ok {
			return nil, &OptionError{Option: "backends", Value: name, Reason: "unknown backend", Valid: s.BackendNames()}
		}
		if !slices.Contains(out, b) {
			out = append(out, b)
		}
	}
	if !slices.ContainsFunc(out, func(b *spec.Backend) bool { return b.Default }) {
		def := s.Backends[slices.IndexFunc(s.Backends, func(b spec.Backend) bool { return b.Default })]
		return nil, &OptionError{Option: "backends", Value: strings.Join(names, ","), Reason: "must include " + def.Name + ", the backend of a context that no Run made:", Valid: s.BackendNames()}
	}
	slices.SortFunc(out, func(a, b *spec.Backend) int { return indexOf(s.Backends, a) - indexOf(s.Backends, b) })
	return out, nil
}

// selectPrimitives resolves -primitives (empty: all) with the primitives
// that are always there and everything they need, in spec order.
func selectPrimitives(s *spec.Spec, names []string) ([]*spec.Primitive, error) {
	want := map[string]bool{}
	for _, p := range s.Primitives {
		if p.Always || len(names) == 0 {
			want[p.Name] = true
		}
	}
	for _, name := range names {
		if _, ok := s.Primitive(name); !ok {
			return nil, &OptionError{Option: "primitives", Value: name, Reason: "unknown primitive", Valid: s.OptionalPrimitives()}
		}
		want[name] = true
	}
	for changed := true; changed; {
		changed = false
		for _, p := range s.Primitives {
			if !want[p.Name] {
				continue
			}
			for _, n := range p.Needs {
				if !want[n.Value] {
					want[n.Value], changed = true, true
				}
			}
		}
	}
	var out []*spec.Primitive
	for i := range s.Primitives {
		if want[s.Primitives[i].Name] {
			out = append(out, &s.Primitives[i])
		}
	}
	return out, nil
}

func (sel *selection) has(primitive string) bool {
	return slices.ContainsFunc(sel.primitives, func(p *spec.Primitive) bool { return p.Name == primitive })
}

func indexOf(bs []spec.Backend, b *spec.Backend) int {
	return slices.IndexFunc(bs, func(x spec.Backend) bool { return x.Name == b.Name })
}

func isIdentifier(s string) bool { return token.IsIdentifier(s) && s != "_" }
