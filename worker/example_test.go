package worker_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/godurable/godurable/worker"
)

func ExampleHandle() {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /hello/{name}", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "hello, %s", r.PathValue("name"))
	})
	// In a Worker, this runs in an init function.
	worker.Handle(mux)

	// The handler is a plain http.Handler, so it can be unit-tested as one.
	rec := httptest.NewRecorder()
	mux.ServeHTTP(rec, httptest.NewRequest("GET", "/hello/gopher", nil))
	fmt.Println(rec.Body.String())
	// Output: hello, gopher
}

// Outbound requests take the incoming request's context, so that workerd
// runs them on its behalf.
func ExampleFetch() {
	handler := func(w http.ResponseWriter, r *http.Request) {
		req, err := http.NewRequestWithContext(r.Context(), "GET", "https://example.com/", nil)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		resp, err := worker.Fetch(req)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		defer resp.Body.Close()
		w.WriteHeader(resp.StatusCode)
		io.Copy(w, resp.Body)
	}
	worker.HandleFunc(handler)
}

// A Worker reaches a Durable Object through its namespace binding.
func ExampleStub_Call() {
	ctx := context.TODO() // in a handler: r.Context()
	env, err := worker.GetEnv()
	if err != nil {
		fmt.Println(err)
		return
	}
	ns, err := env.DurableObject("COUNTER")
	if err != nil {
		fmt.Println(err)
		return
	}
	var value int64
	if err := ns.GetByName("apples").Call(ctx, "increment", &value, 5); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(value)
}

// A Worker routes each room's requests, WebSocket upgrades included, to the
// room's Durable Object.
func ExampleStub_ServeHTTP() {
	mux := http.NewServeMux()
	mux.HandleFunc("/rooms/{room}/", func(w http.ResponseWriter, r *http.Request) {
		env, err := worker.GetEnv()
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		rooms, err := env.DurableObject("ROOMS")
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		rooms.GetByName(r.PathValue("room")).ServeHTTP(w, r)
	})
	worker.Handle(mux)
}

// Background work after the response: the Worker answers at once and
// records the visit afterwards, on the same event's behalf.
func ExampleWaitUntil() {
	worker.HandleFunc(func(w http.ResponseWriter, r *http.Request) {
		err := worker.WaitUntil(r.Context(), func(ctx context.Context) {
			req, err := http.NewRequestWithContext(ctx, "POST", "https://logs.example.com/visits", nil)
			if err != nil {
				return
			}
			if resp, err := worker.Fetch(req); err == nil {
				resp.Body.Close()
			}
		})
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		fmt.Fprintln(w, "welcome")
	})
}

// A stream of values, as a method returning iter.Seq2[Point, error] sends
// it: one JSON line per value, and an error line that ends it. (A Worker
// gets its Stream from Stub.Call; NewStream makes one here.)
func ExampleValues() {
	type Point struct{ X, Y int }
	lines := `{"X":1,"Y":2}
{"X":3,"Y":4}
{"error":{"name":"RangeError","message":"off the map","code":"E_MAP"}}
`
	s := worker.NewStream(io.NopCloser(strings.NewReader(lines)), true)
	for p, err := range worker.Values[Point](s) {
		if err != nil {
			var we *worker.Error
			if errors.As(err, &we) {
				fmt.Println(we.ErrorName(), we.Message, we.Code)
			}
			break
		}
		fmt.Println(p.X, p.Y)
	}
	// Output:
	// 1 2
	// 3 4
	// RangeError off the map E_MAP
}

// A method whose result is a stream: a Go caller passes a *Stream.
func ExampleStream() {
	ctx := context.TODO() // in a handler: r.Context()
	env, err := worker.GetEnv()
	if err != nil {
		fmt.Println(err)
		return
	}
	ns, err := env.DurableObject("TICKER")
	if err != nil {
		fmt.Println(err)
		return
	}
	var ticks worker.Stream // Tick(ctx, n int) iter.Seq[Tick]
	if err := ns.GetByName("clock").Call(ctx, "tick", &ticks, 3); err != nil {
		fmt.Println(err)
		return
	}
	for tick, err := range worker.Values[map[string]int](&ticks) {
		fmt.Println(tick, err)
	}
}
