// Command counter is a Worker with one Durable Object class, Counter: named
// counters that keep their value in KV storage and every increment in a SQL
// table.
//
//	GET  /counter/{name}                  {"name":"a","value":3}
//	POST /counter/{name}/increment?by=k   {"name":"a","value":3+k}
//	GET  /counter/{name}/history          [{"by":1},{"by":2}]
//
// From JavaScript, the class's RPC methods are increment(by), get() and
// history(); the Worker calls them through the typed stub CounterStub,
// which wasmbuild stubs writes into counter_stub.go (and the TypeScript
// declarations of the class into counter.d.ts):
//
//go:generate go run ../../cmd/wasmbuild stubs -go counter_stub.go -ts counter.d.ts -config ../../wrangler.toml
package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/godurable/godurable/durableobject"
	"github.com/godurable/godurable/worker"
)

// Counter is one named counter.
type Counter struct {
	state *durableobject.State
}

// Step is one increment, as the history lists it.
type Step struct {
	By int64 `json:"by"`
}

func newCounter(state *durableobject.State, env *worker.Env) (*Counter, error) {
	_, err := state.Storage.SQL.Exec(`CREATE TABLE IF NOT EXISTS history (
		seq INTEGER PRIMARY KEY AUTOINCREMENT,
		by  INTEGER NOT NULL
	)`)
	if err != nil {
		return nil, fmt.Errorf("creating the history table: %w", err)
	}
	return &Counter{state: state}, nil
}

// ErrNotPositive is returned by Increment for a step below 1.
var ErrNotPositive = &worker.Error{Name: "RangeError", Code: "E_NOT_POSITIVE", Message: "by must be a positive integer"}

// Increment adds by (at least 1) to the counter and returns the new value.
func (c *Counter) Increment(by int64) (int64, error) {
	if by < 1 {
		return 0, ErrNotPositive
	}
	value, err := c.Get()
	if err != nil {
		return 0, err
	}
	value += by
	if err := c.state.Storage.KV.Put("value", value); err != nil {
		return 0, err
	}
	if _, err := c.state.Storage.SQL.Exec(`INSERT INTO history (by) VALUES (?)`, by); err != nil {
		return 0, err
	}
	return value, nil
}

// Get returns the counter's value, 0 for a new counter.
func (c *Counter) Get() (int64, error) {
	var value int64
	_, err := c.state.Storage.KV.Get("value", &value)
	return value, err
}

// History returns every increment, oldest first.
func (c *Counter) History() ([]Step, error) {
	cur, err := c.state.Storage.SQL.Exec(`SELECT by FROM history ORDER BY seq`)
	if err != nil {
		return nil, err
	}
	steps := make([]Step, 0, cur.Len())
	for cur.Next() {
		var s Step
		if err := cur.Scan(&s.By); err != nil {
			return nil, err
		}
		steps = append(steps, s)
	}
	return steps, nil
}

// ServeHTTP serves GET .../history from the object itself.
func (c *Counter) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	steps, err := c.History()
	if err != nil {
		writeError(w, http.StatusInternalServerError, err)
		return
	}
	writeJSON(w, http.StatusOK, steps)
}

func init() {
	durableobject.Register("Counter", newCounter)

	mux := http.NewServeMux()
	mux.HandleFunc("GET /counter/{name}", func(w http.ResponseWriter, r *http.Request) {
		serveValue(w, r, func(ctx context.Context, c CounterStub) (int64, error) {
			return c.Get(ctx)
		})
	})
	mux.HandleFunc("POST /counter/{name}/increment", func(w http.ResponseWriter, r *http.Request) {
		by, err := parseBy(r.URL.Query())
		if err != nil {
			writeError(w, http.StatusBadRequest, err)
			return
		}
		serveValue(w, r, func(ctx context.Context, c CounterStub) (int64, error) {
			return c.Increment(ctx, by)
		})
	})
	mux.HandleFunc("GET /counter/{name}/history", func(w http.ResponseWriter, r *http.Request) {
		stub, err := counterStub(r)
		if err != nil {
			writeError(w, http.StatusInternalServerError, err)
			return
		}
		stub.ServeHTTP(w, r)
	})
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, errors.New("no route for "+r.Method+" "+r.URL.Path))
	})
	worker.Handle(mux)
}

func counterStub(r *http.Request) (*worker.Stub, error) {
	env, err := worker.GetEnv()
	if err != nil {
		return nil, err
	}
	ns, err := env.DurableObject("COUNTER")
	if err != nil {
		return nil, err
	}
	return ns.GetByName(r.PathValue("name")), nil
}

// serveValue answers {"name":..., "value":...} with the value call gets
// from the named counter, through its typed stub.
func serveValue(w http.ResponseWriter, r *http.Request, call func(context.Context, CounterStub) (int64, error)) {
	stub, err := counterStub(r)
	if err != nil {
		writeError(w, http.StatusInternalServerError, err)
		return
	}
	v, err := call(r.Context(), NewCounterStub(stub))
	if err != nil {
		status := http.StatusInternalServerError
		var we *worker.Error
		if errors.As(err, &we) && we.Name == "RangeError" {
			status = http.StatusBadRequest
		}
		writeError(w, status, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"name": r.PathValue("name"), "value": v})
}

func main() {}
