// Package stubgen writes typed clients of a module's Durable Object
// classes: Go stubs whose methods mirror each class's RPC methods, and the
// TypeScript declarations of their RPC interfaces for JavaScript callers.
//
// Which methods a class exposes comes from the module's manifest (the
// runtime decides it, and the same decision is enforced when the module
// runs); their signatures come from the package's source, type-checked
// with go/types against the export data go list gives for its imports.
package stubgen

import (
	"cmp"
	"context"
	"fmt"
	"go/ast"
	"go/importer"
	"go/parser"
	"go/token"
	"go/types"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/godurable/godurable/internal/abi"
	"github.com/godurable/godurable/internal/build"
)

// Package is a type-checked main package and the doc comments of its
// methods.
type Package struct {
	Path  string // import path
	Dir   string
	Types *types.Package
	fset  *token.FileSet
	files []*ast.File
	info  *types.Info
	conf  types.Config      // how Types was checked, to check it again with other stubs
	docs  map[string]string // "Type.Method" -> doc comment
	// missing are the names of Go stubs that the package uses but does
	// not declare (<Class>Stub, New<Class>Stub), in order.
	missing []string
}

type listed struct {
	ImportPath string
	Name       string
	Dir        string
	GoFiles    []string
	Export     string
	ImportMap  map[string]string
	Error      *struct{ Err string }
}

// Load type-checks the package pkg (a go list pattern, resolved in dir)
// as it builds for wasip1/wasm, without the files of its directory named
// in without (its Go stubs, which may be stale or missing). The package
// may use Go stubs it does not declare: the uses of undeclared names of
// stubs (<Class>Stub, New<Class>Stub) are not errors here (Generate
// writes them); every other error is.
func Load(ctx context.Context, dir, pkg string, without ...string) (*Package, error) {
	pkgs, err := build.ListDeps[listed](ctx, dir, pkg, "ImportPath,Name,Dir,GoFiles,Export,ImportMap,Error", "-export")
	if err != nil {
		return nil, err
	}
	target := pkgs[len(pkgs)-1] // -deps lists the package after its dependencies
	exports := map[string]string{}
	for _, p := range pkgs[:len(pkgs)-1] {
		if p.Error != nil {
			return nil, fmt.Errorf("%s: %s", p.ImportPath, p.Error.Err)
		}
		exports[p.ImportPath] = p.Export
	}

	p := &Package{Path: target.ImportPath, Dir: target.Dir, fset: token.NewFileSet()}
	for _, name := range target.GoFiles {
		if slices.Contains(without, name) {
			continue
		}
		f, err := parser.ParseFile(p.fset, filepath.Join(target.Dir, name), nil, parser.ParseComments|parser.SkipObjectResolution)
		if err != nil {
			return nil, err
		}
		p.files = append(p.files, f)
	}
	gc := importer.ForCompiler(p.fset, "gc", func(path string) (io.ReadCloser, error) {
		file := exports[path]
		if file == "" {
			return nil, fmt.Errorf("no export data for %s", path)
		}
		return os.Open(file)
	})
	p.conf.Importer = importerFunc(func(path string) (*types.Package, error) {
		if p, ok := target.ImportMap[path]; ok {
			path = p
		}
		return gc.Import(path)
	})
	errs := p.check(nil)
	if len(errs) > 0 {
		return nil, fmt.Errorf("type-checking %s:\n\t%s", target.ImportPath, strings.Join(errs, "\n\t"))
	}
	p.docs = methodDocs(p.files)
	return p, nil
}

