package workerd

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"reflect"
	"sort"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/godurable/godurable/internal/abi"
	"github.com/godurable/godurable/internal/driver"
)

// This file models the JavaScript values that cross to Go by reference
// (abi.ExtJSValue): the objects that JavaScript code would give a Worker
// (bindings, globals, what their methods return) are played here by Go,
// as JSObjects, and the model keeps them, like any value Go asks for by
// reference, in the Isolate's table of handles (shared with stubs).

// A JSObject is a JavaScript object of the model played by Go: a fake of a
// binding (dotest's Options.Bindings), a global, an emulator's object, or
// what their methods return.
type JSObject struct {
	// Class is the name of its constructor, which Type reports.
	Class string
	// Methods are its methods, by JavaScript name: Go functions. One whose
	// first parameter is a context.Context is asynchronous: the JavaScript
	// method returns a promise, and the function runs on a goroutine of its
	// own and may block; any other runs within the caller's call, and must
	// not. The other parameters take the call's arguments, decoded as RPC
	// values are (a missing argument is the zero value; a final ...any
	// takes the rest); the function returns nothing, a result, an error, or
	// a result and an error. A *JSObject in a result (at its top, or inside
	// a []any or map[string]any) crosses by reference; the rest as RPC
	// values, but for an io.Reader result, which is a ReadableStream (as
	// a ReadableStream argument is an io.ReadCloser, for a parameter of
	// type io.Reader, io.ReadCloser or any). An error crosses as a
	// JavaScript exception, with the name and code of an error that has
	// ErrorName and ErrorCode methods.
	Methods map[string]any
	// Props are its properties, by name: values as results are.
	Props map[string]any
	// Func, if set, makes the object a function (JavaScript calls it, and
	// constructs with it), a Go function as a method is.
	Func any
	// IO marks an I/O object (a stream, a socket, the stub of an RpcTarget
	// an RPC call returned): it belongs to an I/O context (in the model,
	// that of its first use), and workerd refuses to use it from another.
	IO     bool
	owner  *ioContext // IO's context, once used (or from its making)
	ioType string     // the I/O type workerd's refusal names; "" is JsRpcStub
	sink   *fixedSink // the writable half of a FixedLengthStream (jsglobals.go)

	mu    sync.Mutex   // Props, set by Set
	fetch *fetchObject // a Request's or Response's (jsfetch.go)
	state any          // an emulator's state, which the harness reads (analytics.go)
}

// NewJSObject returns the object whose methods are the exported methods
// of v, each by its JavaScript name (the Go name with a lower-case first
// letter, as RPC names them), and whose constructor is called class.
func NewJSObject(class string, v any) *JSObject {
	o := &JSObject{Class: class, Methods: map[string]any{}}
	rv := reflect.ValueOf(v)
	for i := range rv.NumMethod() {
		m := rv.Type().Method(i)
		if !m.IsExported() {
			continue
		}
		o.Methods[jsName(m.Name)] = rv.Method(i).Interface()
	}
	return o
}

func jsName(goName string) string {
	r, n := utf8.DecodeRuneInString(goName)
	return string(unicode.ToLower(r)) + goName[n:]
}

