package main

import (
	"bufio"
	"context"
	"io"
	"iter"
	"net/http"
	"strconv"
	"strings"

	"github.com/godurable/godurable/internal/conformance/fixture"
	"github.com/godurable/godurable/worker"
)

// Service bindings both ways: routes where the sandbox calls the peer
// Worker's entrypoints (bindings PEER and PEER_ADMIN), and the sandbox's
// own entrypoints, which the JavaScript caller reaches through its
// service bindings TARGET and TARGET_OPS.

func serviceRoutes(mux *http.ServeMux) {
	// GET /svc/{binding}/{method}?args=JSON: an RPC call through the
	// service binding, as GET /call does for an object.
	mux.HandleFunc("GET /svc/{binding}/{method}", withService(func(w http.ResponseWriter, r *http.Request, svc *worker.Stub) {
		writeCall(w, r, svc)
	}))
	// ANY /svc-fetch/{binding}/{path...}: the binding's fetch of
	// /{path...}, its response passed on.
	mux.HandleFunc("/svc-fetch/{binding}/{path...}", withService(func(w http.ResponseWriter, r *http.Request, svc *worker.Stub) {
		req, err := http.NewRequestWithContext(r.Context(), r.Method, "http://service/"+r.PathValue("path"), r.Body)
		if err != nil {
			writeError(w, http.StatusInternalServerError, err)
			return
		}
		svc.ServeHTTP(w, req)
	}))
	// GET /svc-ticks/{binding}?n=N: the values of ticks(N), a stream,
	// read as they come, one line each.
	mux.HandleFunc("GET /svc-ticks/{binding}", withService(func(w http.ResponseWriter, r *http.Request, svc *worker.Stub) {
		n, _ := strconv.Atoi(r.URL.Query().Get("n"))
		var st worker.Stream
		if err := svc.Call(r.Context(), "ticks", &st, n); err != nil {
			writeJSON(w, http.StatusOK, errorJSON(err))
			return
		}
		var got []int
		for v, err := range worker.Values[int](&st) {
			if err != nil {
				writeJSON(w, http.StatusOK, errorJSON(err))
				return
			}
			got = append(got, v)
		}
		writeJSON(w, http.StatusOK, map[string]any{"values": got})
	}))
	// POST /svc-upper/{binding}: the request's body streamed to
	// upper(r), whose stream of bytes is the response.
	mux.HandleFunc("POST /svc-upper/{binding}", withService(func(w http.ResponseWriter, r *http.Request, svc *worker.Stub) {
		var st worker.Stream
		if err := svc.Call(r.Context(), "upper", &st, bufio.NewReader(r.Body)); err != nil {
			writeJSON(w, http.StatusOK, errorJSON(err))
			return
		}
		defer st.Close()
		io.Copy(w, &st)
	}))
}

// withService is h with the stub of the service binding the path names
// ({binding}).
func withService(h func(w http.ResponseWriter, r *http.Request, svc *worker.Stub)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		env, err := worker.GetEnv()
		var svc *worker.Stub
		if err == nil {
			svc, err = env.Service(r.PathValue("binding"))
		}
		if err != nil {
			writeError(w, http.StatusInternalServerError, err)
			return
		}
		h(w, r, svc)
	}
}

// Gateway is the sandbox's default entrypoint: the Worker's handler
// serves its fetch, and fixture.Greeter's methods are its RPC methods.
type Gateway struct{ fixture.Greeter }

// Ops is the sandbox's named entrypoint Ops.
type Ops struct{}

// Whoami says which entrypoint answered, with the binding's props.
func (Ops) Whoami(ctx context.Context) (map[string]any, error) {
	var props map[string]any
	if err := worker.Props(ctx, &props); err != nil {
		return nil, err
	}
	return map[string]any{"entrypoint": "Ops", "props": props}, nil
}

// Lines streams n lines of text.
func (Ops) Lines(ctx context.Context, n int) iter.Seq[string] {
	return func(yield func(string) bool) {
		for i := range n {
			if !yield(strings.Repeat("x", i+1)) {
				return
			}
		}
	}
}

// Secret is kept off RPC by worker.Hide.
func (Ops) Secret() string { return "secret" }

// String makes Ops a fmt.Stringer, whose method is not exposed.
func (Ops) String() string { return "ops" }
