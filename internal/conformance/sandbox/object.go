package main

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"math/big"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/godurable/godurable/alarm"
	"github.com/godurable/godurable/durableobject"
	"github.com/godurable/godurable/storage"
	"github.com/godurable/godurable/worker"
)

// Sandbox is a Durable Object with one RPC method or route per behaviour
// the conformance suite checks.
type Sandbox struct {
	state *durableobject.State
	mux   *http.ServeMux
	// constructed counts constructions, persisted, to observe rebuilds.
	constructed int64
	kept        *worker.Stub // a stub it was given (stubs.go)

	// waits.go
	feed   feed
	lock   sync.Mutex
	locked atomic.Bool
	naps   int64
}

// Point is a struct result; JavaScript sees its json names.
type Point struct {
	X int64  `json:"x"`
	Y int64  `json:"y"`
	L string `json:"label,omitempty"`
}

func newSandbox(state *durableobject.State, env *worker.Env) (*Sandbox, error) {
	s := &Sandbox{state: state}
	if _, err := state.Storage.KV.Get("constructed", &s.constructed); err != nil {
		return nil, err
	}
	s.constructed++
	if err := state.Storage.KV.Put("constructed", s.constructed); err != nil {
		return nil, err
	}
	s.mux = s.routes()
	return s, nil
}

// Add returns a+b.
func (s *Sandbox) Add(a, b int64) int64 { return a + b }

// Echo returns its argument.
func (s *Sandbox) Echo(v any) any { return v }

// Concat joins strings.
func (s *Sandbox) Concat(parts []string, sep string) string { return strings.Join(parts, sep) }

// Point returns a struct.
func (s *Sandbox) Point(x, y int64) Point { return Point{X: x, Y: y} }

// Bytes returns n bytes counting from 0.
func (s *Sandbox) Bytes(n int64) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i)
	}
	return b
}

// Nothing returns no value.
func (s *Sandbox) Nothing() {}

// Twice doubles a bigint of any size.
func (s *Sandbox) Twice(n *big.Int) *big.Int { return new(big.Int).Lsh(n, 1) }

// TwiceInt doubles an integer, which a bigint that fits reaches exactly.
func (s *Sandbox) TwiceInt(n int64) int64 { return 2 * n }

// NextDay is a day after t.
func (s *Sandbox) NextDay(t time.Time) time.Time { return t.Add(24 * time.Hour) }

// Fail returns an error with the given name, code and message.
func (s *Sandbox) Fail(name, code, message string) error {
	return &worker.Error{Name: name, Code: code, Message: message}
}

// FailPlain returns a plain Go error.
func (s *Sandbox) FailPlain(message string) (int64, error) {
	return 0, errors.New(message)
}

// Panic panics.
func (s *Sandbox) Panic() int64 { panic("method panic on purpose") }

// Big returns an integer beyond JavaScript's safe range.
func (s *Sandbox) Big() int64 { return 1 << 60 }

// Whoami returns the object's identity.
func (s *Sandbox) Whoami() map[string]any {
	return map[string]any{"id": s.state.ID, "name": s.state.Name, "class": s.state.Class, "constructed": s.constructed}
}

// Nap waits ms milliseconds with worker.Sleep and returns ms.
func (s *Sandbox) Nap(ctx context.Context, ms int64) (int64, error) {
	if err := worker.Sleep(ctx, time.Duration(ms)*time.Millisecond); err != nil {
		return 0, err
	}
	return ms, nil
}

// Incr increments a stored counter without any lock: the object's turn
// keeps concurrent calls from interleaving.
func (s *Sandbox) Incr(key string) (int64, error) {
	var n int64
	if _, err := s.state.Storage.KV.Get(key, &n); err != nil {
		return 0, err
	}
	n++
	return n, s.state.Storage.KV.Put(key, n)
}

// DeleteAll deletes all of the object's storage and reports how many KV
// keys are left.
func (s *Sandbox) DeleteAll() (int64, error) {
	if err := s.state.Storage.DeleteAll(); err != nil {
		return 0, err
	}
	left, err := s.state.Storage.KV.List(storage.ListOptions{})
	return int64(len(left)), err
}

// Fetch is reserved in JavaScript (the object's fetch handler): it is not
// an RPC method.
func (s *Sandbox) Fetch() string { return "never" }

func (s *Sandbox) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.mux.ServeHTTP(w, r) }

