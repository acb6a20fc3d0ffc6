package rt

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/godurable/godurable/internal/abi"
)

// method is one RPC method of a class.
type method struct {
	name, jsName string
	fn           reflect.Value // the method expression: receiver first
	ctx          bool          // the first parameter is a context.Context
	params       []reflect.Type
	result       reflect.Type // nil when the method returns no value
	err          bool         // the last result is an error
	stream       streamKind   // how the result streams, if it does
	invoke       Invoker      // the generated invoker, if any and no stream crosses
}

var (
	contextType = reflect.TypeFor[context.Context]()
	errorType   = reflect.TypeFor[error]()
)

func init() {
	HandleEvent(abi.EventObjectCall, EventSpec{Run: callMethod})
}

// clashingJSNames are the JavaScript names no RPC method may have: those
// workerd reserves and those a caller cannot reach.
var clashingJSNames = func() map[string]string {
	m := map[string]string{}
	for _, n := range abi.ReservedRPCNames {
		m[n] = "is reserved by workerd"
	}
	for _, n := range abi.UnreachableRPCNames {
		m[n] = "cannot be called over RPC"
	}
	return m
}()

// JSName is the JavaScript name of a Go method: the first letter in lower case.
func JSName(goName string) string {
	r, n := utf8.DecodeRuneInString(goName)
	return string(unicode.ToLower(r)) + goName[n:]
}

