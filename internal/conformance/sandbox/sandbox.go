// Command sandbox is the Worker that the conformance scenarios drive: it
// binds every feature of godurable so that one suite can exercise them in
// workerd and in the dotest harness alike.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/godurable/godurable/durableobject"
	"github.com/godurable/godurable/worker"
)

func main() {}

func init() {
	durableobject.Register("Sandbox", newSandbox, durableobject.Hide("Internal"))
	durableobject.Register("Unmigrated", newUnmigrated)
	durableobject.Register("Plain", newPlain, durableobject.Expose("Ping", "SetAlarm", "FetchPlain", "String", "Whoami", "Count", "Initialized", "ReadJS"))
	worker.Handle(routes())
	worker.Entrypoint("", Gateway{})
	worker.Entrypoint("Ops", Ops{}, worker.Hide("Secret"))
}

func routes() *http.ServeMux {
	mux := http.NewServeMux()
	lifecycleRoutes(mux)
	streamRoutes(mux)
	rpcStreamRoutes(mux)
	idRoutes(mux)
	d1Routes(mux)
	stubRoutes(mux)
	jsBridgeRoutes(mux)
	serviceRoutes(mux)
	scheduledRoutes(mux)
	workersKVRoutes(mux)
	r2Routes(mux)
	cacheRoutes(mux)
	rateLimitRoutes(mux)
	analyticsRoutes(mux)
	queueRoutes(mux)
	tcpRoutes(mux, "")
	pgRoutes(mux, "")
	mux.HandleFunc("GET /hello", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, "hello from Go")
	})
	mux.HandleFunc("/echo", func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		writeJSON(w, http.StatusOK, map[string]any{
			"method": r.Method, "path": r.URL.Path, "query": r.URL.RawQuery,
			"contentType": r.Header.Get("Content-Type"), "xTest": r.Header.Values("X-Test"),
			"body": string(body), "contentLength": r.ContentLength,
		})
	})
	mux.HandleFunc("GET /status/{code}", func(w http.ResponseWriter, r *http.Request) {
		code, _ := strconv.Atoi(r.PathValue("code"))
		w.Header().Set("X-Multi", "a")
		w.Header().Add("X-Multi", "b")
		w.WriteHeader(code)
		if code != http.StatusNoContent && code != http.StatusNotModified {
			fmt.Fprintf(w, "status %d", code)
		}
	})
	mux.HandleFunc("GET /env", func(w http.ResponseWriter, r *http.Request) {
		env, err := worker.GetEnv()
		if err != nil {
			writeError(w, http.StatusInternalServerError, err)
			return
		}
		var config any
		cerr := env.DecodeVar("CONFIG", &config)
		writeJSON(w, http.StatusOK, map[string]any{
			"greeting": env.Var("GREETING"), "config": config, "configErr": errString(cerr),
			"missing": env.Var("NO_SUCH_VAR"), "sandboxBinding": env.BindingKind("SANDBOX"),
			"d1Binding": env.BindingKind("DB"),
		})
	})
	mux.HandleFunc("GET /dial", dial)
	mux.HandleFunc("GET /fetch", func(w http.ResponseWriter, r *http.Request) {
		serveOutbound(w, r)
	})
	mux.HandleFunc("GET /fetch-many", func(w http.ResponseWriter, r *http.Request) {
		n, _ := strconv.Atoi(r.URL.Query().Get("n"))
		results := make([]string, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				req, _ := http.NewRequestWithContext(r.Context(), "GET", r.URL.Query().Get("url")+"?i="+strconv.Itoa(i), nil)
				resp, err := worker.Fetch(req)
				if err != nil {
					results[i] = "error: " + err.Error()
					return
				}
				b, _ := io.ReadAll(resp.Body)
				results[i] = string(b)
			}()
		}
		wg.Wait()
		writeJSON(w, http.StatusOK, results)
	})
	mux.HandleFunc("GET /fetch-no-context", func(w http.ResponseWriter, r *http.Request) {
		req, _ := http.NewRequest("GET", r.URL.Query().Get("url"), nil)
		_, err := worker.Fetch(req)
		writeJSON(w, http.StatusOK, map[string]any{"error": errString(err)})
	})
	mux.HandleFunc("GET /panic", func(w http.ResponseWriter, r *http.Request) {
		panic("handler panic on purpose")
	})
	mux.HandleFunc("GET /trap", func(w http.ResponseWriter, r *http.Request) {
		// A panic in a goroutine nobody recovers kills the Go runtime.
		done := make(chan struct{})
		go func() {
			defer close(done)
			panic("forced trap")
		}()
		<-done
		fmt.Fprint(w, "unreachable")
	})
	mux.HandleFunc("GET /sleep", func(w http.ResponseWriter, r *http.Request) {
		ms, _ := strconv.Atoi(r.URL.Query().Get("ms"))
		start := time.Now()
		if r.URL.Query().Get("how") == "worker" {
			worker.Sleep(r.Context(), time.Duration(ms)*time.Millisecond)
		} else {
			time.Sleep(time.Duration(ms) * time.Millisecond)
		}
		writeJSON(w, http.StatusOK, map[string]any{"atLeast": time.Since(start) >= time.Duration(ms)*time.Millisecond})
	})
	mux.HandleFunc("GET /wait", serveWait)
	mux.HandleFunc("GET /feed-head/{name}", serveFeedHead)
	mux.HandleFunc("POST /refuse", refuseUpload)
	mux.HandleFunc("GET /unmigrated", serveUnmigrated)
	mux.HandleFunc("GET /call/{name}/{method}", func(w http.ResponseWriter, r *http.Request) {
		// A Go Worker calling a Durable Object method over RPC, of
		// SANDBOX or of ?binding=.
		binding := r.URL.Query().Get("binding")
		if binding == "" {
			binding = "SANDBOX"
		}
		stub, err := stubOf(binding, r.PathValue("name"))
		if err != nil {
			writeError(w, http.StatusInternalServerError, err)
			return
		}
		writeCall(w, r, stub)
	})
	mux.HandleFunc("GET /xfetch/{binding}/{name}", func(w http.ResponseWriter, r *http.Request) {
		// The body of GET /hello of the object called name of binding.
		stub, err := stubOf(r.PathValue("binding"), r.PathValue("name"))
		if err != nil {
			writeError(w, http.StatusInternalServerError, err)
			return
		}
		req, err := http.NewRequestWithContext(r.Context(), http.MethodGet, "http://object/hello", nil)
		if err != nil {
			writeError(w, http.StatusInternalServerError, err)
			return
		}
		resp, err := stub.Fetch(req)
		if err != nil {
			writeError(w, http.StatusBadGateway, err)
			return
		}
		defer resp.Body.Close()
		io.Copy(w, resp.Body)
	})
	mux.HandleFunc("/do/{name}/", func(w http.ResponseWriter, r *http.Request) {
		stub, err := sandboxStub(r.PathValue("name"))
		if err != nil {
			writeError(w, http.StatusInternalServerError, err)
			return
		}
		stub.ServeHTTP(w, r)
	})
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, fmt.Errorf("no route for %s %s", r.Method, r.URL.Path))
	})
	return mux
}

