package jsbridge

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/godurable/godurable/internal/abi"
	"github.com/godurable/godurable/internal/rt"
	"github.com/godurable/godurable/worker"
)

// ErrReleased is matched by the error of an operation on a Value that has
// been released (Release), or whose Go instance has crashed since.
var ErrReleased = errors.New("jsbridge: the value has been released")

// ErrNoMethod is matched by the error of Call for a method the value does
// not have (or, for Invoke, a value that is not a function).
var ErrNoMethod = errors.New("jsbridge: no such method")

// ErrOtherRequest is matched by the error of an operation that workerd
// refused because the value is an I/O object of another request (a
// Response's body, a stream) than the one the operation is made for:
// such values belong to the request that made them.
var ErrOtherRequest = errors.New("jsbridge: the value belongs to another request")

// Value is a handle to a JavaScript value that the Worker keeps for Go: a
// binding, a global, or what an operation on one returned. A Value stays
// valid until Release, or until Go's garbage collector finds it
// unreachable (the host then forgets the JavaScript value too); copies of
// a *Value share its handle. The zero Value and a nil *Value are
// JavaScript's undefined.
type Value struct {
	h *handle
}

// handle is one value the host keeps; when no Value refers to it any more,
// or at Release, the host is told to forget it.
type handle struct {
	id       uint32
	released atomic.Bool
	cleanup  runtime.Cleanup
}

func init() {
	// In a guest, a JavaScript value by reference decodes into an any as
	// a *Value; on the host, where dotest's fakes are the JavaScript
	// values, as theirs.
	abi.RegisterJSValue(handleOf, valueOf, runtime.GOOS == "wasip1")
}

// handleOf is what a *Value crosses as: its handle, or an error for one
// that has been released (nil crosses as undefined, before this).
func handleOf(v *Value) (uint32, error) {
	if v.h == nil {
		return 0, errors.New("jsbridge: the zero Value has no handle; pass nil for undefined")
	}
	if v.h.released.Load() {
		return 0, ErrReleased
	}
	return v.h.id, nil
}

// valueOf is the *Value of a handle the host sent.
func valueOf(id uint32) (*Value, error) {
	if id == 0 {
		return nil, errors.New("jsbridge: a JavaScript value from the host without a handle")
	}
	h := &handle{id: id}
	h.cleanup = runtime.AddCleanup(h, releaseHandle, id)
	return &Value{h: h}, nil
}

func releaseHandle(id uint32) { rt.ReleaseHandles(id) }

// Release tells the host to forget the value now, rather than when Go's
// garbage collector finds the Value unreachable. Operations on it (and on
// its copies) fail with ErrReleased afterwards. Releasing twice, or
// releasing the zero Value, does nothing.
func (v *Value) Release() {
	if v == nil || v.h == nil || v.h.released.Swap(true) {
		return
	}
	v.h.cleanup.Stop()
	releaseHandle(v.h.id)
}

// IsUndefined reports whether v is undefined (a nil *Value or the zero
// Value): what a property that does not exist gives, into a *Value.
func (v *Value) IsUndefined() bool { return v == nil || v.h == nil }

// String describes v for messages: its handle.
func (v *Value) String() string {
	if v.IsUndefined() {
		return "undefined"
	}
	return fmt.Sprintf("jsbridge.Value(%d)", v.h.id)
}

var (
	bindingsMu sync.Mutex
	bindings   = map[string]*Value{}
)

// Binding returns the binding called name in the Worker's environment:
// whatever wrangler.toml declares (a KV namespace, an R2 bucket, Workers
// AI, a queue, a service, a kind that wrangler adds later). Its error
// wraps worker.ErrNoBinding for a name the configuration lacks, and says
// which bindings there are. The Value lives as long as the Go instance;
// Binding returns the same one each time.
func Binding(name string) (*Value, error) {
	bindingsMu.Lock()
	defer bindingsMu.Unlock()
	if v := bindings[name]; v != nil {
		return v, nil
	}
	env, err := worker.GetEnv()
	if err != nil {
		return nil, err
	}
	if err := env.Binding(name, ""); err != nil {
		return nil, fmt.Errorf("jsbridge: %w", err)
	}
	id, err := rt.JSRef(abi.OpJSBinding, name)
	if err != nil {
		return nil, fmt.Errorf("jsbridge: binding %q: %w", name, wrapError(err))
	}
	v := &Value{h: &handle{id: id}} // kept for the instance's life: no cleanup
	bindings[name] = v
	return v, nil
}

var modules = map[string]*Value{} // on bindingsMu

