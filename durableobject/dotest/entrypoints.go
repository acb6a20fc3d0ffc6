package dotest

import (
	"context"
	"fmt"
	"net/http"

	"github.com/godurable/godurable/internal/abi"
	"github.com/godurable/godurable/internal/workerd"
	"github.com/godurable/godurable/worker"
)

// Entrypoint is an entrypoint of the Worker (worker.Entrypoint), as a
// service binding reaches it: the default export, or a named
// WorkerEntrypoint class, with the props its callers give.
type Entrypoint struct {
	w *Worker
	e workerd.Entry
}

// Entrypoint returns the Worker's entrypoint called name ("" for the
// default export), as a service binding with entrypoint = name and no
// props reaches it (ctx.props is an empty object). It panics if the
// Worker has no such named entrypoint, as workerd refuses to start with a
// binding to one.
func (w *Worker) Entrypoint(name string) *Entrypoint {
	if !w.iso.HasEntrypoint(name) {
		panic(fmt.Sprintf("dotest: the Worker has no entrypoint %q (worker.Entrypoint)", name))
	}
	return &Entrypoint{w: w, e: workerd.Entry{Name: name}}
}

// WithProps returns the entrypoint as a service binding whose props are
// props reaches it (a props table of a [[services]] entry): worker.Props
// reads them in its events.
func (e *Entrypoint) WithProps(props map[string]any) *Entrypoint {
	return &Entrypoint{w: e.w, e: workerd.Entry{Name: e.e.Name, Props: props}}
}

// Call calls the entrypoint's RPC method with args, as a JavaScript Worker
// calls env.SERVICE.method(...args) through a service binding: the values,
// errors and streams of Object.Call.
func (e *Entrypoint) Call(ctx context.Context, method string, result any, args ...any) error {
	return e.w.call(ctx, method, result, args, func(ctx context.Context, jsName string, raw []byte) ([]byte, error) {
		return e.w.iso.EntrypointCall(ctx, e.e, jsName, raw)
	})
}

// Do sends req to the entrypoint's fetch, as env.SERVICE.fetch(req) does:
// the default export's is the Worker's handler. An error is returned as
// Object.Do returns it (a named entrypoint without a fetch gives
// workerd's "Handler does not export a fetch() function.").
func (e *Entrypoint) Do(req *http.Request) (*http.Response, error) {
	return e.w.fetch(req, func(ctx context.Context, in *abi.Request) (*abi.Response, error) {
		return e.w.iso.EntrypointFetch(ctx, e.e, in)
	})
}

var _ worker.Caller = (*Entrypoint)(nil) // a typed stub of a service wraps an Entrypoint in a test
