package stubgen

import (
	"bytes"
	"fmt"
	"go/types"
	"reflect"
	"regexp"
	"sort"
	"strings"

	"github.com/godurable/godurable/internal/abi"
)

// TypeScript returns the declarations of the RPC interfaces of m's
// classes and entrypoints, for JavaScript and TypeScript callers, as
// @cloudflare/workers-types expects them: an interface per class that
// extends Rpc.DurableObjectBranded (per entrypoint,
// Rpc.WorkerEntrypointBranded, named as its Go stub), whose methods return Promises of the
// values the Go methods return as they arrive in JavaScript; an interface
// per Go struct type in their signatures (fields named as the values
// carry them: msgpack, else json tags); and an Env with
// DurableObjectNamespace<Class> for each binding of bindings (binding
// name -> class name), as wrangler types writes it.
func TypeScript(m *abi.Manifest, p *Package, bindings map[string]string) ([]byte, error) {
	classes, err := p.classes(m)
	if err != nil {
		return nil, err
	}
	ts := &tsWriter{names: map[*types.TypeName]string{}, taken: map[string]bool{"Env": true, "Value": true}}
	for _, c := range classes {
		ts.taken[c.Name] = true
	}
	var body bytes.Buffer
	for _, c := range classes {
		brand := "DurableObjectBranded"
		if c.entry != "" {
			brand = "WorkerEntrypointBranded"
		}
		fmt.Fprintf(&body, "\n/** The RPC methods of %s. */\n", c.what())
		fmt.Fprintf(&body, "export interface %s extends Rpc.%s {\n", c.Name, brand)
		for i, fn := range c.methods {
			meth := c.Methods[i]
			if doc := p.doc(c, meth.Name); doc != "" {
				body.WriteString(tsDoc("  ", doc))
			}
			var ps []string
			vars := params(fn)
			optional := len(vars) // the trailing parameters a caller may leave out
			for optional > 0 && mayOmit(vars[optional-1].Type()) {
				optional--
			}
			for j, v := range vars {
				name := v.Name()
				if name == "" || name == "_" || !jsIdent.MatchString(name) || tsReserved[name] {
					name = fmt.Sprintf("arg%d", j+1)
				}
				if j >= optional {
					name += "?"
				}
				ps = append(ps, name+": "+ts.typ(v.Type()))
			}
			res := "void"
			if r := result(fn); r != nil {
				res = ts.typ(r)
			}
			fmt.Fprintf(&body, "  %s(%s): Promise<%s>;\n", meth.JSName, strings.Join(ps, ", "), res)
		}
		body.WriteString("}\n")
	}
	// Struct types found on the way, each declared once (declaring one may
	// find more).
	var decls bytes.Buffer
	for len(ts.queue) > 0 {
		tn := ts.queue[0]
		ts.queue = ts.queue[1:]
		st := tn.Type().Underlying().(*types.Struct)
		var fields []string
		ts.fields(st, map[string]bool{}, &fields)
		fmt.Fprintf(&decls, "\n/** The Go type %s. */\nexport interface %s {\n", types.TypeString(tn.Type(), func(p *types.Package) string { return p.Name() }), ts.names[tn])
		for _, f := range fields {
			fmt.Fprintf(&decls, "  %s\n", f)
		}
		decls.WriteString("}\n")
	}

	var b bytes.Buffer
	b.WriteString(Header + "\n")
	fmt.Fprintf(&b, "// The RPC interfaces of the Durable Object classes and entrypoints of %s\n", p.Path)
	b.WriteString("// for callers in JavaScript, with @cloudflare/workers-types:\n// env.BINDING.getByName(name) is a DurableObjectStub of the class's interface,\n")
	b.WriteString("// and a service binding of an entrypoint a Service<its interface>.\n")
	if ts.anyValue {
		b.WriteString("\n/** A value that crosses the boundary where Go's type says nothing (any, an interface). */\n")
		b.WriteString("export type Value = null | boolean | number | string | Date | Uint8Array | object;\n")
	}
	b.Write(decls.Bytes())
	b.Write(body.Bytes())
	if len(bindings) > 0 {
		names := make([]string, 0, len(bindings))
		for n := range bindings {
			names = append(names, n)
		}
		sort.Strings(names)
		b.WriteString(envComment + "export interface Env {\n")
		for _, n := range names {
			fmt.Fprintf(&b, "  %s: DurableObjectNamespace<%s>;\n", tsKey(n), bindings[n])
		}
		b.WriteString("}\n")
	}
	return b.Bytes(), nil
}