// Module returns the namespace of the module called specifier, which
// godurable's shim imports for Go: "cloudflare:sockets" (connect),
// "cloudflare:workers". The shim imports these once, when it loads, and
// Module reaches their exports (module.connect, ...) as Global reaches a
// global's properties. The Value lives as long as the Go instance;
// Module returns the same one each time. A specifier the shim does not
// import is an error that lists those it does.
func Module(specifier string) (*Value, error) {
	bindingsMu.Lock()
	defer bindingsMu.Unlock()
	if v := modules[specifier]; v != nil {
		return v, nil
	}
	if !strings.Contains(specifier, ":") {
		return nil, fmt.Errorf("jsbridge: module %q: a module's specifier has a scheme (cloudflare:sockets); for a global, use Global", specifier)
	}
	// js.global takes a specifier (never a global's name: it has a colon)
	// for the namespace of a module the shim imports.
	id, err := rt.JSRef(abi.OpJSGlobal, specifier)
	if err != nil {
		return nil, fmt.Errorf("jsbridge: module %q: %w", specifier, wrapError(err))
	}
	v := &Value{h: &handle{id: id}} // kept for the instance's life: no cleanup
	modules[specifier] = v
	return v, nil
}

// OwnerContext returns a context for using, later and without a context
// of the caller's, an I/O object that the event of ctx makes (a socket, a
// stream: workerd ties each to the request that made it, or in a Durable
// Object to the object). Use it for the operations of a value kept behind
// an interface whose methods take no context (a net.Conn's Read and
// Write). Each operation runs on behalf of the value's owner: in the
// stateless Worker, the event of ctx, until it has finished (then
// operations fail with an error matching ErrOtherRequest, as workerd
// closes such objects with their request); in a Durable Object, whichever
// event of the object is in flight (the one running, else the event of
// ctx, else any other). A wait on such an operation lets the object's
// other events run, once nothing else in the instance can. The context is
// never done in an object (bound the waits of your own), and ends with
// the event in the stateless Worker.
func OwnerContext(ctx context.Context) (context.Context, error) {
	o, err := rt.OwnerContext(ctx)
	if err != nil {
		return nil, fmt.Errorf("jsbridge: %w", err)
	}
	return o, nil
}

// Global returns the global (a property of globalThis) called name:
// "caches", "crypto", "Response", "URL", ... Each call returns a new Value.
func Global(name string) (*Value, error) {
	id, err := rt.JSRef(abi.OpJSGlobal, name)
	if err != nil {
		return nil, fmt.Errorf("jsbridge: global %q: %w", name, wrapError(err))
	}
	return valueOf(id)
}

// Call calls the method of v called method with args, on behalf of the
// event of ctx (which must come from an event: r.Context(), a method's
// ctx), and decodes its result into result (see the package docs for the
// values and results that cross). A method that returns a promise is
// awaited in the event's own I/O context, with other events running
// meanwhile; one that returns at once costs no wait. A JavaScript
// exception is returned as a *worker.Error.
func (v *Value) Call(ctx context.Context, method string, result any, args ...any) error {
	if method == "" {
		return errors.New("jsbridge: Call of a method without a name; use Invoke to call a function")
	}
	return v.op(ctx, abi.OpJSCall, method, result, args, "call "+method)
}

// Invoke calls v, a function, with args, as Call calls a method.
func (v *Value) Invoke(ctx context.Context, result any, args ...any) error {
	return v.op(ctx, abi.OpJSCall, "", result, args, "invoke")
}

// New constructs a new object with v, a class or a constructor function
// (new v(...args)), into result (a **Value keeps it by reference).
func (v *Value) New(ctx context.Context, result any, args ...any) error {
	return v.op(ctx, abi.OpJSNew, "", result, args, "new")
}

// Get reads the property of v called name into result. A property that
// does not exist reads as undefined (nil into a pointer, map, slice or
// *Value).
func (v *Value) Get(ctx context.Context, name string, result any) error {
	return v.op(ctx, abi.OpJSGet, name, result, nil, "get "+name)
}

// Set sets the property of v called name to value.
func (v *Value) Set(ctx context.Context, name string, value any) error {
	id, err := v.id()
	if err != nil {
		return err
	}
	args, err := encodeArgs(ctx, value)
	if err != nil {
		return fmt.Errorf("jsbridge: set %s: %w", name, err)
	}
	if err := rt.JSSet(ctx, &abi.JSOp{Target: id, Name: name, Args: args}); err != nil {
		return fmt.Errorf("jsbridge: set %s: %w", name, wrapError(err))
	}
	return nil
}

// Type is what JavaScript says a value is.
type Type struct {
	// Of is what typeof says: "object", "function", "string", "number",
	// "bigint", "boolean", "symbol" or "undefined".
	Of string
	// Class is the name of the value's constructor ("Object", "Response",
	// "KvNamespace"), or "" for a primitive or null.
	Class string
	// Array reports an Array.
	Array bool
}

// Type returns what JavaScript says v is.
func (v *Value) Type(ctx context.Context) (Type, error) {
	if v.IsUndefined() {
		return Type{Of: "undefined"}, nil
	}
	id, err := v.id()
	if err != nil {
		return Type{}, err
	}
	t, err := rt.JSType(ctx, &abi.JSOp{Target: id})
	if err != nil {
		return Type{}, fmt.Errorf("jsbridge: type: %w", wrapError(err))
	}
	return Type{Of: t.Type, Class: t.Class, Array: t.Array}, nil
}

func (v *Value) id() (uint32, error) {
	if v.IsUndefined() {
		return 0, errors.New("jsbridge: an operation on undefined")
	}
	if v.h.released.Load() {
		return 0, ErrReleased
	}
	return v.h.id, nil
}

