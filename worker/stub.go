package worker

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"

	"github.com/godurable/godurable/internal/abi"
	"github.com/godurable/godurable/internal/rt"
)

// ErrNoBinding is returned for a binding the environment does not have.
var ErrNoBinding = errors.New("worker: no such binding")

// Namespace is a Durable Object namespace binding: the way to reach the
// objects of one class.
type Namespace struct {
	binding string
}

// DurableObject returns the Durable Object namespace bound as binding (a
// [[durable_objects.bindings]] name in wrangler.toml).
func (e *Env) DurableObject(binding string) (*Namespace, error) {
	switch kind := e.bindings[binding]; kind {
	case "DurableObjectNamespace":
		return &Namespace{binding: binding}, nil
	case "":
		return nil, fmt.Errorf("%w %q: declare it under [[durable_objects.bindings]] in wrangler.toml (bindings: %v)", ErrNoBinding, binding, e.Bindings())
	default:
		return nil, fmt.Errorf("worker: binding %q is a %s, not a Durable Object namespace", binding, kind)
	}
}

// GetByName returns a stub for the object called name; the same name always
// reaches the same object.
func (ns *Namespace) GetByName(name string) *Stub {
	return &Stub{target: abi.StubTarget{Binding: ns.binding, Name: name}}
}

// GetByID returns a stub for the object with the given hex ID.
func (ns *Namespace) GetByID(id string) *Stub {
	return &Stub{target: abi.StubTarget{Binding: ns.binding, ID: id}}
}

// IDFromName returns the hex ID of the object called name.
func (ns *Namespace) IDFromName(name string) (string, error) {
	var id string
	err := rt.CallMsg(rt.NoObject, abi.CallIDFromName, &abi.StubTarget{Binding: ns.binding, Name: name}, &id)
	return id, err
}

// NewUniqueID returns the hex ID of a new object.
func (ns *Namespace) NewUniqueID() (string, error) {
	var id string
	err := rt.CallMsg(rt.NoObject, abi.CallNewUniqueID, &abi.StubTarget{Binding: ns.binding}, &id)
	return id, err
}

// Stub sends requests and RPC calls to one Durable Object.
type Stub struct {
	target abi.StubTarget
}

// Fetch sends req to the object's ServeHTTP (or JavaScript fetch) on behalf
// of the event in req.Context().
func (s *Stub) Fetch(req *http.Request) (*http.Response, error) {
	return s.transport().RoundTrip(req)
}

// ServeHTTP forwards r to the object and writes the object's response to
// w, a WebSocket upgrade included: the way a Worker hands a request to an
// object, as JavaScript's `return stub.fetch(request)` does. An error
// reaching the object is answered 502 Bad Gateway with its text; use Fetch
// to answer it otherwise.
func (s *Stub) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	resp, err := s.Fetch(r)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	defer resp.Body.Close()
	header := w.Header()
	for k, vs := range resp.Header {
		header[k] = vs
	}
	w.WriteHeader(resp.StatusCode)
	io.Copy(w, resp.Body)
}

func (s *Stub) transport() *rt.Transport {
	t := s.target
	return &rt.Transport{Op: abi.AsyncStubFetch, Target: &t}
}

// Call calls the object's RPC method with args and decodes its result into
// result, which may be nil to discard it. method is the JavaScript name
// ("increment"); a Go name ("Increment") is accepted too. An error thrown
// by the method is returned as an *Error.
func (s *Stub) Call(ctx context.Context, method string, result any, args ...any) error {
	if args == nil {
		args = []any{}
	}
	raw, err := abi.EncodeValue(args)
	if err == nil {
		err = abi.CheckJSSafe(raw)
	}
	if err != nil {
		return fmt.Errorf("worker: %s: encoding the arguments: %w", method, err)
	}
	req, err := abi.Marshal(&abi.StubCall{Target: s.target, Method: rt.JSName(method), Args: raw})
	if err != nil {
		return fmt.Errorf("worker: %s: %w", method, err)
	}
	res, err := rt.Await(ctx, abi.AsyncStubCall, req)
	if err != nil {
		return err
	}
	if result == nil || len(res) == 0 {
		return nil
	}
	if err := abi.DecodeValue(res, result); err != nil {
		return fmt.Errorf("worker: %s: decoding the result (%s) into %T: %w", method, abi.Describe(res), result, err)
	}
	return nil
}