type tsWriter struct {
	names map[*types.TypeName]string // declared struct types
	taken map[string]bool
	queue []*types.TypeName
	// anyValue says whether a type is Value, any value that crosses.
	anyValue bool
}

// typ returns the TypeScript type of the JavaScript values a Go value of
// type t crosses the boundary as (and is decoded from).
func (w *tsWriter) typ(t types.Type) string {
	t = types.Unalias(t)
	if kind, _ := streamOf(t); kind != "" {
		// Bytes, or values as JSON lines (one per value, "\n" after each).
		return "ReadableStream<Uint8Array>"
	}
	if n, ok := t.(*types.Named); ok {
		obj := n.Obj()
		if pkg := obj.Pkg(); pkg != nil {
			switch pkg.Path() + "." + obj.Name() {
			case "time.Time":
				return "Date" // a MessagePack timestamp
			case "net/http.Header": // abi.ExtHeaders, ExtRequest, ExtResponse
				return "Headers"
			case "net/http.Request":
				return "Request"
			case "net/http.Response":
				return "Response"
			case "github.com/godurable/godurable/worker.Stub": // abi.ExtStub
				// A stub of any object (a DurableObjectStub is one); one
				// received over RPC is a plain Fetcher in workerd.
				return "Fetcher"
			}
		}
		if customEncoding(t) {
			w.anyValue = true
			return "Value"
		}
		if _, ok := n.Underlying().(*types.Struct); ok && n.TypeArgs().Len() == 0 {
			return w.declare(obj)
		}
	}
	switch u := t.Underlying().(type) {
	case *types.Basic:
		switch {
		case u.Info()&types.IsBoolean != 0:
			return "boolean"
		case u.Info()&types.IsNumeric != 0:
			return "number"
		case u.Info()&types.IsString != 0:
			return "string"
		}
	case *types.Pointer:
		return w.typ(u.Elem()) + " | null"
	case *types.Slice:
		if isByte(u.Elem()) {
			return "Uint8Array | null"
		}
		return w.elem(u.Elem()) + "[] | null"
	case *types.Array:
		if isByte(u.Elem()) {
			return "Uint8Array"
		}
		return w.elem(u.Elem()) + "[]"
	case *types.Map:
		return "Record<string, " + w.typ(u.Elem()) + "> | null"
	case *types.Struct:
		return w.object(u)
	case *types.Interface:
		// Any value that crosses: "unknown" would do, but workers-types'
		// Rpc types turn a result that may hold an unknown into never.
		w.anyValue = true
		return "Value"
	}
	w.anyValue = true
	return "Value"
}

func (w *tsWriter) elem(t types.Type) string {
	s := w.typ(t)
	if strings.Contains(s, " | ") {
		return "(" + s + ")"
	}
	return s
}

// declare returns the name under which the struct type tn is declared,
// queueing its declaration the first time.
func (w *tsWriter) declare(tn *types.TypeName) string {
	if name, ok := w.names[tn]; ok {
		return name
	}
	name := tn.Name()
	for i := 2; w.taken[name]; i++ {
		name = fmt.Sprintf("%s%d", tn.Name(), i)
	}
	w.names[tn], w.taken[name] = name, true
	w.queue = append(w.queue, tn)
	return name
}

// object returns the inline object type of a struct's encoded fields.
func (w *tsWriter) object(st *types.Struct) string {
	var fields []string
	w.fields(st, map[string]bool{}, &fields)
	if len(fields) == 0 {
		return "{}"
	}
	return "{ " + strings.Join(fields, " ") + " }"
}