// op performs a call, a construction or a read of v, and decodes its
// result into result.
func (v *Value) op(ctx context.Context, op abi.Sync[abi.JSOp, abi.Raw], name string, result any, args []any, what string) error {
	id, err := v.id()
	if err != nil {
		return err
	}
	defer runtime.KeepAlive(v.h) // the host keeps the value until the operation has used it
	req := &abi.JSOp{Target: id, Name: name, As: asOf(result)}
	if op != abi.OpJSGet {
		if args == nil {
			args = []any{}
		}
		if req.Args, err = encodeArgs(ctx, args); err != nil {
			return fmt.Errorf("jsbridge: %s: %w", what, err)
		}
	}
	out, err := rt.JS(ctx, op, req)
	if err != nil {
		return fmt.Errorf("jsbridge: %s: %w", what, wrapOwnerError(ctx, wrapError(err)))
	}
	if err := decodeResult(ctx, out, result, what); err != nil {
		return fmt.Errorf("jsbridge: %s: %w", what, err)
	}
	return nil
}

// asOf says how the result should cross, for the type result points to.
func asOf(result any) abi.JSAs {
	switch result.(type) {
	case **Value:
		return abi.JSAsHandle
	case **http.Response:
		return abi.JSAsResponse
	}
	return abi.JSAsValue
}

// encodeArgs encodes args (a list, or for Set one value) as one RPC
// value; an io.Reader streams, on behalf of the event of ctx.
func encodeArgs(ctx context.Context, args any) (abi.Value, error) {
	if list, ok := args.([]any); ok {
		var err error
		if args, err = abi.ReplaceReaders(list, func(r io.ReadCloser) ([]byte, error) { return rt.SendStream(ctx, r) }); err != nil {
			return nil, err
		}
	} else if r, ok := args.(io.Reader); ok {
		b, err := rt.SendStream(ctx, r)
		return b, err
	}
	b, err := abi.EncodeValue(args)
	if err == nil {
		err = abi.CheckJSSafe(b)
	}
	return b, err
}

// decodeResult decodes what an operation returned into result.
func decodeResult(ctx context.Context, out []byte, result any, what string) error {
	switch r := result.(type) {
	case nil:
		if ref, ok := abi.StreamOf(out); ok {
			rt.CancelStream(ref)
		}
		return nil
	case **http.Response:
		if len(out) == 0 {
			*r = nil
			return nil
		}
		resp, err := rt.ResponseOf(ctx, out, "the body of the Response of "+what)
		*r = resp
		return err
	case *io.ReadCloser:
		return decodeStream(ctx, out, r, what)
	case *io.Reader:
		var rc io.ReadCloser
		err := decodeStream(ctx, out, &rc, what)
		*r = rc
		return err
	}
	if ref, ok := abi.StreamOf(out); ok {
		if p, ok := result.(*any); ok {
			*p = rt.StreamReader(ctx, ref, "the stream of "+what)
			return nil
		}
		rt.CancelStream(ref)
		return fmt.Errorf("the result is a ReadableStream: decode it into an io.ReadCloser")
	}
	if len(out) == 0 || len(out) == 1 && out[0] == 0xc0 {
		// undefined and null: the zero value, whatever result held
		// (MessagePack's decoder leaves an interface as it was).
		if rv := reflect.ValueOf(result); rv.Kind() == reflect.Pointer && !rv.IsNil() {
			rv.Elem().SetZero()
		}
		return nil
	}
	return abi.DecodeValue(out, result)
}

func decodeStream(ctx context.Context, out []byte, r *io.ReadCloser, what string) error {
	ref, ok := abi.StreamOf(out)
	if !ok {
		if len(out) == 0 || out[0] == 0xc0 {
			*r = nil
			return nil
		}
		return fmt.Errorf("the result is %s, not a ReadableStream", abi.Describe(out))
	}
	*r = rt.StreamReader(ctx, ref, "the stream of "+what)
	return nil
}

// wrapOwnerError makes the failure of an operation made with the
// OwnerContext of a request that has finished match ErrOtherRequest.
func wrapOwnerError(ctx context.Context, err error) error {
	if errors.Is(err, ErrOtherRequest) || !rt.RequestFinished(ctx) {
		return err
	}
	return fmt.Errorf("%w: the request that made it has finished: %w", ErrOtherRequest, err)
}

// wrapError makes the host's errors with a code of godurable's match this
// package's errors; other errors (what JavaScript threw, as a
// *worker.Error) are returned as they are.
func wrapError(err error) error {
	var we *worker.Error
	if !errors.As(err, &we) {
		return err
	}
	switch we.Code {
	case abi.CodeNoBinding:
		return fmt.Errorf("%w: %w", worker.ErrNoBinding, err)
	case abi.CodeNoMethod:
		return fmt.Errorf("%w: %w", ErrNoMethod, err)
	case abi.CodeReleased:
		return fmt.Errorf("%w: %w", ErrReleased, err)
	case abi.CodeOtherContext:
		return fmt.Errorf("%w: %w", ErrOtherRequest, err)
	}
	return err
}