// check type-checks the package's files and extra into p.Types, p.info
// and p.missing, and returns its errors but those of the missing stubs'
// names (at most 10).
func (p *Package) check(extra *ast.File) []string {
	files := p.files
	if extra != nil {
		files = append(slices.Clip(files), extra)
	}
	var all []types.Error
	conf := p.conf
	conf.Error = func(err error) {
		if te, ok := err.(types.Error); ok {
			all = append(all, te)
		}
	}
	p.info = &types.Info{
		Types:     map[ast.Expr]types.TypeAndValue{},
		Defs:      map[*ast.Ident]types.Object{},
		Uses:      map[*ast.Ident]types.Object{},
		Instances: map[*ast.Ident]types.Instance{},
	}
	p.Types, _ = conf.Check(p.Path, p.fset, files, p.info)
	undeclared := undeclaredStubNames(files, p.info)
	p.missing = nil
	var errs []string
	for _, e := range all {
		if name, ok := undeclared[e.Pos]; ok {
			if !slices.Contains(p.missing, name) {
				p.missing = append(p.missing, name)
			}
			continue
		}
		if len(errs) < 10 {
			errs = append(errs, e.Error())
		}
	}
	return errs
}

type importerFunc func(path string) (*types.Package, error)

func (f importerFunc) Import(path string) (*types.Package, error) { return f(path) }

// methodDocs returns the doc comments of the methods declared in files.
func methodDocs(files []*ast.File) map[string]string {
	docs := map[string]string{}
	for _, f := range files {
		for _, d := range f.Decls {
			fn, ok := d.(*ast.FuncDecl)
			if !ok || fn.Recv == nil || len(fn.Recv.List) != 1 || fn.Doc == nil {
				continue
			}
			t := fn.Recv.List[0].Type
			if s, ok := t.(*ast.StarExpr); ok {
				t = s.X
			}
			if id, ok := t.(*ast.Ident); ok {
				docs[id.Name+"."+fn.Name.Name] = fn.Doc.Text()
			}
		}
	}
	return docs
}

// class is a registered class, or an entrypoint of the Worker, with its Go
// type and its exposed methods' signatures. An entrypoint's Name is the
// name of its stubs: the entrypoint's, or, for the default export's, its
// Go type's.
type class struct {
	abi.Class
	named   *types.Named
	methods []*types.Func // in the order of Class.Methods
	// entry is, for an entrypoint, how it is described: "the default
	// entrypoint", "the entrypoint Admin"; "" for a class.
	entry string
}

// what describes c in the stubs' comments.
func (c class) what() string {
	if c.entry != "" {
		return c.entry
	}
	return "the Durable Object class " + c.Name
}

// receiver names what a stub's method calls in its comment.
func (c class) receiver() string {
	if c.entry != "" {
		return "entrypoint"
	}
	return "object"
}

// recv is the class's Go type: named, or a pointer to it.
func (c class) recv() types.Type {
	if strings.HasPrefix(c.GoType, "*") {
		return types.NewPointer(c.named)
	}
	return c.named
}

// classes finds the Go types and exposed methods of m's classes, then
// of its entrypoints, in p.
func (p *Package) classes(m *abi.Manifest) ([]class, error) {
	var out []class
	names := map[string]string{} // stub base name -> what has it
	for i, c := range slices.Concat(m.Classes, m.Entrypoints) {
		entry := ""
		if i >= len(m.Classes) {
			entry = "the entrypoint " + c.Name
			if c.Name == "" {
				entry = "the default entrypoint"
				c.Name = c.GoType[strings.LastIndex(c.GoType, ".")+1:]
			}
		}
		what := cmp.Or(entry, "class "+c.Name)
		if other, ok := names[c.Name]; ok {
			return nil, fmt.Errorf("%s and %s would have the same stubs (%sStub)", other, what, c.Name)
		}
		names[c.Name] = what
		if c.GoType == "" {
			return nil, fmt.Errorf("%s: its Go type has no name that generated code can use", what)
		}
		full := strings.TrimPrefix(c.GoType, "*")
		dot := strings.LastIndex(full, ".")
		path, name := full[:dot], full[dot+1:]
		tp := p.lookupPackage(path)
		if tp == nil {
			return nil, fmt.Errorf("%s: package %s of its Go type %s is not %s or one of its imports", what, path, c.GoType, p.Path)
		}
		tn, _ := tp.Scope().Lookup(name).(*types.TypeName)
		if tn == nil {
			return nil, fmt.Errorf("%s: no type %s in %s", what, name, tp.Path())
		}
		named, ok := types.Unalias(tn.Type()).(*types.Named)
		if !ok {
			return nil, fmt.Errorf("%s: %s is not a named type", what, name)
		}
		cl := class{Class: c, named: named, entry: entry}
		mset := types.NewMethodSet(cl.recv())
		for _, meth := range c.Methods {
			sel := mset.Lookup(nil, meth.Name)
			if sel == nil {
				return nil, fmt.Errorf("%s: %s has no method %s: is the module built from this source?", what, c.GoType, meth.Name)
			}
			cl.methods = append(cl.methods, sel.Obj().(*types.Func))
		}
		out = append(out, cl)
	}
	return out, nil
}

