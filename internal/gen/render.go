package gen

import (
	"bytes"
	"fmt"
	"go/ast"
	"go/format"
	"go/parser"
	"go/token"
	"slices"

	"github.com/anyiogen/anyiogen/internal/output"
)

// render turns one template into a file of the generated package:
//  1. doc comments: the file's package doc is dropped and every declaration
//     the spec documents gets the spec's text;
//  2. the merge rewrites (see rewrite.go);
//  3. go/format, under the generated-code header.
func render(tf *templateFile, docs map[string]string, rw *rewriter) ([]byte, error) {
	if tf.isAssembly() {
		return renderAssembly(tf, rw)
	}
	src, err := spliceDocs(tf, docs)
	if err != nil {
		return nil, err
	}
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, tf.path, src, parser.ParseComments|parser.SkipObjectResolution)
	if err != nil {
		return nil, fmt.Errorf("%s: after setting doc comments: %w", tf.path, err)
	}
	rw.apply(fset, f, tf)
	var out bytes.Buffer
	out.WriteString(output.Header + "\n")
	fmt.Fprintf(&out, "// Source: %s\n\n", tf.path)
	if err := format.Node(&out, fset, f); err != nil {
		return nil, fmt.Errorf("%s: %w", tf.path, err)
	}
	return out.Bytes(), nil
}

type splice struct {
	from, to int
	text     string
}

// spliceDocs replaces doc comments in the source text, which keeps every
// other comment exactly where the template has it.
func spliceDocs(tf *templateFile, docs map[string]string) ([]byte, error) {
	var splices []splice
	off := func(p token.Pos) int { return tf.fset.Position(p).Offset }
	if tf.ast.Doc != nil {
		splices = append(splices, splice{from: off(tf.ast.Doc.Pos()), to: off(tf.ast.Package)})
	}
	for _, d := range tf.ast.Decls {
		names := declNames(d)
		var doc string
		var found bool
		for _, n := range names {
			if doc, found = docs[n]; found {
				break
			}
		}
		if !found {
			continue
		}
		if len(names) != 1 {
			return nil, fmt.Errorf("%s: %s: a documented declaration must declare one name", tf.path, names[0])
		}
		from := off(d.Pos())
		if dc := docOf(d); dc != nil {
			from = off(dc.Pos())
		}
		splices = append(splices, splice{from: from, to: off(d.Pos()), text: docComment(doc)})
	}
	slices.SortFunc(splices, func(a, b splice) int { return b.from - a.from })
	src := slices.Clone(tf.src)
	for _, s := range splices {
		src = slices.Concat(src[:s.from], []byte(s.text), src[s.to:])
	}
	return src, nil
}

func docOf(d ast.Decl) *ast.CommentGroup {
	switch d := d.(type) {
	case *ast.FuncDecl:
		return d.Doc
	case *ast.GenDecl:
		return d.Doc
	}
	return nil
}