// MethodNames returns the names of o's methods, sorted.
func (o *JSObject) MethodNames() []string {
	names := make([]string, 0, len(o.Methods))
	for n := range o.Methods {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

func (o *JSObject) prop(name string) (any, bool) {
	o.mu.Lock()
	defer o.mu.Unlock()
	v, ok := o.Props[name]
	return v, ok
}

func (o *JSObject) setProp(name string, v any) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.Props == nil {
		o.Props = map[string]any{}
	}
	o.Props[name] = v
}

// jsRef is a plain value that Go asked for by reference (abi.JSAsHandle).
type jsRef struct{ v any }

// jsDescribe names a value by reference in messages, as JavaScript's
// structured clone names what it cannot clone.
func jsDescribe(v any) string {
	switch x := v.(type) {
	case *JSObject:
		return "#<" + x.Class + ">"
	case *jsPromise:
		return "#<Promise>"
	case *jsStream:
		return "#<ReadableStream>"
	}
	return fmt.Sprintf("%T", v)
}

// jsPromise is a promise of the model: an asynchronous method's call, run
// when Go awaits it.
type jsPromise struct {
	run func(ctx context.Context) (any, error)
}

// jsThrown is a JavaScript exception a fake's method threw.
func jsThrown(err error) error {
	var je *driver.JSError
	if errors.As(err, &je) {
		return je
	}
	e := &abi.Error{Name: "Error", Message: err.Error()}
	if n, ok := err.(interface{ ErrorName() string }); ok && n.ErrorName() != "" {
		e.Name = n.ErrorName()
	}
	if c, ok := err.(interface{ ErrorCode() string }); ok {
		e.Code = c.ErrorCode()
	}
	return &driver.JSError{Err: e}
}

var (
	contextType = reflect.TypeFor[context.Context]()
	errorType   = reflect.TypeFor[error]()
)

// callFunc calls fn, a fake's method, with args (the model's values of the
// call's arguments); what names it in errors. An asynchronous fn gives a
// *jsPromise; a synchronous one runs now and gives its result.
func callFunc(fn any, args []any, what string) (any, error) {
	f := reflect.ValueOf(fn)
	if f.Kind() != reflect.Func {
		return nil, NewJSError("TypeError", what+" is not a function")
	}
	t := f.Type()
	async := t.NumIn() > 0 && t.In(0) == contextType
	first := 0
	if async {
		first = 1
	}
	in := make([]reflect.Value, 0, t.NumIn())
	if async {
		in = append(in, reflect.Value{}) // the context, set when it runs
	}
	n := t.NumIn() - first
	if t.IsVariadic() {
		n--
	}
	for i := range n {
		p := reflect.New(t.In(first + i)).Elem()
		if i < len(args) && !streamParam(args[i], p) {
			if ok, err := fetchParam(args[i], p); ok {
				if err != nil {
					return nil, err
				}
				in = append(in, p)
				continue
			}
			if err := fromJSValue(args[i], p.Addr().Interface()); err != nil {
				return nil, NewJSError("TypeError", fmt.Sprintf("%s: argument %d: %v", what, i+1, err))
			}
		}
		in = append(in, p)
	}
	if t.IsVariadic() {
		elem := t.In(t.NumIn() - 1).Elem()
		for i := n; i < len(args); i++ {
			p := reflect.New(elem).Elem()
			if streamParam(args[i], p) {
				in = append(in, p)
				continue
			}
			if err := fromJSValue(args[i], p.Addr().Interface()); err != nil {
				return nil, NewJSError("TypeError", fmt.Sprintf("%s: argument %d: %v", what, i+1, err))
			}
			in = append(in, p)
		}
	}
	run := func(ctx context.Context) (res any, err error) {
		defer func() {
			if v := recover(); v != nil {
				err = NewJSError("Error", fmt.Sprintf("%s panicked: %v", what, v))
			}
		}()
		if async {
			in[0] = reflect.ValueOf(ctx)
		}
		out := f.Call(in)
		if len(out) > 0 && t.Out(len(out)-1) == errorType {
			if e, _ := out[len(out)-1].Interface().(error); e != nil {
				return nil, jsThrown(e)
			}
			out = out[:len(out)-1]
		}
		if len(out) == 0 {
			return jsUndefined{}, nil
		}
		return toJSValue(out[0].Interface())
	}
	if async {
		return &jsPromise{run: run}, nil
	}
	return run(context.Background())
}

// fakes is the side of the model's conversions between Go values and
// JavaScript values: a *JSObject in a Go value crosses it as an ExtJSValue
// whose handle names it here, for the length of one conversion.
var fakes = &fakeSide{byHandle: map[uint32]*JSObject{}}

type fakeSide struct {
	mu       sync.Mutex
	next     uint32
	byHandle map[uint32]*JSObject
}

func (fs *fakeSide) put(o *JSObject) uint32 {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	fs.next++
	fs.byHandle[fs.next] = o
	return fs.next
}

func (fs *fakeSide) take(h uint32) (*JSObject, error) {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	o := fs.byHandle[h]
	if o == nil {
		return nil, fmt.Errorf("godurable: no JavaScript object of the model has handle %d", h)
	}
	delete(fs.byHandle, h)
	return o, nil
}

func (fs *fakeSide) stubOf(t abi.StubTarget) (*jsStub, error) {
	return testStubs.stubOf(t)
}

func (fs *fakeSide) keep(s *jsStub) abi.StubTarget { return testStubs.keep(s) }

func (fs *fakeSide) valueOf(h uint32) (any, error) { return fs.take(h) }

func (fs *fakeSide) keepValue(v any) (uint32, error) {
	o, ok := v.(*JSObject)
	if !ok {
		return 0, fmt.Errorf("godurable: a %T cannot cross to a fake by reference", v)
	}
	return fs.put(o), nil
}

func init() {
	abi.RegisterJSValue(func(o *JSObject) (uint32, error) { return fakes.put(o), nil }, fakes.take, true)
}

// toJSValue converts v, a Go value a fake gave, to the model's JavaScript
// value: as an RPC value, with its *JSObjects by reference.
func toJSValue(v any) (any, error) {
	switch x := v.(type) {
	case *JSObject, jsUndefined:
		return x, nil
	case *http.Response:
		return responseObject(x), nil
	case *http.Request:
		return requestObject(x), nil
	}
	if s, ok := streamResult(v); ok {
		return s, nil
	}
	if o, ok := v.(*jsObject); ok { // a model's value already (JSON.parse's)
		return o, nil
	}
	b, err := abi.EncodeValue(goPlain(v))
	if err != nil {
		return nil, NewJSError("TypeError", "godurable: a fake's result cannot cross: "+err.Error())
	}
	return jsDecodeFrom(b, fakes, false)
}

// goPlain returns v with the model's plain objects inside Go maps and
// slices (JSON.parse's results, kept in a fake's map) made Go maps, which
// abi.EncodeValue knows.
func goPlain(v any) any {
	switch x := v.(type) {
	case *jsObject:
		m := make(map[string]any, len(x.vals))
		for k, e := range x.vals {
			m[k] = goPlain(e)
		}
		return m
	case map[string]any: // copied: the map may be the fake's own
		m := make(map[string]any, len(x))
		for k, e := range x {
			m[k] = goPlain(e)
		}
		return m
	case []any:
		s := make([]any, len(x))
		for i, e := range x {
			s[i] = goPlain(e)
		}
		return s
	}
	return v
}

// fromJSValue decodes v, one of the model's JavaScript values, into the Go
// value dst points to, as RPC decodes arguments.
func fromJSValue(v any, dst any) error {
	b, err := jsEncodeFor(v, fakes)
	if err != nil {
		return err
	}
	return abi.DecodeValue(b, dst)
}
