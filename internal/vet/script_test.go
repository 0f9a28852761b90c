package vet_test

import (
	"path/filepath"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/anyiogen/anyiogen/internal/scripttest"
)

// TestScripts runs testdata/script/*.txtar: a user's module checked with
// anyiovet ./... and with go vet -vettool=$ANYIOVET, anyiovet built from
// cmd/anyiovet as go install builds it. $REPO is this repository, for a
// replace line in a script's go.mod.
func TestScripts(t *testing.T) {
	setup := scripttest.New(t, "anyiovet")
	testscript.Run(t, testscript.Params{
		Dir:                 "testdata/script",
		RequireExplicitExec: true,
		Setup: func(env *testscript.Env) error {
			env.Setenv("ANYIOVET", filepath.Join(setup.Bin(), "anyiovet"))
			return setup.Apply(env)
		},
	})
}