// methodsOf finds the RPC methods of typ: its exported methods of the forms
// M(args...) or M(ctx, args...) returning nothing, error, R or (R, error)
// that exp exposes. It also returns the exported methods that are not RPC
// methods and those exp hides, each as "Name: why".
func methodsOf(typ reflect.Type, exp Exposure) (methods map[string]*method, skipped, hidden []string) {
	methods = map[string]*method{}
	handlers := handlerMethods()
	var only map[string]bool
	if exp.Only != nil {
		only = map[string]bool{}
		for _, n := range exp.Only {
			only[n] = true
		}
	}
	hiddenWhy := exp.hidden(typ)
	seen := map[string]bool{}
	for _, rm := range listMethods(typ) {
		seen[rm.Name] = true
		if handlers[rm.Name] || rm.Name == "Init" && typ.Implements(initializerType) {
			continue // an event handler (ServeHTTP, ...) or the initializer
		}
		m, why := rpcMethod(rm)
		switch {
		case why != "":
			skipped = append(skipped, rm.Name+": "+why)
		case only != nil && !only[rm.Name]:
			hidden = append(hidden, rm.Name+": not listed by "+exp.pkg()+".Expose")
		case only == nil && hiddenWhy[rm.Name] != "":
			hidden = append(hidden, rm.Name+": "+hiddenWhy[rm.Name])
		default:
			if !m.streams() {
				m.invoke = invokerOf(typ, m.name)
			}
			methods[m.name] = m
		}
	}
	// A static build lists only the exposed methods: the names exp lists
	// were checked by the build that made its table.
	if !StaticBuild {
		listed := exp.listed()
		names := make([]string, 0, len(listed))
		for n := range listed {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, n := range names {
			if !seen[n] {
				skipped = append(skipped, fmt.Sprintf("%s: %s lists it, but %s has no exported method %s", n, listed[n], typ, n))
			}
		}
	}
	return methods, skipped, hidden
}

func rpcMethod(rm reflect.Method) (*method, string) {
	m := &method{name: rm.Name, jsName: JSName(rm.Name), fn: rm.Func}
	if why, ok := clashingJSNames[m.jsName]; ok {
		return nil, fmt.Sprintf("its JavaScript name %q %s", m.jsName, why)
	}
	ft := rm.Type // the receiver is parameter 0
	if ft.IsVariadic() {
		return nil, "variadic methods are not RPC methods"
	}
	for i := 1; i < ft.NumIn(); i++ {
		p := ft.In(i)
		if i == 1 && p == contextType {
			m.ctx = true
			continue
		}
		if why := unencodable(p); why != "" {
			return nil, fmt.Sprintf("parameter %d: %s", i, why)
		}
		m.params = append(m.params, p)
	}
	switch ft.NumOut() {
	case 0:
	case 1:
		if ft.Out(0) == errorType {
			m.err = true
		} else {
			m.result = ft.Out(0)
		}
	case 2:
		if ft.Out(1) != errorType {
			return nil, "a second result must be an error"
		}
		m.result, m.err = ft.Out(0), true
	default:
		return nil, "more than two results"
	}
	if m.result != nil {
		m.stream = streamKindOf(m.result)
	}
	if m.result != nil && m.stream == 0 {
		if why := unencodable(m.result); why != "" {
			return nil, "result: " + why
		}
	}
	return m, ""
}

func unencodable(t reflect.Type) string {
	switch t.Kind() {
	case reflect.Chan, reflect.Func, reflect.UnsafePointer, reflect.Complex64, reflect.Complex128:
		return t.String() + " cannot cross the boundary"
	}
	if t == contextType {
		return "a context.Context must be the first parameter"
	}
	return ""
}

// streams reports whether a stream crosses in a call of m (an io.Reader
// parameter, a streaming result), which only the reflective path reads.
func (m *method) streams() bool {
	return m.stream != 0 || slices.ContainsFunc(m.params, isStreamParam)
}

func (m *method) describe() abi.Method {
	d := abi.Method{Name: m.name, JSName: m.jsName, Context: m.ctx, Error: m.err}
	for _, p := range m.params {
		d.Params = append(d.Params, p.String())
	}
	if m.result != nil {
		d.Result = m.result.String()
		d.Stubs = m.stream == 0 && abi.MayHoldStub(m.result)
	}
	return d
}

// callMethod runs an RPC call and finishes e with its result: of an
// object (the method's index is the event's arg), or of the entrypoint
// e.entry (callEntrypoint; the method's index is the arg's low 16 bits).
// One function for both, so that an object's call runs no more of them
// than it did (bench/budget).
func callMethod(ctx context.Context, e *Event, rawArgs []byte) {
	var c *class
	var value any
	var index int
	if e.entry != nil {
		c, value = e.entry.class, e.entry.value
		_, index = abi.SplitEntrypointArg(e.arg)
	} else {
		c, value, index = e.obj.class, e.obj.value, int(e.arg)
	}
	order := c.rpc().order
	if index >= len(order) {
		e.fail(&abi.Error{Name: "TypeError", Message: fmt.Sprintf("godurable: %s has no RPC method %d (it has %d); run wasmbuild build again", c.name, index, len(order))})
		return
	}
	m := order[index]
	e.Describe(m.name)
	items, err := argItems(m, rawArgs)
	if err != nil {
		e.fail(argumentError(e, m, err))
		return
	}
	if m.invoke != nil {
		m.invoke(&Call{Ctx: ctx, Recv: value, e: e, m: m, args: items})
		return
	}
	args, err := decodeArgs(ctx, m, items)
	if err != nil {
		e.fail(argumentError(e, m, err))
		return
	}
	in := make([]reflect.Value, 0, len(args)+2)
	in = append(in, reflect.ValueOf(value))
	if m.ctx {
		in = append(in, reflect.ValueOf(ctx))
	}
	in = append(in, args...)
	out := m.fn.Call(in)
	if m.err {
		if err, _ := out[len(out)-1].Interface().(error); err != nil {
			e.Fail(err)
			return
		}
	}
	if m.result == nil {
		e.Finish(nil)
		return
	}
	if m.stream != 0 {
		streamResult(ctx, e, m.stream, out[0])
		return
	}
	finishWithValue(e, m, out[0].Interface())
}

// argItems splits a MessagePack array of arguments, as many as m takes.
func argItems(m *method, raw []byte) ([][]byte, error) {
	items, err := abi.ArrayItems(raw)
	if err != nil {
		return nil, fmt.Errorf("arguments are not an array: %w", err)
	}
	if len(items) < len(m.params) && mayOmit(m.params[len(items):]) {
		for len(items) < len(m.params) {
			items = append(items, nilArg)
		}
	}
	if len(items) != len(m.params) {
		return nil, fmt.Errorf("takes %d argument%s (%s), got %d", len(m.params), plural(len(m.params)), typeList(m.params), len(items))
	}
	return items, nil
}

// nilArg is a left-out argument: MessagePack's nil, as undefined crosses.
var nilArg = []byte{0xc0}

// mayOmit reports whether a caller may leave out trailing arguments of
// these types, as a JavaScript caller leaves out an optional one (it is
// undefined there): each can be nil in Go, Go's way of saying optional (a
// pointer, a slice, a map, an interface other than a stream's reader),
// and each gets nil. A left-out int or string is still refused.
func mayOmit(params []reflect.Type) bool {
	for _, t := range params {
		switch t.Kind() {
		case reflect.Pointer, reflect.Slice, reflect.Map:
		case reflect.Interface:
			if isStreamParam(t) {
				return false
			}
		default:
			return false
		}
	}
	return true
}

// decodeArgs decodes the arguments of m, split by argItems; a stream (an
// io.Reader parameter) is read on behalf of the event in ctx.
func decodeArgs(ctx context.Context, m *method, items [][]byte) ([]reflect.Value, error) {
	vals := make([]reflect.Value, len(items))
	for i, t := range m.params {
		var v reflect.Value
		var err error
		if isStreamParam(t) {
			v, err = streamArg(ctx, items[i], fmt.Sprintf("argument %d", i+1))
		} else {
			v, err = DecodeArg(items[i], t)
		}
		if err != nil {
			return nil, fmt.Errorf("argument %d (%s): %w", i+1, t, err)
		}
		vals[i] = v
	}
	return vals, nil
}

// ErrArgument reports a value that does not fit the Go type it is decoded into.
var ErrArgument = abi.ErrArgument

// DecodeArg decodes one MessagePack value into a new value of type t, as
// abi.DecodeArg does.
func DecodeArg(raw []byte, t reflect.Type) (reflect.Value, error) { return abi.DecodeArg(raw, t) }

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

func typeList(ts []reflect.Type) string {
	s := make([]string, len(ts))
	for i, t := range ts {
		s[i] = t.String()
	}
	return strings.Join(s, ", ")
}
