package spec

import (
	"bytes"
	"errors"
	"go/ast"
	"go/printer"
	"go/token"
)

// DeclShape is a declaration reduced to what the API contract fixes: its
// name and its types, without parameter names or bodies. Two declarations
// with equal shapes are the same API.
type DeclShape struct {
	Name string // "Func", "Type" or "Type.Method"
	Text string // the normalized declaration
}

// ShapeOf returns the shape of a top-level declaration of a template file.
func ShapeOf(d ast.Decl) (*DeclShape, error) { return shapeOf(d) }

func shapeOf(d ast.Decl) (*DeclShape, error) {
	switch d := d.(type) {
	case *ast.FuncDecl:
		name := d.Name.Name
		text := "func "
		if d.Recv != nil && len(d.Recv.List) == 1 {
			recv := typeText(unnamed(d.Recv).List[0].Type)
			name = ReceiverBase(d.Recv.List[0].Type) + "." + name
			text += "(" + recv + ") "
		}
		ft := *d.Type
		ft.Params, ft.Results = unnamed(ft.Params), unnamed(ft.Results)
		sig := typeText(&ft) // "func[T any](int) error"
		return &DeclShape{Name: name, Text: text + d.Name.Name + sig[len("func"):]}, nil
	case *ast.GenDecl:
		if len(d.Specs) != 1 {
			return nil, errors.New("want one name per declaration")
		}
		switch s := d.Specs[0].(type) {
		case *ast.TypeSpec:
			text := "type " + s.Name.Name
			if s.TypeParams != nil {
				text += typeText(&ast.IndexListExpr{X: ast.NewIdent(""), Indices: fieldTypes(s.TypeParams)})
			}
			if s.Assign.IsValid() {
				text += " ="
			}
			switch t := s.Type.(type) {
			case *ast.StructType:
				text += " struct"
			case *ast.InterfaceType:
				text += " interface"
			default:
				text += " " + typeText(t)
			}
			return &DeclShape{Name: s.Name.Name, Text: text}, nil
		case *ast.ValueSpec:
			if len(s.Names) != 1 {
				return nil, errors.New("want one name per declaration")
			}
			text := d.Tok.String() + " " + s.Names[0].Name
			if d.Tok == token.CONST && len(s.Values) == 1 {
				text += " = " + typeText(s.Values[0])
			}
			return &DeclShape{Name: s.Names[0].Name, Text: text}, nil
		}
	}
	return nil, errors.New("not a func, type, const or var declaration")
}

// fieldTypes lists type parameter names and constraints as "T any".
func fieldTypes(fl *ast.FieldList) []ast.Expr {
	var out []ast.Expr
	for _, f := range fl.List {
		for _, n := range f.Names {
			out = append(out, &ast.Ident{Name: n.Name + " " + typeText(f.Type)})
		}
	}
	return out
}

// unnamed copies a field list without names, one entry per value.
func unnamed(fl *ast.FieldList) *ast.FieldList {
	if fl == nil {
		return nil
	}
	out := &ast.FieldList{}
	for _, f := range fl.List {
		n := max(1, len(f.Names))
		for range n {
			out.List = append(out.List, &ast.Field{Type: f.Type})
		}
	}
	return out
}

// ReceiverBase is the type name of a method receiver: T for *T or T[K].
func ReceiverBase(t ast.Expr) string {
	for {
		switch x := t.(type) {
		case *ast.StarExpr:
			t = x.X
		case *ast.IndexExpr:
			t = x.X
		case *ast.IndexListExpr:
			t = x.X
		case *ast.Ident:
			return x.Name
		default:
			return ""
		}
	}
}

func typeText(e ast.Node) string {
	var buf bytes.Buffer
	_ = printer.Fprint(&buf, token.NewFileSet(), e)
	return buf.String()
}

// FuncTypeText is a function type without parameter names:
// "func(context.Context, []byte) (int, error)".
func FuncTypeText(ft *ast.FuncType) string {
	c := *ft
	c.Params, c.Results = unnamed(c.Params), unnamed(c.Results)
	return typeText(&c)
}
