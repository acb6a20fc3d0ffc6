package workerd

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"strings"

	"github.com/godurable/godurable/internal/abi"
	"github.com/godurable/godurable/internal/driver"
)

// The operations on JavaScript values (package jsbridge), as the shim's
// implement them: on the model's values, whose objects (bindings'
// fakes, globals, emulators) are JSObjects played by Go.

func init() {
	register(syncOps, jsSyncOps)
	register(asyncOps, jsAsyncOps)
}

var jsSyncOps = map[abi.CallOp]syncOp{
	abi.CallJSBinding: func(iso *Isolate, _ *objectStorage, req []byte) ([]byte, error) {
		var name string
		if err := decodeRequest(req, &name); err != nil {
			return nil, err
		}
		o, err := iso.binding(name)
		if err != nil {
			return nil, err
		}
		return jsEncodeFor(o, iso)
	},
	abi.CallJSGlobal: func(iso *Isolate, _ *objectStorage, req []byte) ([]byte, error) {
		var name string
		if err := decodeRequest(req, &name); err != nil {
			return nil, err
		}
		g := iso.global(name)
		if g == nil && strings.Contains(name, ":") {
			return nil, NewJSError("TypeError", fmt.Sprintf("godurable: the shim imports no module %s; it imports cloudflare:sockets, cloudflare:workers", name))
		}
		if g == nil {
			return nil, &driver.JSError{Err: &abi.Error{Name: "ReferenceError", Message: fmt.Sprintf("godurable: dotest's model of workerd has no global %q", name)}}
		}
		return jsEncodeFor(g, iso)
	},
	abi.CallJSGet: func(iso *Isolate, _ *objectStorage, req []byte) ([]byte, error) {
		op, target, err := iso.jsOp(req)
		if err != nil {
			return nil, err
		}
		var v any = jsUndefined{}
		switch t := target.(type) {
		case *JSObject:
			if p, ok := t.prop(op.Name); ok {
				v = p
			} else if fn, ok := t.Methods[op.Name]; ok {
				v = &JSObject{Class: "Function", Func: fn}
			}
		case *jsObject:
			if p, ok := t.get(op.Name); ok {
				v = p
			}
		}
		return iso.jsResult(v, op.As)
	},
	abi.CallJSSet: func(iso *Isolate, _ *objectStorage, req []byte) ([]byte, error) {
		op, target, err := iso.jsOp(req)
		if err != nil {
			return nil, err
		}
		v, err := jsDecodeFrom(op.Args, iso, false)
		if err != nil {
			return nil, NewJSError("TypeError", err.Error())
		}
		switch t := target.(type) {
		case *JSObject:
			t.setProp(op.Name, v)
		case *jsObject:
			t.set(op.Name, v)
		default:
			return nil, NewJSError("TypeError", fmt.Sprintf("Cannot create property '%s' on %s", op.Name, jsTypeof(target)))
		}
		return []byte{}, nil
	},
	abi.CallJSCall: func(iso *Isolate, _ *objectStorage, req []byte) ([]byte, error) {
		op, target, err := iso.jsOp(req)
		if err != nil {
			return nil, err
		}
		args, err := jsArgs(op.Args, iso)
		if err != nil {
			return nil, err
		}
		o, _ := target.(*JSObject)
		if s, ok := target.(*jsStream); ok {
			o = s.methods()
		}
		var fn any
		what := "the value"
		if o != nil {
			what = o.Class
			if op.Name == "" {
				fn = o.Func
			} else {
				fn = o.Methods[op.Name]
				what += "." + op.Name
			}
		}
		if fn == nil {
			return nil, &driver.JSError{Err: &abi.Error{Name: "TypeError", Message: what + " is not a function", Code: abi.CodeNoMethod}}
		}
		res, err := callFunc(fn, args, what)
		if err != nil {
			return nil, err
		}
		if p, ok := res.(*jsPromise); ok {
			return jsEncodeFor(p, iso)
		}
		return iso.jsResult(res, op.As)
	},
	abi.CallJSNew: func(iso *Isolate, _ *objectStorage, req []byte) ([]byte, error) {
		op, target, err := iso.jsOp(req)
		if err != nil {
			return nil, err
		}
		o, _ := target.(*JSObject)
		if o == nil || o.Func == nil {
			return nil, NewJSError("TypeError", jsDescribe(target)+" is not a constructor")
		}
		args, err := jsArgs(op.Args, iso)
		if err != nil {
			return nil, err
		}
		res, err := callFunc(o.Func, args, "new "+o.Class)
		if err != nil {
			return nil, err
		}
		return iso.jsResult(res, op.As)
	},
	abi.CallJSType: func(iso *Isolate, _ *objectStorage, req []byte) ([]byte, error) {
		_, target, err := iso.jsOp(req)
		if err != nil {
			return nil, err
		}
		t := abi.JSType{Type: jsTypeof(target)}
		switch x := target.(type) {
		case *JSObject:
			t.Class = x.Class
			if x.Func != nil {
				t.Type = "function"
			}
		case *jsObject:
			t.Class = "Object"
		case []any:
			t.Class, t.Array = "Array", true
		case *jsStub:
			t.Class = x.class()
		case *jsStream:
			t.Class = "ReadableStream"
		}
		return mustMarshal(&t), nil
	},
}