// lookupPackage finds the package whose path reflect reports as path
// ("main" for the main package) among p and its imports.
func (p *Package) lookupPackage(path string) *types.Package {
	if path == "main" || path == p.Path {
		return p.Types
	}
	seen := map[*types.Package]bool{}
	var walk func(*types.Package) *types.Package
	walk = func(tp *types.Package) *types.Package {
		if seen[tp] {
			return nil
		}
		seen[tp] = true
		if tp.Path() == path {
			return tp
		}
		for _, i := range tp.Imports() {
			if r := walk(i); r != nil {
				return r
			}
		}
		return nil
	}
	return walk(p.Types)
}

// source returns the contents of the file that declares obj.
func (p *Package) source(obj types.Object) []byte {
	b, _ := os.ReadFile(p.fset.Position(obj.Pos()).Filename)
	return b
}

// doc returns the doc comment of the method of the class's type, or "".
func (p *Package) doc(c class, method string) string {
	if c.named.Obj().Pkg() != p.Types {
		return ""
	}
	return p.docs[c.named.Obj().Name()+"."+method]
}

// params returns the parameters of fn after a leading context.Context.
func params(fn *types.Func) []*types.Var {
	sig := fn.Type().(*types.Signature)
	var out []*types.Var
	for i := range sig.Params().Len() {
		v := sig.Params().At(i)
		if i == 0 && isContext(v.Type()) {
			continue
		}
		out = append(out, v)
	}
	return out
}

// result returns the result of fn that crosses the boundary, or nil.
func result(fn *types.Func) types.Type {
	res := fn.Type().(*types.Signature).Results()
	if res.Len() == 0 {
		return nil
	}
	if t := res.At(0).Type(); !isError(t) {
		return t
	}
	return nil
}

func isContext(t types.Type) bool {
	n, ok := types.Unalias(t).(*types.Named)
	return ok && n.Obj().Pkg() != nil && n.Obj().Pkg().Path() == "context" && n.Obj().Name() == "Context"
}

func isError(t types.Type) bool { return types.Identical(t, types.Universe.Lookup("error").Type()) }

// streamOf says how a method's result of type t streams over RPC, as the
// runtime decides it: "bytes" for an io.Reader or io.ReadCloser, "values"
// (of type elem) for a channel, an iter.Seq or an iter.Seq2 whose second
// type is error; "" if it does not.
func streamOf(t types.Type) (kind string, elem types.Type) {
	t = types.Unalias(t)
	if n, ok := t.(*types.Named); ok && n.Obj().Pkg() != nil && n.Obj().Pkg().Path() == "io" && (n.Obj().Name() == "Reader" || n.Obj().Name() == "ReadCloser") {
		return "bytes", nil
	}
	switch u := t.Underlying().(type) {
	case *types.Chan:
		if u.Dir() != types.SendOnly {
			return "values", u.Elem()
		}
	case *types.Signature:
		if u.Params().Len() != 1 || u.Results().Len() != 0 {
			return "", nil
		}
		y, ok := u.Params().At(0).Type().Underlying().(*types.Signature)
		if !ok || y.Results().Len() != 1 || !types.Identical(y.Results().At(0).Type(), types.Typ[types.Bool]) {
			return "", nil
		}
		if y.Params().Len() == 1 || y.Params().Len() == 2 && isError(y.Params().At(1).Type()) {
			return "values", y.Params().At(0).Type()
		}
	}
	return "", nil
}