func (s *Sandbox) routes() *http.ServeMux {
	mux := http.NewServeMux()
	kv := s.state.Storage.KV
	mux.HandleFunc("GET /do/{name}/whoami", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, s.Whoami())
	})
	mux.HandleFunc("GET /do/{name}/fetch", serveOutbound)
	mux.HandleFunc("GET /do/{name}/events", serveEvents)
	mux.HandleFunc("GET /do/{name}/feed", s.serveFeed)
	mux.HandleFunc("POST /do/{name}/upload", serveUpload)
	mux.HandleFunc("GET /do/{name}/ws", s.acceptSocket)
	mux.HandleFunc("GET /do/{name}/dial", dial)
	tcpRoutes(mux, "/do/{name}")
	pgRoutes(mux, "/do/{name}")
	mux.HandleFunc("PUT /do/{name}/kv/{key}", func(w http.ResponseWriter, r *http.Request) {
		var v any
		if err := json.NewDecoder(r.Body).Decode(&v); err != nil {
			writeError(w, http.StatusBadRequest, err)
			return
		}
		if err := kv.Put(r.PathValue("key"), v); err != nil {
			writeError(w, http.StatusBadRequest, err)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
	mux.HandleFunc("GET /do/{name}/kv/{key}", func(w http.ResponseWriter, r *http.Request) {
		var v any
		ok, err := kv.Get(r.PathValue("key"), &v)
		if err != nil {
			writeError(w, http.StatusInternalServerError, err)
			return
		}
		if !ok {
			writeError(w, http.StatusNotFound, errors.New("no such key"))
			return
		}
		writeJSON(w, http.StatusOK, v)
	})
	mux.HandleFunc("DELETE /do/{name}/kv/{key}", func(w http.ResponseWriter, r *http.Request) {
		existed, err := kv.Delete(r.PathValue("key"))
		if err != nil {
			writeError(w, http.StatusInternalServerError, err)
			return
		}
		writeJSON(w, http.StatusOK, map[string]bool{"existed": existed})
	})
	mux.HandleFunc("GET /do/{name}/kv", func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		limit, _ := strconv.Atoi(q.Get("limit"))
		entries, err := kv.List(storage.ListOptions{
			Prefix: q.Get("prefix"), Start: q.Get("start"), StartAfter: q.Get("startAfter"),
			End: q.Get("end"), Limit: limit, Reverse: q.Get("reverse") == "true",
		})
		if err != nil {
			writeError(w, http.StatusBadRequest, err)
			return
		}
		out := make([][2]any, 0, len(entries))
		for _, e := range entries {
			var v any
			if err := e.Decode(&v); err != nil {
				writeError(w, http.StatusInternalServerError, err)
				return
			}
			out = append(out, [2]any{e.Key, v})
		}
		writeJSON(w, http.StatusOK, out)
	})
	mux.HandleFunc("POST /do/{name}/sql", func(w http.ResponseWriter, r *http.Request) {
		var q struct {
			Query string `json:"query"`
			Args  []any  `json:"args"`
		}
		body, _ := io.ReadAll(r.Body)
		if err := json.Unmarshal(body, &q); err != nil {
			writeError(w, http.StatusBadRequest, err)
			return
		}
		cur, err := s.state.Storage.SQL.Exec(q.Query, jsonArgs(q.Args)...)
		if err != nil {
			writeError(w, http.StatusBadRequest, err)
			return
		}
		rows := [][]any{}
		for cur.Next() {
			rows = append(rows, cur.Values())
		}
		writeJSON(w, http.StatusOK, map[string]any{
			"columns": cur.Columns(), "rows": rows, "rowsRead": cur.RowsRead(), "rowsWritten": cur.RowsWritten(),
		})
	})
	return mux
}

// jsonArgs turns JSON numbers that are integers into int64, as a Go caller
// would pass them.
func jsonArgs(args []any) []any {
	out := make([]any, len(args))
	for i, a := range args {
		if f, ok := a.(float64); ok && f == float64(int64(f)) {
			out[i] = int64(f)
		} else {
			out[i] = a
		}
	}
	return out
}

// Transact runs one transaction that writes the KV key "tx" and a row of
// the table tx, ending as mode says: "commit", "fail" (the function
// returns an error), "panic", "nested" (an inner transaction writes "tx2"
// and fails; the outer commits), "wait" (the function calls an operation
// that waits on I/O), "sql" (a bad statement after the writes; the
// function returns its error), "block" (the function sleeps: the instance
// crashes). It returns the error Transaction returned,
// as text ("" for none).
func (s *Sandbox) Transact(ctx context.Context, mode string) (string, error) {
	st := &s.state.Storage
	if _, err := st.SQL.Exec(`CREATE TABLE IF NOT EXISTS tx (mode TEXT)`); err != nil {
		return "", err
	}
	err := st.Transaction(func() error {
		if err := st.KV.Put("tx", mode); err != nil {
			return err
		}
		if _, err := st.SQL.Exec(`INSERT INTO tx VALUES (?)`, mode); err != nil {
			return err
		}
		switch mode {
		case "commit":
			return nil
		case "fail":
			return errors.New("planned failure")
		case "panic":
			panic("planned panic")
		case "nested":
			inner := st.Transaction(func() error {
				if err := st.KV.Put("tx2", mode); err != nil {
					return err
				}
				return errors.New("inner failure")
			})
			if inner == nil {
				return errors.New("the inner transaction did not fail")
			}
			return nil
		case "wait":
			_, _, err := alarm.Get(ctx)
			return err
		case "sql":
			_, err := st.SQL.Exec(`INSERT INTO no_such_table VALUES (1)`)
			return err
		case "block":
			time.Sleep(time.Millisecond) // the instance cannot wait inside the function
			return nil
		}
		return errors.New("unknown mode " + mode)
	})
	if err != nil {
		return err.Error(), nil
	}
	return "", nil
}

// TxState reports what the transactions left: the KV keys "tx" and "tx2"
// (null when absent) and the modes in the table tx, in order.
func (s *Sandbox) TxState() (map[string]any, error) {
	st := &s.state.Storage
	out := map[string]any{}
	for _, k := range []string{"tx", "tx2"} {
		var v string
		ok, err := st.KV.Get(k, &v)
		if err != nil {
			return nil, err
		}
		out[k] = nil
		if ok {
			out[k] = v
		}
	}
	modes := []string{}
	cur, err := st.SQL.Exec(`SELECT mode FROM tx ORDER BY rowid`)
	if err != nil {
		return nil, err
	}
	for cur.Next() {
		var m string
		if err := cur.Scan(&m); err != nil {
			return nil, err
		}
		modes = append(modes, m)
	}
	out["rows"] = modes
	return out, nil
}
