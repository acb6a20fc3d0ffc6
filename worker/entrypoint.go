package worker

import (
	"context"
	"fmt"
	"reflect"

	"github.com/godurable/godurable/internal/abi"
	"github.com/godurable/godurable/internal/rt"
)

// Service returns the stub of the service binding called binding (a
// [[services]] entry of wrangler.toml, with or without an entrypoint):
// the other Worker's entrypoint, Go or JavaScript, to Fetch, ServeHTTP and
// Call as a Durable Object's stub is. A *Stub of a service crosses RPC as
// the binding itself (a Fetcher).
func (e *Env) Service(binding string) (*Stub, error) {
	if err := e.Binding(binding, "[[services]]", "Fetcher"); err != nil {
		return nil, err
	}
	return &Stub{conn: &hostStub{target: abi.StubTarget{Service: true, Binding: binding}}}, nil
}

// Entrypoint registers value as the Worker's entrypoint called name: a
// named entrypoint (a WorkerEntrypoint class that wasmbuild's shim
// exports as name, which a service binding reaches with entrypoint =
// name), or, for name "", the default export, which service bindings
// without an entrypoint reach. Its exported methods are RPC methods, with
// the exposure rules of Durable Object classes (the methods of well-known
// interfaces are off; opts Expose or Hide others) and the same values,
// errors and streams. One value serves every call, concurrently: keep
// what a call needs in its ctx ([Props]) and its arguments. A value that
// is an http.Handler serves the entrypoint's fetch: for the default
// export, it is the Worker's handler, as [Handle] would register it (so
// Handle must not be called too). Call it from an init function.
//
// Entrypoint panics if name is neither "" nor a JavaScript identifier,
// is "default", is registered twice, or names a Durable Object class (both
// are exports of the module), or if opts both Expose and Hide.
func Entrypoint(name string, value any, opts ...Option) {
	if value == nil {
		panic(fmt.Sprintf("worker: Entrypoint(%q, nil)", name))
	}
	rt.RegisterEntrypoint(name, reflect.TypeOf(value), value, rt.ExposureOf(fmt.Sprintf("worker: Entrypoint(%q)", name), opts))
}

// An Option says which RPC methods of an entrypoint (or of a Durable
// Object class: durableobject.Option is the same type) callers reach:
// Expose or Hide.
type Option func(*rt.Exposure)

// Expose makes methods (Go names: "Stats") the whole RPC interface of the
// entrypoint or class: any other method is off RPC, and a caller that
// calls one gets the TypeError of a method that does not exist. A method
// of a well-known interface listed here is exposed. Expose() with no
// names exposes nothing. wasmbuild build warns about a listed name that
// is not an RPC method. durableobject.Expose lists the well-known
// interfaces.
func Expose(methods ...string) Option {
	return func(e *rt.Exposure) {
		e.Only = append(append([]string{}, e.Only...), methods...)
	}
}

// Hide keeps methods (Go names) off RPC, besides those of the well-known
// interfaces that Expose lists: a caller that calls one gets the
// TypeError of a method that does not exist. Go code in the module still
// calls them. Use Expose or Hide, not both.
func Hide(methods ...string) Option {
	return func(e *rt.Exposure) {
		e.Hide = append(e.Hide, methods...)
	}
}

// Props decodes the props of the Worker's event of ctx (workerd's
// ctx.props: the props of the service binding that reached the
// entrypoint, a table in its [[services]] entry) into v, as an RPC
// argument is decoded. ctx is an entrypoint method's ctx, or a request's
// Context() in the Worker's handler. An event without props (a Durable
// Object's) leaves v as it is.
func Props(ctx context.Context, v any) error {
	b, err := rt.EventProps(ctx)
	if err != nil {
		return fmt.Errorf("worker: Props: %w", err)
	}
	if len(b) == 0 {
		return nil
	}
	if err := abi.DecodeValue(b, v); err != nil {
		return fmt.Errorf("worker: Props: decoding %s into %T: %w", abi.Describe(b), v, err)
	}
	return nil
}
