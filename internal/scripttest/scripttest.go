// Package scripttest is what the repository's testscript suites share: a
// user's module in $WORK, driven with the real go command and with this
// repository's commands built as users build them.
package scripttest

import (
	"bytes"
	"context"
	"encoding/json"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"
)

// goEnvNames are what the go command inside a script needs from this
// machine (testscript sets HOME=/no-home, so the go env file is not read):
// the proxy, the caches and the toolchain choice.
var goEnvNames = []string{"GOPROXY", "GONOPROXY", "GOSUMDB", "GONOSUMDB", "GOPRIVATE", "GOINSECURE",
	"GOMODCACHE", "GOCACHE", "GOPATH", "GOTOOLCHAIN", "GOFLAGS"}

// Setup is the environment of every script: the machine's go settings
// (GOFLAGS plus -mod=mod -trimpath -count=1), GOWORK off, $REPO the repository's root (and
// "$REPO" in a script's go.mod replaced by it, for a replace line), and
// the commands Setup was given first on PATH.
type Setup struct {
	Repo string
	env  [][2]string
	bin  string
}

// New reads the machine's go settings and builds the commands, named by
// their directories under cmd/ (such as "anyiovet"), with the go command
// as a user's go install would: not with this test binary's race detector,
// which would slow every run of them tenfold.
func New(t *testing.T, commands ...string) *Setup {
	t.Helper()
	repo, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(repo, "go.mod")); err != nil {
		t.Fatalf("repository root not found: %v", err)
	}
	return &Setup{Repo: repo, env: goEnv(t), bin: Build(t, repo, commands...)}
}

// Build builds the commands of the repository at repo, named by their
// directories under cmd/, into a temporary directory and returns it.
func Build(t *testing.T, repo string, commands ...string) string {
	t.Helper()
	bin := t.TempDir()
	if len(commands) == 0 {
		return bin
	}
	args := []string{"build", "-o", bin + string(filepath.Separator)}
	for _, c := range commands {
		args = append(args, "./cmd/"+c)
	}
	cmd := exec.CommandContext(t.Context(), "go", args...)
	cmd.Dir = repo
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return bin
}

// Bin is the directory of the built commands.
func (s *Setup) Bin() string { return s.bin }

// Apply sets env up for one script.
func (s *Setup) Apply(env *testscript.Env) error {
	for _, kv := range s.env {
		env.Setenv(kv[0], kv[1])
	}
	env.Setenv("GOWORK", "off") // each script's module stands alone
	env.Setenv("REPO", s.Repo)
	env.Setenv("PATH", s.bin+string(filepath.ListSeparator)+env.Getenv("PATH"))
	return expandRepo(env.WorkDir, s.Repo)
}

func goEnv(t *testing.T) [][2]string {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	out, err := exec.CommandContext(ctx, "go", append([]string{"env", "-json"}, goEnvNames...)...).Output()
	if err != nil {
		t.Fatalf("go env: %v (the scripts need the go command on PATH)", err)
	}
	vals := map[string]string{}
	if err := json.Unmarshal(out, &vals); err != nil {
		t.Fatalf("go env -json: %v", err)
	}
	// -trimpath keeps each script's random $WORK out of the build cache's
	// keys, so a module a script builds is compiled once per machine, not
	// once per run; -count=1 keeps go test from answering from its cache,
	// so the scripts' tests still run every time. A script that sets
	// GOFLAGS appends to $GOFLAGS; the last -mod wins.
	vals["GOFLAGS"] = strings.TrimSpace(vals["GOFLAGS"] + " -mod=mod -trimpath -count=1")
	var env [][2]string
	for _, name := range goEnvNames {
		if vals[name] != "" {
			env = append(env, [2]string{name, vals[name]})
		}
	}
	return env
}

// expandRepo replaces $REPO in every go.mod under dir with repo.
func expandRepo(dir, repo string) error {
	return filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.Name() != "go.mod" {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(path, bytes.ReplaceAll(data, []byte("$REPO"), []byte(repo)), 0o666)
	})
}
