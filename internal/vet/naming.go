package vet

import (
	"go/ast"
	"go/token"
	"go/types"
)

// How a message or a fix names the generated package and the region's ctx.

// gen is the name to give the generated package in a message: the API
// copy the region was handed to, or the one a test helper it was handed to
// wraps, or any the file imports; as the file names it where it imports it.
func (w *walker) gen() string {
	if pkg := w.apiPkg(); pkg != nil {
		if q, ok := w.importName(pkg); ok && q != "" {
			return q
		}
		return pkg.Name()
	}
	return "anyio"
}

// apiPkg is the generated package whose functions a message or fix should
// name: one that declares Sleep (every copy does; a test helper does not).
func (w *walker) apiPkg() *types.Package {
	var candidates []*types.Package
	if w.r.handedTo != nil {
		candidates = append(candidates, w.r.handedTo)
	}
	for _, imp := range w.r.file.Imports {
		if pkg := w.importedPkg(imp); pkg != nil && w.s.isGeneratedPkg(pkg) {
			candidates = append(candidates, pkg)
		}
	}
	if w.r.handedTo != nil { // what a helper wraps, though this file may not import it
		for _, pkg := range w.r.handedTo.Imports() {
			if w.s.isGeneratedPkg(pkg) {
				candidates = append(candidates, pkg)
			}
		}
	}
	for _, pkg := range candidates {
		if _, ok := pkg.Scope().Lookup("Sleep").(*types.Func); ok {
			return pkg
		}
	}
	return nil
}

// inBubble reports whether the region is a body handed to a test helper,
// which runs it on sim inside a testing/synctest bubble: there the time
// and context packages follow the run's virtual clock.
func (w *walker) inBubble() bool {
	return w.r.handedTo != nil && w.s.isHelperPkg(w.r.handedTo)
}

// qualifier is how code at pos names the generated function name, say
// "anyio." or "" inside the package that holds it, and the ctx parameter's
// name: for a suggested fix. ok is false when no generated package in
// reach declares name, or a local name shadows the package or the ctx.
func (w *walker) qualifier(name string, pos token.Pos) (qual, ctx string, ok bool) {
	if w.r.ctx == nil {
		return "", "", false
	}
	scope := w.s.pass.Pkg.Scope().Innermost(pos)
	if scope == nil {
		return "", "", false
	}
	if _, obj := scope.LookupParent(w.r.ctx.Name(), pos); obj != w.r.ctx {
		return "", "", false
	}
	// The package's own generated files, when the user's code shares it.
	if fn, ok := w.s.pass.Pkg.Scope().Lookup(name).(*types.Func); ok && w.s.isGeneratedFunc(fn) {
		if _, obj := scope.LookupParent(name, pos); obj == fn {
			return "", w.r.ctx.Name(), true
		}
	}
	candidates := []*types.Package{}
	if w.r.handedTo != nil && w.r.handedTo != w.s.pass.Pkg {
		candidates = append(candidates, w.r.handedTo)
	}
	for _, imp := range w.r.file.Imports {
		if pkg := w.importedPkg(imp); pkg != nil && w.s.isGeneratedPkg(pkg) {
			candidates = append(candidates, pkg)
		}
	}
	for _, pkg := range candidates {
		if _, declares := pkg.Scope().Lookup(name).(*types.Func); !declares {
			continue
		}
		q, ok := w.importName(pkg)
		if !ok || q == "" {
			continue
		}
		if _, obj := scope.LookupParent(q, pos); obj == nil {
			continue
		} else if pn, isPkg := obj.(*types.PkgName); !isPkg || pn.Imported() != pkg {
			continue // shadowed
		}
		return q + ".", w.r.ctx.Name(), true
	}
	return "", "", false
}

// importedPkg is the package an import of the region's file brings in.
func (w *walker) importedPkg(imp *ast.ImportSpec) *types.Package {
	info := w.s.pass.TypesInfo
	if pn, ok := info.Implicits[imp].(*types.PkgName); ok {
		return pn.Imported()
	}
	if imp.Name != nil {
		if pn, ok := info.Defs[imp.Name].(*types.PkgName); ok {
			return pn.Imported()
		}
	}
	return nil
}

// importName is the name the region's file gives pkg, if it imports it by
// a usable name.
func (w *walker) importName(pkg *types.Package) (string, bool) {
	for _, imp := range w.r.file.Imports {
		if w.importedPkg(imp) != pkg {
			continue
		}
		if imp.Name != nil {
			if imp.Name.Name == "_" || imp.Name.Name == "." {
				return "", false
			}
			return imp.Name.Name, true
		}
		return pkg.Name(), true
	}
	return "", false
}
