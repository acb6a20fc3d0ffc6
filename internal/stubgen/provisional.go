package stubgen

import (
	"fmt"
	"go/ast"
	"go/constant"
	"go/token"
	"go/types"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/godurable/godurable/internal/abi"
)

// The function whose calls register a class.
const (
	registerPkg  = "github.com/godurable/godurable/durableobject"
	registerFunc = "Register"
)

// undeclaredStubNames returns the identifiers of files that info does not
// resolve and that are named as Go stubs are (<Class>Stub,
// New<Class>Stub), by position. Field and method names are not among
// them.
func undeclaredStubNames(files []*ast.File, info *types.Info) map[token.Pos]string {
	out := map[token.Pos]string{}
	var visit func(n ast.Node) bool
	visit = func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.SelectorExpr:
			ast.Inspect(n.X, visit) // n.Sel is a field or a method
			return false
		case *ast.Ident:
			if _, ok := info.Uses[n]; ok {
				return false
			}
			if _, ok := info.Defs[n]; ok {
				return false
			}
			if len(n.Name) > len("Stub") && strings.HasSuffix(n.Name, "Stub") {
				out[n.Pos()] = n.Name
			}
		}
		return true
	}
	for _, f := range files {
		ast.Inspect(f, visit)
	}
	return out
}

// provisionalStubs returns Go stubs that declare the missing names of
// stubs, for a build of the package that reads its manifest: for each
// class of the package's source whose stub is missing, a stub with every
// exported method of the class's type, which covers every RPC method the
// module can expose. A missing name that is no stub of a class of the
// source is an error.
func (p *Package) provisionalStubs() ([]byte, error) {
	classes := p.registeredClasses()
	m := &abi.Manifest{}
	for _, name := range p.missing {
		i := slices.IndexFunc(classes, func(c abi.Class) bool {
			return name == c.Name+"Stub" || name == "New"+c.Name+"Stub"
		})
		if i < 0 {
			var names []string
			for _, c := range classes {
				names = append(names, c.Name)
			}
			return nil, fmt.Errorf("%s uses %s, but its source registers no class %s (its calls of durableobject.Register with a constant name register %s; stubs of a class registered elsewhere cannot be written while the package uses them)",
				p.Path, name, strings.TrimSuffix(strings.TrimPrefix(name, "New"), "Stub"), orNone(names))
		}
		if !slices.ContainsFunc(m.Classes, func(c abi.Class) bool { return c.Name == classes[i].Name }) {
			m.Classes = append(m.Classes, classes[i])
		}
	}
	return GoStubs(m, p, GoOptions{})
}

// registeredClasses returns the classes that the package's source
// registers with durableobject.Register and a constant name, each with
// every exported method of its type as an RPC method.
func (p *Package) registeredClasses() []abi.Class {
	var out []abi.Class
	for _, f := range p.files {
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok || len(call.Args) == 0 {
				return true
			}
			fun := ast.Unparen(call.Fun)
			switch x := fun.(type) { // Register[T](...)
			case *ast.IndexExpr:
				fun = x.X
			case *ast.IndexListExpr:
				fun = x.X
			}
			var id *ast.Ident
			switch x := fun.(type) {
			case *ast.Ident:
				id = x
			case *ast.SelectorExpr:
				id = x.Sel
			}
			fn, ok := p.info.Uses[id].(*types.Func)
			if id == nil || !ok || fn.Pkg() == nil || fn.Pkg().Path() != registerPkg || fn.Name() != registerFunc {
				return true
			}
			name := p.info.Types[call.Args[0]].Value
			inst, ok := p.info.Instances[id]
			if name == nil || name.Kind() != constant.String || !ok || inst.TypeArgs.Len() != 1 {
				return true
			}
			if c, ok := p.sourceClass(constant.StringVal(name), inst.TypeArgs.At(0)); ok {
				out = append(out, c)
			}
			return true
		})
	}
	return out
}

// sourceClass returns the class name whose objects have type t, with
// every exported method of t.
func (p *Package) sourceClass(name string, t types.Type) (abi.Class, bool) {
	ptr, elem := "", t
	if pt, ok := t.(*types.Pointer); ok {
		ptr, elem = "*", pt.Elem()
	}
	named, ok := types.Unalias(elem).(*types.Named)
	if !ok || named.Obj().Pkg() == nil || named.TypeArgs().Len() > 0 {
		return abi.Class{}, false
	}
	c := abi.Class{Name: name, GoType: ptr + named.Obj().Pkg().Path() + "." + named.Obj().Name()}
	mset := types.NewMethodSet(t)
	for i := range mset.Len() {
		fn := mset.At(i).Obj()
		if fn.Exported() {
			r, size := utf8.DecodeRuneInString(fn.Name())
			c.Methods = append(c.Methods, abi.Method{Name: fn.Name(), JSName: string(unicode.ToLower(r)) + fn.Name()[size:]})
		}
	}
	return c, true
}

func orNone(s []string) string {
	if len(s) == 0 {
		return "none"
	}
	return strings.Join(s, ", ")
}
