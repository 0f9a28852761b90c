// Package anyiogen holds the sources the generator carries inside its binary
// (the API spec, the templates and the shared runtime), so that an installed
// anyiogen works from any directory with no checkout. The generator itself is
// cmd/anyiogen; see its documentation.
package anyiogen

import "embed"

// Sources is the embedded tree: spec/anyio.yaml, templates/ and runtime/.
//
//go:embed spec/anyio.yaml templates/core/*.go templates/std/*.go templates/sim/*.go templates/sim/*/*.go templates/conformance/*.go templates/testhelper/*.go runtime/*.go runtime/*.s
var Sources embed.FS

// DefaultSpec is the path of the default spec inside Sources.
const DefaultSpec = "spec/anyio.yaml"
