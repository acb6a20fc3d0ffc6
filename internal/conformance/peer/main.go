// Command peer is the second Go Worker of the cross-script scenarios: it
// hosts a class named Plain, as the sandbox does, which the sandbox
// reaches through a binding with script_name = "godurable-peer", and
// entrypoints (the default one and Admin) which the sandbox reaches
// through service bindings.
package main

import (
	"context"
	"fmt"
	"io"
	"iter"
	"net/http"
	"strings"

	"github.com/godurable/godurable/durableobject"
	"github.com/godurable/godurable/internal/conformance/fixture"
	"github.com/godurable/godurable/worker"
)

// Plain is the peer's class of the same name as the sandbox's.
type Plain struct{ state *durableobject.State }

// Whoami says which Worker hosts the object, and its ID and name.
func (p *Plain) Whoami(ctx context.Context) map[string]any {
	return map[string]any{"script": "godurable-peer", "id": p.state.ID, "name": p.state.Name}
}

// Count counts its calls in the object's storage.
func (p *Plain) Count() (int, error) { return fixture.Count(&p.state.Storage) }

// ServeHTTP answers stub.fetch.
func (p *Plain) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	fmt.Fprintf(w, "godurable-peer's %s: %s %s", p.state.Name, r.Method, r.URL.Path)
}

func init() {
	durableobject.Register("Plain", func(state *durableobject.State, env *worker.Env) (*Plain, error) {
		return &Plain{state: state}, nil
	})
	worker.Entrypoint("", Front{}, worker.Hide("Internal"))
	worker.Entrypoint("Admin", Admin{})
}

// Front is the peer's default entrypoint, which a service binding
// without an entrypoint reaches: its fetch, and its RPC methods (Hello
// and Fail are fixture.Greeter's).
type Front struct{ fixture.Greeter }

// ServeHTTP answers the binding's fetch.
func (Front) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	fmt.Fprintf(w, "godurable-peer's default entrypoint: %s %s", r.Method, r.URL.Path)
}

// Ticks streams 1..n as values.
func (Front) Ticks(ctx context.Context, n int) iter.Seq[int] {
	return func(yield func(int) bool) {
		for i := 1; i <= n && yield(i); i++ {
		}
	}
}

// Upper streams what r streams, in upper case.
func (Front) Upper(ctx context.Context, r io.Reader) (io.Reader, error) {
	b, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	return strings.NewReader(strings.ToUpper(string(b))), nil
}

// Internal is kept off RPC by worker.Hide.
func (Front) Internal() string { return "internal" }

// String makes Front a fmt.Stringer, whose method is not exposed.
func (Front) String() string { return "front" }

// Admin is the peer's named entrypoint Admin, which a service binding with
// entrypoint = "Admin" reaches.
type Admin struct{}

// ServeHTTP answers the binding's fetch, with the role of its props.
func (Admin) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var props struct {
		Role string `json:"role"`
	}
	if err := worker.Props(r.Context(), &props); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	fmt.Fprintf(w, "godurable-peer's Admin: %s %s role=%s", r.Method, r.URL.Path, props.Role)
}

// Stats says which entrypoint answered, with the binding's props.
func (Admin) Stats(ctx context.Context) (map[string]any, error) {
	var props map[string]any
	if err := worker.Props(ctx, &props); err != nil {
		return nil, err
	}
	return map[string]any{"entrypoint": "Admin", "props": props}, nil
}

func main() {}