var jsAsyncOps = map[abi.AsyncOp]asyncOp{
	abi.AsyncJSAwait: func(iso *Isolate, _ *objectStorage, req []byte) ([]byte, error) {
		var a abi.JSAwait
		if err := decodeRequest(req, &a); err != nil {
			return nil, err
		}
		v, err := iso.valueOf(a.Promise)
		if err != nil {
			return nil, err
		}
		iso.release([]uint32{a.Promise})
		p, ok := v.(*jsPromise)
		if !ok {
			return nil, NewJSError("TypeError", "godurable: the handle is not a promise's")
		}
		res, err := p.run(context.Background())
		if err != nil {
			return nil, err
		}
		return iso.jsResult(res, a.As)
	},
}

// jsOp decodes the request of an operation on a value the instance holds,
// and finds the value.
func (iso *Isolate) jsOp(req []byte) (*abi.JSOp, any, error) {
	var op abi.JSOp
	if err := decodeRequest(req, &op); err != nil {
		return nil, nil, err
	}
	v, err := iso.valueOf(op.Target)
	if err != nil {
		return nil, nil, err
	}
	if r, ok := v.(jsRef); ok {
		v = r.v
	}
	if o, ok := v.(*JSObject); ok && o.IO {
		// An I/O object belongs to the I/O context of its first use (the
		// model cannot tell which context an asynchronous result reached).
		cur, _ := iso.ioContext()
		if o.owner == nil {
			o.owner = &cur
		}
		ioType := o.ioType
		if ioType == "" {
			ioType = "JsRpcStub"
		}
		if err := iso.requireContext(*o.owner, ioType); err != nil {
			var je *driver.JSError
			if errors.As(err, &je) {
				je.Err.Code = abi.CodeOtherContext
			}
			return nil, nil, err
		}
	}
	return &op, v, nil
}

// jsArgs decodes the arguments of a call: a list of the model's values.
func jsArgs(b abi.Value, iso *Isolate) ([]any, error) {
	if len(b) == 0 {
		return nil, nil
	}
	v, err := jsDecodeFrom(b, iso, false)
	if err != nil {
		return nil, NewJSError("TypeError", err.Error())
	}
	args, ok := v.([]any)
	if !ok {
		return nil, NewJSError("TypeError", "godurable: the arguments are not a list")
	}
	iso.streamArgs(args)
	return args, nil
}

// jsResult encodes the result of an operation as as says.
func (iso *Isolate) jsResult(v any, as abi.JSAs) ([]byte, error) {
	switch as {
	case abi.JSAsHandle:
		switch v.(type) {
		case nil, jsUndefined:
			return []byte{0xc0}, nil
		case *JSObject, *jsStub:
		default:
			v = jsRef{v}
		}
	case abi.JSAsResponse:
		switch v.(type) {
		case nil, jsUndefined:
			return []byte{}, nil
		}
		if f := fetchOf(v, false); f != nil {
			return iso.responseToGoOf(f)
		}
		return nil, NewJSError("TypeError", "godurable: the result is a "+jsDescribe(v)+", not a Response")
	default:
		if s, ok := v.(*jsStream); ok {
			return iso.AddStream(s.r), nil
		}
		if o, ok := v.(*JSObject); ok && o.fetch != nil {
			w, err := fetchValueOf(o.fetch) // a Request or Response, read whole
			if err != nil {
				return nil, err
			}
			v = w
		}
	}
	if _, ok := v.(jsUndefined); ok {
		return []byte{}, nil
	}
	return jsEncodeFor(v, iso)
}

// binding returns the binding called name: its fake, or an error saying
// what the configuration declares.
func (iso *Isolate) binding(name string) (*JSObject, error) {
	if o := iso.cfg.Fakes[name]; o != nil {
		return o, nil
	}
	if kind := iso.cfg.Unemulated[name]; kind != "" {
		return nil, &driver.JSError{Err: &abi.Error{Name: "TypeError", Code: abi.CodeNoBinding,
			Message: fmt.Sprintf("godurable: dotest does not emulate %s bindings such as %q: give it a fake in dotest's Options.Bindings", kind, name)}}
	}
	if _, ok := iso.cfg.Namespaces[name]; ok {
		return &JSObject{Class: "DurableObjectNamespace"}, nil
	}
	for _, d := range iso.cfg.D1 {
		if d == name {
			return &JSObject{Class: "D1Database"}, nil
		}
	}
	return nil, &driver.JSError{Err: &abi.Error{Name: "TypeError", Code: abi.CodeNoBinding, Message: fmt.Sprintf("godurable: the environment has no binding %q", name)}}
}

// global returns the global called name, or for a module specifier the
// module's namespace (jsbridge.Module), or nil.
func (iso *Isolate) global(name string) *JSObject {
	switch name {
	case "cloudflare:sockets":
		return iso.socketsModule()
	case "cloudflare:workers":
		return &JSObject{Class: "Module"} // its classes are the shim's business
	case "crypto":
		return &JSObject{Class: "Crypto", Methods: map[string]any{
			"randomUUID": randomUUID,
			"getRandomValues": func(b []byte) []byte {
				rand.Read(b)
				return b
			},
		}}
	case "caches":
		return iso.cacheStorage() // cache.go
	}
	if g := globals[name]; g != nil {
		return g()
	}
	return nil
}

// globals are the model's other globals, by name: each function makes
// the value Global gives.
var globals = map[string]func() *JSObject{}

// registerGlobal adds the global called name (from an init function).
func registerGlobal(name string, g func() *JSObject) {
	if globals[name] != nil {
		panic("godurable: two globals called " + name)
	}
	globals[name] = g
}

// randomUUID is crypto.randomUUID: a random RFC 9562 version 4 UUID.
func randomUUID() string {
	var b [16]byte
	rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := fmt.Sprintf("%x", b)
	return strings.Join([]string{h[:8], h[8:12], h[12:16], h[16:20], h[20:]}, "-")
}
