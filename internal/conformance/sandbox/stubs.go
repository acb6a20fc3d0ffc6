package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"runtime"

	"github.com/godurable/godurable/worker"
)

// Durable Object stubs as RPC values: taken, kept, returned and passed on.

// StubPair is a struct that holds a stub.
type StubPair struct {
	Label string       `json:"label"`
	Stub  *worker.Stub `json:"stub"`
}

// whoamiOf calls whoami on stub.
func whoamiOf(ctx context.Context, stub *worker.Stub) (map[string]any, error) {
	var who map[string]any
	if err := stub.Call(ctx, "whoami", &who); err != nil {
		return nil, err
	}
	return who, nil
}

// WhoamiOf calls whoami on the stub it is given.
func (s *Sandbox) WhoamiOf(ctx context.Context, stub *worker.Stub) (map[string]any, error) {
	return whoamiOf(ctx, stub)
}

// NamesOf calls whoami on each stub of a list and on the stub of a
// struct, and returns their names ("label:name" for the struct's).
func (s *Sandbox) NamesOf(ctx context.Context, stubs []*worker.Stub, pair StubPair) ([]string, error) {
	var names []string
	for _, st := range append(stubs, pair.Stub) {
		who, err := whoamiOf(ctx, st)
		if err != nil {
			return nil, err
		}
		names = append(names, fmt.Sprint(who["name"]))
	}
	names[len(names)-1] = pair.Label + ":" + names[len(names)-1]
	return names, nil
}

// Keep keeps a stub for later events.
func (s *Sandbox) Keep(stub *worker.Stub) error {
	if stub == nil {
		return errors.New("keep: no stub")
	}
	s.kept = stub
	return nil
}

// DropKept forgets the stub it keeps and collects the garbage, after
// which the host is told to forget the stub too.
func (s *Sandbox) DropKept() {
	s.kept = nil
	runtime.GC()
}

// StoreStub tries to store a stub, which storage refuses.
func (s *Sandbox) StoreStub(stub *worker.Stub) error {
	return s.state.Storage.KV.Put("stub", map[string]any{"peer": stub})
}

// Kept returns the stub it keeps.
func (s *Sandbox) Kept() *worker.Stub { return s.kept }

// WhoamiOfKept calls whoami on the stub it keeps.
func (s *Sandbox) WhoamiOfKept(ctx context.Context) (map[string]any, error) {
	return whoamiOf(ctx, s.kept)
}

// FetchKept fetches path from the object of the stub it keeps, and
// returns the status and the body.
func (s *Sandbox) FetchKept(ctx context.Context, path string) (string, error) {
	req, err := http.NewRequestWithContext(ctx, "GET", "http://kept"+path, nil)
	if err != nil {
		return "", err
	}
	resp, err := s.kept.Fetch(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	return fmt.Sprintf("%d %s", resp.StatusCode, body), err
}

// StubOf returns the stub of the object called name of binding.
func (s *Sandbox) StubOf(binding, name string) (*worker.Stub, error) {
	ns, err := namespace(binding)
	if err != nil {
		return nil, err
	}
	return ns.GetByName(name), nil
}

// PairOf returns a struct with the stub of the Plain object called name.
func (s *Sandbox) PairOf(name string) (StubPair, error) {
	st, err := s.StubOf("PLAIN", name)
	return StubPair{Label: name, Stub: st}, err
}

// sandbox returns the stub of the Sandbox object called name.
func sandbox(name string) (*worker.Stub, error) {
	ns, err := namespace("SANDBOX")
	if err != nil {
		return nil, err
	}
	return ns.GetByName(name), nil
}

// HandOn passes the stub it keeps to the Sandbox object called to, which
// calls whoami on it.
func (s *Sandbox) HandOn(ctx context.Context, to string) (map[string]any, error) {
	other, err := sandbox(to)
	if err != nil {
		return nil, err
	}
	var who map[string]any
	err = other.Call(ctx, "whoamiOf", &who, s.kept)
	return who, err
}

// WhoamiVia asks the Sandbox object called via for a stub (its method
// method, with args) and calls whoami on the stub it returns.
func (s *Sandbox) WhoamiVia(ctx context.Context, via, method string, args []any) (map[string]any, error) {
	return stubVia(ctx, via, method, args)
}

func stubVia(ctx context.Context, via, method string, args []any) (map[string]any, error) {
	other, err := sandbox(via)
	if err != nil {
		return nil, err
	}
	var st *worker.Stub
	if err := other.Call(ctx, method, &st, args...); err != nil {
		return nil, err
	}
	return whoamiOf(ctx, st)
}

// PairVia asks the Sandbox object called via for PairOf(name) and calls
// whoami on its stub: "label:name".
func (s *Sandbox) PairVia(ctx context.Context, via, name string) (string, error) {
	other, err := sandbox(via)
	if err != nil {
		return "", err
	}
	var pair StubPair
	if err := other.Call(ctx, "pairOf", &pair, name); err != nil {
		return "", err
	}
	who, err := whoamiOf(ctx, pair.Stub)
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("%s:%s", pair.Label, who["name"]), nil
}

// stubRoutes: the stateless Worker receives a stub as a call's result.
func stubRoutes(mux *http.ServeMux) {
	// GET /stubs/via/{via}/{binding}/{name}: the Sandbox object via's
	// stubOf(binding, name), then whoami on it.
	mux.HandleFunc("GET /stubs/via/{via}/{binding}/{name}", func(w http.ResponseWriter, r *http.Request) {
		who, err := stubVia(r.Context(), r.PathValue("via"), "stubOf", []any{r.PathValue("binding"), r.PathValue("name")})
		if err != nil {
			writeError(w, http.StatusInternalServerError, err)
			return
		}
		writeJSON(w, http.StatusOK, who)
	})
}
