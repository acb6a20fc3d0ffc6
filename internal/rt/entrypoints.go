package rt

import (
	"context"
	"fmt"
	"net/http"
	"reflect"
	"sort"
	"sync"

	"github.com/godurable/godurable/internal/abi"
)

// The Worker's entrypoints: the default export and named WorkerEntrypoint
// classes, each with a Go value whose exposed methods are RPC methods
// (worker.Entrypoint). A call of one is an abi.EventWorkerCall, run by the
// RPC dispatch of Durable Objects on the entrypoint's value; a fetch of a
// named one is an abi.EventWorkerFetch whose arg names it. Nothing here is
// linked into a module that registers no entrypoint: the event's handler
// and the fetch's routing are installed by RegisterEntrypoint.

// entrypoint is one of the Worker's entrypoints.
type entrypoint struct {
	name  string // "" for the default export
	class *class // its RPC methods; its name is "worker" for the default export
	value any
}

var (
	entrypointsMu sync.Mutex
	entrypoints   []*entrypoint // sorted by name: the index an event names
	entryOnce     sync.Once
)

// entrypointHandler returns the http.Handler of the named entrypoint
// that a Worker's fetch event's arg names, and describeEntrypoints
// describes the entrypoints for the manifest, once RegisterEntrypoint has
// set them.
var (
	entrypointHandler   func(e *Event) http.Handler
	describeEntrypoints func() []abi.Class
)

// RegisterEntrypoint registers an entrypoint of the Worker called name
// ("" for the default export), whose RPC methods are those of value (of
// type typ) that exp exposes. A value that is an http.Handler serves the
// entrypoint's fetch: for the default export, it is the Worker's handler
// (SetWorkerHandler). It panics, like http.Handle, on a programming
// error: a name that is not a JavaScript identifier, or registered twice,
// or that a Durable Object class has.
func RegisterEntrypoint(name string, typ reflect.Type, value any, exp Exposure) {
	if name != "" && (!validClassName(name) || name == "default") {
		panic(fmt.Sprintf("godurable: entrypoint name %q is not a JavaScript identifier (letters, digits, _ and $, not starting with a digit) other than default", name))
	}
	classesMu.Lock()
	_, clash := classes[name]
	classesMu.Unlock()
	if clash {
		panic("godurable: " + name + " is the name of a Durable Object class and of an entrypoint: both are exports of the module")
	}
	className := name
	if name == "" {
		className = "worker"
	}
	exp.Pkg = "worker"
	ep := &entrypoint{name: name, class: &class{name: className, typ: typ, exposure: exp}, value: value}
	entrypointsMu.Lock()
	i := sort.Search(len(entrypoints), func(i int) bool { return entrypoints[i].name >= name })
	if i < len(entrypoints) && entrypoints[i].name == name {
		entrypointsMu.Unlock()
		panic(fmt.Sprintf("godurable: entrypoint %q is registered twice", name))
	}
	entrypoints = append(entrypoints[:i], append([]*entrypoint{ep}, entrypoints[i:]...)...)
	entrypointsMu.Unlock()
	if h, ok := value.(http.Handler); ok && name == "" {
		SetWorkerHandler(h)
	}
	entryOnce.Do(func() {
		HandleEvent(abi.EventWorkerCall, EventSpec{Run: callEntrypoint})
		entrypointHandler, describeEntrypoints = namedHandler, entrypointClasses
	})
}

// entrypointAt returns the entrypoint with index i in the manifest, or nil.
func entrypointAt(i int) *entrypoint {
	entrypointsMu.Lock()
	defer entrypointsMu.Unlock()
	if i < 0 || i >= len(entrypoints) {
		return nil
	}
	return entrypoints[i]
}

// entrypointClasses describes the entrypoints for the manifest. Manifest
// calls it with classesMu held; it panics if a class registered after an
// entrypoint took its name (RegisterEntrypoint refuses the other order).
func entrypointClasses() []abi.Class {
	entrypointsMu.Lock()
	eps := append([]*entrypoint(nil), entrypoints...)
	entrypointsMu.Unlock()
	var out []abi.Class
	for _, ep := range eps {
		if _, clash := classes[ep.name]; clash {
			panic("godurable: " + ep.name + " is the name of a Durable Object class and of an entrypoint: both are exports of the module")
		}
		ac := describeClass(ep.name, ep.class)
		if _, ok := ep.value.(http.Handler); ok && ep.name != "" {
			ac.Capabilities = []string{"fetch"}
		}
		out = append(out, ac)
	}
	return out
}

// callEntrypoint runs an EventWorkerCall.
func callEntrypoint(ctx context.Context, e *Event, rawArgs []byte) {
	i, _ := abi.SplitEntrypointArg(e.arg)
	ep := entrypointAt(i)
	if ep == nil {
		e.fail(&abi.Error{Name: "TypeError", Message: fmt.Sprintf("godurable: this module has no entrypoint %d; run wasmbuild build again", i)})
		return
	}
	e.entry, e.owner = ep, ep.class.name
	callMethod(ctx, e, rawArgs)
}

// namedHandler returns the handler of the named entrypoint that the fetch
// event e names (its arg is 1 + the entrypoint's index), or nil.
func namedHandler(e *Event) http.Handler {
	ep := entrypointAt(int(e.arg) - 1)
	if ep == nil || ep.name == "" {
		return nil
	}
	e.owner = ep.name
	h, _ := ep.value.(http.Handler)
	return h
}

// EventProps returns the props (workerd's ctx.props) of the Worker's
// event of ctx, as one MessagePack value, or nil when it has none.
func EventProps(ctx context.Context) ([]byte, error) {
	e := eventFrom(ctx)
	if e == nil {
		return nil, ErrNoEvent
	}
	b, err := Do(NoObject, abi.OpEventProps, &e.id)
	return []byte(b), err
}