// fields appends the fields of st as msgpack encodes them: by the name of
// their msgpack tag, else json tag, else Go name; embedded structs inline.
func (w *tsWriter) fields(st *types.Struct, seen map[string]bool, out *[]string) {
	for i := range st.NumFields() {
		f := st.Field(i)
		tag := reflect.StructTag(st.Tag(i))
		spec, ok := tag.Lookup("msgpack")
		if !ok || spec == "" {
			spec = tag.Get("json")
		}
		name, opts, _ := strings.Cut(spec, ",")
		if name == "-" {
			continue
		}
		if f.Embedded() && !strings.Contains(","+opts+",", ",noinline,") {
			et := types.Unalias(f.Type())
			if p, ok := et.(*types.Pointer); ok {
				et = p.Elem()
			}
			if inner, ok := et.Underlying().(*types.Struct); ok && name == "" && !customEncoding(et) {
				w.fields(inner, seen, out)
				continue
			}
		}
		if !f.Exported() && !f.Embedded() {
			continue
		}
		if name == "" {
			name = f.Name()
		}
		if seen[name] {
			continue
		}
		seen[name] = true
		opt := ""
		if strings.Contains(","+opts+",", ",omitempty,") {
			opt = "?"
		}
		*out = append(*out, fmt.Sprintf("%s%s: %s;", tsKey(name), opt, w.typ(f.Type())))
	}
}

// customEncoding reports whether t encodes itself (msgpack.CustomEncoder
// or msgpack.Marshaler), so that nothing says what JavaScript gets.
func customEncoding(t types.Type) bool {
	for _, name := range []string{"EncodeMsgpack", "MarshalMsgpack"} {
		if obj, _, _ := types.LookupFieldOrMethod(types.NewPointer(t), true, nil, name); obj != nil {
			if _, ok := obj.(*types.Func); ok {
				return true
			}
		}
	}
	return false
}

func isByte(t types.Type) bool {
	b, ok := t.Underlying().(*types.Basic)
	return ok && b.Kind() == types.Uint8
}

var jsIdent = regexp.MustCompile(`^[A-Za-z_$][A-Za-z0-9_$]*$`)

// tsReserved are the words a parameter may not be named.
var tsReserved = map[string]bool{
	"break": true, "case": true, "catch": true, "class": true, "const": true, "continue": true, "debugger": true,
	"default": true, "delete": true, "do": true, "else": true, "enum": true, "export": true, "extends": true,
	"false": true, "finally": true, "for": true, "function": true, "if": true, "import": true, "in": true,
	"instanceof": true, "new": true, "null": true, "return": true, "super": true, "switch": true, "this": true,
	"throw": true, "true": true, "try": true, "typeof": true, "var": true, "void": true, "while": true, "with": true,
	"let": true, "static": true, "yield": true, "await": true, "implements": true, "interface": true,
	"package": true, "private": true, "protected": true, "public": true,
}

func tsKey(name string) string {
	if jsIdent.MatchString(name) {
		return name
	}
	return fmt.Sprintf("%q", name)
}

func tsDoc(indent, doc string) string {
	lines := strings.Split(strings.TrimRight(doc, "\n"), "\n")
	var b strings.Builder
	b.WriteString(indent + "/**\n")
	for _, l := range lines {
		l = strings.ReplaceAll(l, "*/", "*\\/")
		b.WriteString(strings.TrimRight(indent+" * "+l, " ") + "\n")
	}
	b.WriteString(indent + " */\n")
	return b.String()
}

// envComment starts the Env of the declarations, which ends them.
const envComment = "\n/** The bindings of the wrangler configuration to these classes. */\n"

// WithoutEnv returns TypeScript declarations without their Env: what they
// are without a configuration's bindings.
func WithoutEnv(ts []byte) []byte {
	if i := bytes.Index(ts, []byte(envComment)); i >= 0 {
		return ts[:i]
	}
	return ts
}

// mayOmit reports whether a caller may leave out an argument of type t
// when it and every one after it can: a type that can be nil (a pointer,
// a slice, a map, an interface other than a stream's io.Reader), as the
// runtime fills a left-out one with nil (internal/rt's argItems).
func mayOmit(t types.Type) bool {
	switch u := t.Underlying().(type) {
	case *types.Pointer, *types.Slice, *types.Map:
		return true
	case *types.Interface:
		s := types.TypeString(t, nil)
		return s != "io.Reader" && s != "io.ReadCloser" && u != nil
	}
	return false
}
