package vet_test

import (
	"go/token"
	"slices"
	"testing"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/analysistest"

	"github.com/anyiogen/anyiogen/internal/vet"
)

// fixtures are the packages of testdata/src that show each analyzer's
// cases, a // want line for each, and its fixes in .golden files.
var fixtures = map[string][]string{
	"sleep":      {"example.com/sleep", "example.com/useslib", "example.com/usesconc", "example.com/mixed", "example.com/helperuse"},
	"deadline":   {"example.com/deadline"},
	"now":        {"example.com/now"},
	"goroutine":  {"example.com/goroutine"},
	"chanwait":   {"example.com/chanwait"},
	"lockwait":   {"example.com/lockwait"},
	"globalrand": {"example.com/globalrand"},
	"fatal":      {"example.com/fatal"},
	"dial":       {"example.com/dial"},
	"netconn":    {"example.com/netconn"},
	"osfile":     {"example.com/osfile"},
	"signal":     {"example.com/signal"},
	"exec":       {"example.com/exec"},
}

// everything reports every finding of Regions, of whatever kind: what all
// the analyzers together report. One load of the fixtures and of their
// dependencies (from source, for the facts) serves every analyzer, where
// a run per analyzer would load them all again each time.
var everything = &analysis.Analyzer{
	Name:     "everything",
	Doc:      "reports every finding of every anyiovet analyzer",
	Requires: []*analysis.Analyzer{vet.Regions},
	Run: func(pass *analysis.Pass) (any, error) {
		for _, f := range pass.ResultOf[vet.Regions].(*vet.Result).Findings {
			pass.Report(analysis.Diagnostic{Pos: f.Pos, End: f.End, Category: f.Analyzer, Message: f.Message, SuggestedFixes: f.Fixes})
		}
		return nil, nil
	},
}

// The fixtures' cases are found, nothing else is, and the fixes give the
// .golden files. Each fixture shows one analyzer's kind only, so this is
// each analyzer's test; TestAnalyzersReportTheirKindOnly shows that an
// analyzer reports exactly its kind of what Regions finds.
func TestAnalyzers(t *testing.T) {
	var pkgs []string
	for _, a := range vet.Analyzers {
		ps, ok := fixtures[a.Name]
		if !ok {
			t.Errorf("analyzer %s has no fixture", a.Name)
		}
		pkgs = append(pkgs, ps...)
	}
	analysistest.RunWithSuggestedFixes(t, analysistest.TestData(), everything, pkgs...)
}

// Each analyzer reports the findings of its own kind, with their messages
// and fixes, and no other.
func TestAnalyzersReportTheirKindOnly(t *testing.T) {
	var findings []vet.Finding
	for i, a := range vet.Analyzers {
		findings = append(findings, vet.Finding{Analyzer: a.Name, Pos: token.Pos(i + 1), Message: "a finding of kind " + a.Name,
			Fixes: []analysis.SuggestedFix{{Message: "fix " + a.Name}}})
	}
	for _, a := range vet.Analyzers {
		var got []analysis.Diagnostic
		pass := &analysis.Pass{
			Analyzer: a,
			ResultOf: map[*analysis.Analyzer]any{vet.Regions: &vet.Result{Findings: findings}},
			Report:   func(d analysis.Diagnostic) { got = append(got, d) },
		}
		if _, err := a.Run(pass); err != nil {
			t.Fatal(err)
		}
		if len(got) != 1 || got[0].Message != "a finding of kind "+a.Name || got[0].Category != a.Name ||
			len(got[0].SuggestedFixes) != 1 || got[0].SuggestedFixes[0].Message != "fix "+a.Name {
			t.Errorf("analyzer %s reported %+v, want only its own finding, with its fix", a.Name, got)
		}
		if !slices.Contains(a.Requires, vet.Regions) {
			t.Errorf("analyzer %s does not require Regions", a.Name)
		}
	}
}

// Code that never hands a function to a generated package, or does
// everything through it, gets no report from any analyzer; nor does the
// generated package itself.
func TestCleanFixturesStaySilent(t *testing.T) {
	analysistest.Run(t, analysistest.TestData(), everything, "example.com/clean", "example.com/gen/anyio", "example.com/lib")
}
