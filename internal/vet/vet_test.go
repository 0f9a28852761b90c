package vet_test

import (
	"testing"

	"golang.org/x/tools/go/analysis/analysistest"

	"github.com/anyiogen/anyiogen/internal/vet"
)

// Each analyzer finds its cases in its fixture (a // want line for each),
// and its fixes give the fixture's .golden file.
func TestAnalyzers(t *testing.T) {
	dir := analysistest.TestData()
	cases := map[string][]string{
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
	}
	for _, a := range vet.Analyzers {
		pkgs, ok := cases[a.Name]
		if !ok {
			t.Errorf("analyzer %s has no fixture", a.Name)
			continue
		}
		t.Run(a.Name, func(t *testing.T) {
			analysistest.RunWithSuggestedFixes(t, dir, a, pkgs...)
		})
	}
}

// Code that never hands a function to a generated package, or does
// everything through it, gets no report from any analyzer; nor does the
// generated package itself.
func TestCleanFixturesStaySilent(t *testing.T) {
	for _, a := range vet.Analyzers {
		t.Run(a.Name, func(t *testing.T) {
			analysistest.Run(t, analysistest.TestData(), a, "example.com/clean", "example.com/gen/anyio", "example.com/lib")
		})
	}
}
