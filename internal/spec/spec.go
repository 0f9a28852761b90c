// Package spec reads and checks the API spec: the YAML file that lists the
// primitives of the portable API, their AnyIO counterparts, their template
// files, what they need, and their exported declarations with doc text.
//
// Every error names the place it comes from as file:line:col.
package spec

import (
	"fmt"
)

// Spec is a checked API spec.
type Spec struct {
	File       string // the name errors use
	Package    string // the default package name
	Doc        string // the package documentation
	DocPos     Pos    // where Doc is written
	Runtime    Runtime
	Backends   []Backend
	Sentinels  []Sentinel
	Primitives []Primitive

	pkgPos Pos // where Package is written, for check's errors
}

// Runtime is where generated code finds the shared runtime.
type Runtime struct {
	Import string // its import path
	Name   string // its package name
}

// Pos is a place in the spec file.
type Pos struct{ Line, Col int }

// Backend is a backend the generator can emit.
type Backend struct {
	Pos
	Name        string // as selected with Backend(name) and -backends
	Const       string // the exported constant naming it
	Constructor string // the template function that makes one
	Default     bool   // the backend of a context that no Run made
	Doc         string
	PackageDoc  string // a paragraph of the package doc, only when emitted
	Declares    []Decl // exported names that exist only with this backend
}

// Sentinel is an error re-exported from the shared runtime.
type Sentinel struct {
	Pos
	Name, Doc string
}

// Primitive is one piece of the portable API.
type Primitive struct {
	Pos
	Name      string
	AnyIO     string // the AnyIO counterpart
	Always    bool   // part of every generated package
	Needs     []Ref  // other primitives
	Contracts []Ref  // runtime interfaces a backend must implement for it
	Files     []Ref  // template files in templates/core
	Declares  []Decl
}

// Ref is a name in the spec and where it is written.
type Ref struct {
	Pos
	Value string
}

// Decl is an exported declaration and its documentation.
type Decl struct {
	Pos
	Name string // "Func", "Type" or "Type.Method"
	Decl string // its Go declaration, without body
	Doc  string
}

// Error is a problem at a place in a spec file.
type Error struct {
	File string
	Pos
	Msg string
}

// Error is file:line:col: message.
func (e *Error) Error() string {
	return fmt.Sprintf("%s:%d:%d: %s", e.File, e.Line, e.Col, e.Msg)
}

// Errorf makes an Error at p in s's file.
func (s *Spec) Errorf(p Pos, format string, args ...any) error {
	return &Error{File: s.File, Pos: p, Msg: fmt.Sprintf(format, args...)}
}

// Primitive returns the primitive called name.
func (s *Spec) Primitive(name string) (*Primitive, bool) {
	for i := range s.Primitives {
		if s.Primitives[i].Name == name {
			return &s.Primitives[i], true
		}
	}
	return nil, false
}

// Backend returns the backend called name.
func (s *Spec) Backend(name string) (*Backend, bool) {
	for i := range s.Backends {
		if s.Backends[i].Name == name {
			return &s.Backends[i], true
		}
	}
	return nil, false
}

// PrimitiveNames lists the primitives in spec order.
func (s *Spec) PrimitiveNames() []string {
	names := make([]string, len(s.Primitives))
	for i, p := range s.Primitives {
		names[i] = p.Name
	}
	return names
}

// OptionalPrimitives lists, in spec order, the primitives a user chooses
// among: all but those that are always there.
func (s *Spec) OptionalPrimitives() []string {
	var names []string
	for _, p := range s.Primitives {
		if !p.Always {
			names = append(names, p.Name)
		}
	}
	return names
}

// BackendNames lists the backends in spec order.
func (s *Spec) BackendNames() []string {
	names := make([]string, len(s.Backends))
	for i, b := range s.Backends {
		names[i] = b.Name
	}
	return names
}
