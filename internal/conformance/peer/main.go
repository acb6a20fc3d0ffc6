// Command peer is the second Go Worker of the cross-script scenarios: it
// hosts a class named Plain, as the sandbox does, which the sandbox
// reaches through a binding with script_name = "godurable-peer".
package main

import (
	"context"
	"fmt"
	"net/http"

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
}

func main() {}