func sandboxStub(name string) (*worker.Stub, error) { return stubOf("SANDBOX", name) }

// stubOf returns the stub of the object called name of binding.
func stubOf(binding, name string) (*worker.Stub, error) {
	env, err := worker.GetEnv()
	if err != nil {
		return nil, err
	}
	ns, err := env.DurableObject(binding)
	if err != nil {
		return nil, err
	}
	return ns.GetByName(name), nil
}

// serveOutbound fetches ?url= on behalf of r and reports what came back.
func serveOutbound(w http.ResponseWriter, r *http.Request) {
	req, err := http.NewRequestWithContext(r.Context(), "GET", r.URL.Query().Get("url"), nil)
	if err != nil {
		writeError(w, http.StatusBadRequest, err)
		return
	}
	req.Header.Set("X-From", "godurable")
	resp, err := worker.Fetch(req)
	if err != nil {
		writeJSON(w, http.StatusOK, map[string]any{"error": err.Error()})
		return
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	writeJSON(w, http.StatusOK, map[string]any{"status": resp.StatusCode, "body": string(b), "header": resp.Header.Get("X-Reply")})
}

// writeCall calls the method r.PathValue("method") of c with the
// arguments ?args= (JSON) and answers {"result"} or {"error": {"name",
// "message", "code"}}.
func writeCall(w http.ResponseWriter, r *http.Request, c worker.Caller) {
	var args []any
	if a := r.URL.Query().Get("args"); a != "" {
		if err := json.Unmarshal([]byte(a), &args); err != nil {
			writeError(w, http.StatusBadRequest, err)
			return
		}
	}
	var result any
	err := c.Call(r.Context(), r.PathValue("method"), &result, args...)
	var we *worker.Error
	switch {
	case errors.As(err, &we):
		writeJSON(w, http.StatusOK, map[string]any{"error": map[string]any{"name": we.Name, "message": we.Message, "code": we.Code}})
	case err != nil:
		writeJSON(w, http.StatusOK, map[string]any{"error": map[string]any{"message": err.Error()}})
	default:
		writeJSON(w, http.StatusOK, map[string]any{"result": result})
	}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, status int, err error) {
	writeJSON(w, status, map[string]string{"error": err.Error()})
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

func newRequest(ctx context.Context, url string) (*http.Request, error) {
	return http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
}

// refuseUpload is POST /refuse: a 401 for an
// upload, answered without reading its body, as a handler does for a
// request without credentials.
func refuseUpload(w http.ResponseWriter, r *http.Request) {
	writeError(w, http.StatusUnauthorized, errors.New("no credentials"))
}
