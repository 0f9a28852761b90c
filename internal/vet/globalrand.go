package vet

import (
	"fmt"
	"go/ast"
	"go/types"
	"slices"

	"golang.org/x/tools/go/analysis"
)

// Globalrand reports draws from math/rand's global source.
var Globalrand = named("globalrand", "math/rand top-level draws inside a run do not follow the seed; suggests Rand(ctx)")

// The draws of math/rand and math/rand/v2, and what is not a draw.
var (
	randNotDraws  = []string{"New", "NewSource", "NewPCG", "NewChaCha8", "NewZipf", "Seed"}
	randV2Methods = []string{"Int", "Int32", "Int32N", "Int64", "Int64N", "IntN", "Uint", "Uint32", "Uint32N", "Uint64", "Uint64N", "UintN", "Float32", "Float64", "ExpFloat64", "NormFloat64", "Perm", "Shuffle"}
	randV1ToV2    = map[string]string{"Intn": "IntN", "Int31n": "Int32N", "Int63n": "Int64N", "Int31": "Int32", "Int63": "Int64"}
)

func (w *walker) checkGlobalRand(call *ast.CallExpr, fn *types.Func) bool {
	path := fn.Pkg().Path()
	if path != "math/rand" && path != "math/rand/v2" || fn.Signature().Recv() != nil || slices.Contains(randNotDraws, fn.Name()) {
		return false
	}
	w.globalRand(call, path, fn.Name())
	return true
}

func (w *walker) globalRand(call *ast.CallExpr, path, name string) {
	msg := fmt.Sprintf("rand.%s %s draws from the global source, which the seed does not decide; draw from %s.Rand(ctx)", name, regionInsideRun, w.gen())
	method := name
	if path == "math/rand" {
		method = randV1ToV2[name]
		if method == "" && slices.Contains(randV2Methods, name) && name != "IntN" {
			method = name
		}
	}
	q, ctx, ok := w.qualifier("Rand", call.Pos())
	if !ok || !slices.Contains(randV2Methods, method) {
		w.add("globalrand", call, msg)
		return
	}
	text := fmt.Sprintf("%sRand(%s).%s", q, ctx, method)
	w.add("globalrand", call, msg, analysis.SuggestedFix{
		Message:   "Draw from " + q + "Rand(ctx)",
		TextEdits: []analysis.TextEdit{{Pos: call.Fun.Pos(), End: call.Fun.End(), NewText: []byte(text)}},
	})
}
