package vet_test

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"
	"golang.org/x/tools/go/analysis/multichecker"

	"github.com/anyiogen/anyiogen/internal/vet"
)

// TestMain lets the test binary stand in for an installed anyiovet: run
// under that name (testscript puts it on the scripts' PATH), it is the
// command.
func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"anyiovet": func() { multichecker.Main(vet.Analyzers...) },
	})
}

// TestScripts runs testdata/script/*.txtar: a user's module checked with
// anyiovet ./... and with go vet -vettool=$ANYIOVET. $REPO is this
// repository, for a replace line in a script's go.mod.
func TestScripts(t *testing.T) {
	goEnv := goEnvFor(t)
	repo, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	testscript.Run(t, testscript.Params{
		Dir:                 "testdata/script",
		RequireExplicitExec: true,
		Setup: func(env *testscript.Env) error {
			for k, v := range goEnv {
				env.Setenv(k, v)
			}
			env.Setenv("GOWORK", "off")
			env.Setenv("REPO", repo)
			for _, dir := range filepath.SplitList(env.Getenv("PATH")) {
				if p := filepath.Join(dir, "anyiovet"); fileExists(p) {
					env.Setenv("ANYIOVET", p)
				}
			}
			return filepath.WalkDir(env.WorkDir, func(path string, d os.DirEntry, err error) error {
				if err != nil || d.Name() != "go.mod" {
					return err
				}
				data, err := os.ReadFile(path)
				if err != nil {
					return err
				}
				return os.WriteFile(path, []byte(strings.ReplaceAll(string(data), "$REPO", repo)), 0o666)
			})
		},
	})
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

// goEnvFor is what the go command inside a script needs from this machine:
// the proxy, the caches and GOFLAGS plus -mod=mod.
func goEnvFor(t *testing.T) map[string]string {
	t.Helper()
	names := []string{"GOPROXY", "GONOPROXY", "GOSUMDB", "GONOSUMDB", "GOPRIVATE", "GOMODCACHE", "GOCACHE", "GOPATH", "GOTOOLCHAIN", "GOFLAGS"}
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	out, err := exec.CommandContext(ctx, "go", append([]string{"env", "-json"}, names...)...).Output()
	if err != nil {
		t.Fatalf("go env: %v", err)
	}
	vals := map[string]string{}
	if err := json.Unmarshal(out, &vals); err != nil {
		t.Fatal(err)
	}
	vals["GOFLAGS"] = strings.TrimSpace(vals["GOFLAGS"] + " -mod=mod")
	for k, v := range vals {
		if v == "" {
			delete(vals, k)
		}
	}
	return vals
}
