package conformance

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/godurable/godurable/ws"
)

// Upstream is the loopback HTTP server that outbound-fetch scenarios reach.
// Start it before the Target, so that the Target can route to it.
// Besides answering every request with what it was, it serves /sse?key=K&n=N:
// N server-sent events, each after the one before was acknowledged with
// /sse-ack?key=K (or "no ack" after 10 s), and /cut: one event, then the
// connection is closed before the body's end; and /upload?key=K with
// /upload-progress?key=K as the sandbox has them; for the scenarios of
// bodies that stream.
func Upstream() *httptest.Server {
	var acks sync.Map // key -> chan struct{}
	ack := func(key string) chan struct{} {
		ch, _ := acks.LoadOrStore(key, make(chan struct{}, 16))
		return ch.(chan struct{})
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /sse", func(w http.ResponseWriter, r *http.Request) {
		key := r.URL.Query().Get("key")
		n, _ := strconv.Atoi(r.URL.Query().Get("n"))
		w.Header().Set("Content-Type", "text/event-stream")
		for i := 1; i <= n; i++ {
			fmt.Fprintf(w, "data: %d\n\n", i)
			w.(http.Flusher).Flush()
			if i == n {
				return
			}
			select {
			case <-ack(key):
			case <-r.Context().Done():
				return
			case <-time.After(10 * time.Second):
				fmt.Fprint(w, "data: no ack in 10 s: the stream did not reach Go\n\n")
				return
			}
		}
	})
	mux.HandleFunc("GET /cut", func(w http.ResponseWriter, r *http.Request) {
		// One event, then the connection ends without the body's end.
		w.Header().Set("Content-Type", "text/event-stream")
		fmt.Fprint(w, "data: 1\n\n")
		w.(http.Flusher).Flush()
		if conn, _, err := http.NewResponseController(w).Hijack(); err == nil {
			conn.Close()
		}
	})
	var uploads sync.Map // key -> *atomic.Int64
	progress := func(key string) *atomic.Int64 {
		n, _ := uploads.LoadOrStore(key, new(atomic.Int64))
		return n.(*atomic.Int64)
	}
	mux.HandleFunc("POST /upload", func(w http.ResponseWriter, r *http.Request) {
		// As the sandbox's: how much it has read so far, then what it read.
		n, h := progress(r.URL.Query().Get("key")), sha256.New()
		buf := make([]byte, 16<<10)
		for {
			m, err := r.Body.Read(buf)
			h.Write(buf[:m])
			n.Add(int64(m))
			if err == io.EOF {
				break
			}
			if err != nil {
				http.Error(w, err.Error(), http.StatusBadRequest)
				return
			}
		}
		json.NewEncoder(w).Encode(map[string]any{"bytes": n.Load(), "sha256": hex.EncodeToString(h.Sum(nil)), "contentLength": r.ContentLength})
	})
	mux.HandleFunc("GET /upload-progress", func(w http.ResponseWriter, r *http.Request) {
		json.NewEncoder(w).Encode(progress(r.URL.Query().Get("key")).Load())
	})
	mux.HandleFunc("GET /sse-ack", func(w http.ResponseWriter, r *http.Request) {
		select {
		case ack(r.URL.Query().Get("key")) <- struct{}{}:
		default:
		}
		w.WriteHeader(http.StatusNoContent)
	})
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Reply", "upstream")
		fmt.Fprintf(w, "%s %s from=%s", r.Method, r.URL.RequestURI(), r.Header.Get("X-From"))
	})
	return httptest.NewServer(mux)
}

// RunSandbox runs every scenario of the sandbox Worker against target.
// upstream is the server made by Upstream.
func RunSandbox(t *testing.T, target Target, upstream string) {
	s := &suite{target: target, upstream: upstream}
	t.Run("HTTP", s.http)
	t.Run("RefusedUploads", s.refusedUploads)
	t.Run("Head", s.head)
	t.Run("Unmigrated", s.unmigrated)
	t.Run("Env", s.env)
	t.Run("RPCValues", s.rpcValues)
	t.Run("RPCFetchValues", s.rpcFetchValues)
	t.Run("RPCErrors", s.rpcErrors)
	t.Run("GoCallsGo", s.goCallsGo)
	t.Run("RPCStreams", s.rpcStreams)
	t.Run("CrossScript", s.crossScript)
	t.Run("StubValues", s.stubValues)
	t.Run("Exposure", s.exposure)
	t.Run("OutboundFetch", s.outbound)
	t.Run("Timers", s.timers)
	t.Run("Waits", s.waits)
	t.Run("JSBridge", s.jsBridge)
	t.Run("Cache", s.cache)
	t.Run("RateLimit", s.rateLimit)
	t.Run("Analytics", s.analytics)
	t.Run("ServiceBindings", s.services)
	t.Run("Entrypoints", s.entrypoints)
	t.Run("KV", s.kv)
	t.Run("WorkersKV", s.workersKV)
	t.Run("SQL", s.sql)
	t.Run("Turns", s.turns)
	t.Run("Identity", s.identity)
	t.Run("IDs", s.ids)
	t.Run("D1", s.d1)
	t.Run("Scheduled", s.scheduled)
	t.Run("R2", s.r2)
	t.Run("Queues", s.queues)
	t.Run("PanicAndTrap", s.panicAndTrap)
	t.Run("Lifecycle", s.lifecycle)
	t.Run("Restart", s.restart)
}

type suite struct {
	target   Target
	upstream string
}

// get fetches path from the Worker.
func (s *suite) get(t testing.TB, path string) *Response {
	t.Helper()
	return s.do(t, http.MethodGet, path, "", nil)
}

func (s *suite) do(t testing.TB, method, path, contentType string, body []byte) *Response {
	t.Helper()
	req, err := http.NewRequest(method, "http://worker"+path, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if body == nil {
		req.Body = http.NoBody
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	return s.target.Fetch(t, req)
}

// getJSON fetches path, expects status, and decodes the JSON body.
func (s *suite) getJSON(t testing.TB, path string, status int) any {
	t.Helper()
	return decodeJSON(t, expectStatus(t, s.get(t, path), status))
}

func expectStatus(t testing.TB, r *Response, status int) *Response {
	t.Helper()
	if r.Status != status {
		t.Fatalf("status %d, want %d; body: %s", r.Status, status, r.Body)
	}
	return r
}

func decodeJSON(t testing.TB, r *Response) any {
	t.Helper()
	var v any
	if err := json.Unmarshal(r.Body, &v); err != nil {
		t.Fatalf("body is not JSON: %v: %q", err, r.Body)
	}
	return v
}

func equal(t testing.TB, what string, got, want any) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%s = %#v, want %#v", what, got, want)
	}
}

func contains(t testing.TB, what, got, want string) {
	t.Helper()
	if !strings.Contains(got, want) {
		t.Errorf("%s = %q, want it to contain %q", what, got, want)
	}
}

// call calls a Sandbox method of object name and expects success.
func (s *suite) call(t testing.TB, name, method string, args ...any) any {
	t.Helper()
	v, err := s.target.Call(t, "SANDBOX", name, method, args...)
	if err != nil {
		t.Fatalf("%s(%v): %v", method, args, err)
	}
	return v
}

// callErr calls a Sandbox method and expects an error.
func (s *suite) callErr(t testing.TB, name, method string, args ...any) *JSError {
	t.Helper()
	v, err := s.target.Call(t, "SANDBOX", name, method, args...)
	if err == nil {
		t.Fatalf("%s(%v) = %#v, want an error", method, args, v)
	}
	return err
}

func (s *suite) http(t *testing.T) {
	r := expectStatus(t, s.get(t, "/hello"), 200)
	equal(t, "body", string(r.Body), "hello from Go")
	contains(t, "Content-Type", r.Header.Get("Content-Type"), "text/plain")

	req, _ := http.NewRequest("POST", "http://worker/echo?a=1&b=two", strings.NewReader(`{"k":"v"}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Add("X-Test", "one")
	echo := decodeJSON(t, expectStatus(t, s.target.Fetch(t, req), 200)).(map[string]any)
	equal(t, "method", echo["method"], "POST")
	equal(t, "path", echo["path"], "/echo")
	equal(t, "query", echo["query"], "a=1&b=two")
	equal(t, "contentType", echo["contentType"], "application/json")
	equal(t, "body", echo["body"], `{"k":"v"}`)
	equal(t, "contentLength", echo["contentLength"], float64(9))
	equal(t, "X-Test", echo["xTest"], []any{"one"})

	r = expectStatus(t, s.get(t, "/status/201"), 201)
	equal(t, "body", string(r.Body), "status 201")
	equal(t, "X-Multi", strings.Join(r.Header.Values("X-Multi"), ", "), "a, b")
	r = expectStatus(t, s.get(t, "/status/204"), 204)
	equal(t, "204 body", string(r.Body), "")

	notFound := s.getJSON(t, "/no/such/route", 404).(map[string]any)
	equal(t, "error", notFound["error"], "no route for GET /no/such/route")
}

func (s *suite) env(t *testing.T) {
	env := s.getJSON(t, "/env", 200).(map[string]any)
	equal(t, "greeting", env["greeting"], "hello")
	equal(t, "config", env["config"], map[string]any{"region": "local", "limits": []any{1.0, 2.0, 3.0}})
	equal(t, "configErr", env["configErr"], "")
	equal(t, "missing", env["missing"], "")
	equal(t, "sandboxBinding", env["sandboxBinding"], "DurableObjectNamespace")
	equal(t, "d1Binding", env["d1Binding"], "D1Database") // d1.BindingKind
}

func (s *suite) rpcValues(t *testing.T) {
	equal(t, "add(2, 3)", s.call(t, "rpc", "add", 2, 3), 5.0)
	equal(t, "add(-7, 2)", s.call(t, "rpc", "add", -7, 2), -5.0)
	for _, v := range []any{
		"text", 1.5, 42.0, true, nil,
		[]any{1.0, "two", false},
		map[string]any{"a": 1.0, "nested": map[string]any{"b": []any{"c"}}},
	} {
		equal(t, fmt.Sprintf("echo(%#v)", v), s.call(t, "rpc", "echo", v), v)
	}
	equal(t, "concat", s.call(t, "rpc", "concat", []any{"a", "b", "c"}, "-"), "a-b-c")
	// A Map and a Set from JavaScript (@msgpack/msgpack alone would send
	// both as empty maps).
	equal(t, "echo(a Map)", s.call(t, "rpc", "echo", JSMap{"a": 1, "b": JSSet{"x"}}), map[string]any{"a": 1.0, "b": []any{"x"}})
	equal(t, "concat(a Set)", s.call(t, "rpc", "concat", JSSet{"a", "b"}, "-"), "a-b")
	// bigints: any size to a *big.Int and back; one that fits to an int64.
	huge, _ := new(big.Int).SetString("1180591620717411303424", 10) // 2^70
	equal(t, "twice(2n ** 70n)", s.call(t, "rpc", "twice", JSBigInt{huge}), "bigint 2361183241434822606848")
	equal(t, "twiceInt(5n)", s.call(t, "rpc", "twiceInt", JSBigInt{big.NewInt(5)}), 10.0)
	if e := s.callErr(t, "rpc", "twiceInt", JSBigInt{huge}); e.Name != "TypeError" {
		t.Errorf("twiceInt(2n ** 70n): %v, want a TypeError", e)
	}
	// Dates.
	equal(t, "nextDay(a Date)", s.call(t, "rpc", "nextDay", JSDate{time.UnixMilli(1700000000123)}), "date 2023-11-15T22:13:20.123Z")
	equal(t, "point", s.call(t, "rpc", "point", 1, 2), map[string]any{"x": 1.0, "y": 2.0})
	equal(t, "bytes", s.call(t, "rpc", "bytes", 3), []byte{0, 1, 2})
	equal(t, "nothing", s.call(t, "rpc", "nothing"), nil)
}

func (s *suite) rpcErrors(t *testing.T) {
	// The sandbox's compatibility date has enhanced_error_serialization
	// (2026-04-21): any name and the code cross Workers RPC. (Before it,
	// only the standard names did, another name became a prefix of the
	// message, and the code was lost; dotest reproduces both.)
	e := s.callErr(t, "rpc", "fail", "RangeError", "E_RANGE", "out of range")
	equal(t, "standard error", *e, JSError{Name: "RangeError", Message: "out of range", Code: "E_RANGE"})
	e = s.callErr(t, "rpc", "fail", "CustomError", "E_CUSTOM", "custom")
	equal(t, "custom error", *e, JSError{Name: "CustomError", Message: "custom", Code: "E_CUSTOM"})
	e = s.callErr(t, "rpc", "failPlain", "plain failure")
	equal(t, "plain error", *e, JSError{Name: "Error", Message: "plain failure"})

	e = s.callErr(t, "rpc", "panic")
	equal(t, "panic name", e.Name, "Error")
	contains(t, "panic message", e.Message, "Sandbox.Panic panicked: method panic on purpose")
	// The object survives its method's panic.
	equal(t, "add after panic", s.call(t, "rpc", "add", 1, 1), 2.0)

	e = s.callErr(t, "rpc", "big")
	equal(t, "unsafe integer name", e.Name, "TypeError")
	contains(t, "unsafe integer message", e.Message, "Sandbox.Big: cannot return its int64 result: integer outside JavaScript's safe range")

	e = s.callErr(t, "rpc", "add", "a", 1)
	equal(t, "wrong argument name", e.Name, "TypeError")
	contains(t, "wrong argument message", e.Message, "Sandbox.Add (JS add): argument 1 (int64): wrong type: want an integer, got a string")
	e = s.callErr(t, "rpc", "add", 1.5, 1)
	contains(t, "fraction argument", e.Message, "argument 1 (int64): wrong type: want an integer, got a number with a fraction")
	e = s.callErr(t, "rpc", "add", 1)
	contains(t, "missing argument", e.Message, "Sandbox.Add (JS add): takes 2 arguments (int64, int64), got 1")
	e = s.callErr(t, "rpc", "concat", "not an array", "-")
	contains(t, "non-array argument", e.Message, "Sandbox.Concat (JS concat): argument 1 ([]string)")

	e = s.callErr(t, "rpc", "noSuchMethod")
	equal(t, "unknown method", *e, JSError{Name: "TypeError", Message: `The RPC receiver does not implement the method "noSuchMethod".`})
}

func (s *suite) goCallsGo(t *testing.T) {
	// The arguments are escaped: workerd (1.20261117) answers a request
	// whose target has a raw '"' with 400 "invalid URI".
	args := func(v ...any) string {
		b, _ := json.Marshal(v)
		return "?args=" + url.QueryEscape(string(b))
	}
	r := s.getJSON(t, "/call/gocall/add"+args(20, 22), 200).(map[string]any)
	equal(t, "result", r["result"], 42.0)
	// Between Go objects, errors keep their name and code, which Workers
	// RPC alone would drop.
	r = s.getJSON(t, "/call/gocall/fail"+args("RangeError", "E_RANGE", "bad"), 200).(map[string]any)
	equal(t, "error", r["error"], map[string]any{"name": "RangeError", "message": "bad", "code": "E_RANGE"})
	r = s.getJSON(t, "/call/gocall/fail"+args("CustomError", "E_CUSTOM", "custom"), 200).(map[string]any)
	equal(t, "custom error", r["error"], map[string]any{"name": "CustomError", "message": "custom", "code": "E_CUSTOM"})
	r = s.getJSON(t, `/call/gocall/noSuchMethod`, 200).(map[string]any)
	equal(t, "unknown method", r["error"], map[string]any{"name": "TypeError", "message": `The RPC receiver does not implement the method "noSuchMethod".`, "code": ""})
	r = s.getJSON(t, "/call/gocall/add"+args("x", 1), 200).(map[string]any)
	contains(t, "bad argument", fmt.Sprint(r["error"]), "Sandbox.Add (JS add): argument 1 (int64)")
}

// Peer is the second Go Worker of the cross-script scenario: it hosts a
// class Plain of its own, which the sandbox binds as PEER_PLAIN
// (script_name "godurable-peer").
var Peer = GoWorker{"./internal/conformance/peer", "internal/conformance/peer/build", "internal/conformance/peer/wrangler.toml"}

// crossScript: a binding with a script_name reaches the class of another
// Go Worker, over RPC and fetch; the two Workers' classes of the same
// name are separate namespaces: other IDs for the same name, other
// storage.
func (s *suite) crossScript(t *testing.T) {
	call := func(binding, method string) any {
		r := s.getJSON(t, "/call/x/"+method+"?binding="+binding, 200).(map[string]any)
		if r["error"] != nil {
			t.Fatalf("%s.%s: %v", binding, method, r["error"])
		}
		return r["result"]
	}
	peer, _ := call("PEER_PLAIN", "whoami").(map[string]any)
	local, _ := call("PLAIN", "whoami").(map[string]any)
	equal(t, "the peer's object", map[string]any{"script": peer["script"], "name": peer["name"]}, map[string]any{"script": "godurable-peer", "name": "x"})
	equal(t, "the sandbox's object", map[string]any{"script": local["script"], "name": local["name"]}, map[string]any{"script": "godurable-sandbox", "name": "x"})
	if peer["id"] == local["id"] {
		t.Errorf("the same name has the same ID %v in both Workers' namespaces", peer["id"])
	}
	equal(t, "the peer's ID", peer["id"], s.getJSON(t, "/ids/PEER_PLAIN/name?name=x", 200).(map[string]any)["id"])
	counts := []any{call("PEER_PLAIN", "count"), call("PEER_PLAIN", "count"), call("PLAIN", "count")}
	equal(t, "counts of the peer's x, twice, then the sandbox's x", counts, []any{1.0, 2.0, 1.0})
	equal(t, "fetch of the peer's object", s.get(t, "/xfetch/PEER_PLAIN/x").Body, []byte("godurable-peer's x: GET /hello"))
}

func (s *suite) outbound(t *testing.T) {
	want := map[string]any{"status": 200.0, "body": "GET /x from=godurable", "header": "upstream"}
	equal(t, "from the Worker", s.getJSON(t, "/fetch?url="+s.upstream+"/x", 200), want)
	want["body"] = "GET /y from=godurable"
	equal(t, "from an object", s.getJSON(t, "/do/outbound/fetch?url="+s.upstream+"/y", 200), want)

	many := s.getJSON(t, "/fetch-many?n=8&url="+s.upstream+"/many", 200).([]any)
	for i, got := range many {
		equal(t, fmt.Sprintf("fetch %d of 8", i), got, fmt.Sprintf("GET /many?i=%d from=", i))
	}

	// Requests from several events at once, each fetching for itself.
	var wg sync.WaitGroup
	for i := range 6 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			path := fmt.Sprintf("/fetch?url=%s/c%d", s.upstream, i)
			if i%2 == 1 {
				path = fmt.Sprintf("/do/outbound%d/fetch?url=%s/c%d", i, s.upstream, i)
			}
			r := s.getJSON(t, path, 200).(map[string]any)
			equal(t, "concurrent fetch body", r["body"], fmt.Sprintf("GET /c%d from=godurable", i))
		}()
	}
	wg.Wait()

	r := s.getJSON(t, "/fetch-no-context?url="+s.upstream, 200).(map[string]any)
	equal(t, "fetch without an event", r["error"], "godurable: the context does not belong to an event; pass the request's Context() or the ctx given to the method")
}

func (s *suite) timers(t *testing.T) {
	equal(t, "time.Sleep", s.getJSON(t, "/sleep?ms=30", 200), map[string]any{"atLeast": true})
	equal(t, "worker.Sleep", s.getJSON(t, "/sleep?ms=30&how=worker", 200), map[string]any{"atLeast": true})
	equal(t, "nap", s.call(t, "timers", "nap", 20), 20.0)
}

func (s *suite) kv(t *testing.T) {
	put := func(key, value string) {
		t.Helper()
		expectStatus(t, s.do(t, "PUT", "/do/kv/kv/"+key, "application/json", []byte(value)), 204)
	}
	for _, k := range []string{"b", "a", "c1", "c2", "d"} {
		put(k, fmt.Sprintf(`{"key":%q}`, k))
	}
	put("num", `12.5`)
	equal(t, "get", s.getJSON(t, "/do/kv/kv/a", 200), map[string]any{"key": "a"})
	equal(t, "get number", s.getJSON(t, "/do/kv/kv/num", 200), 12.5)
	expectStatus(t, s.get(t, "/do/kv/kv/missing"), 404)

	keys := func(query string) []any {
		t.Helper()
		var out []any
		for _, e := range s.getJSON(t, "/do/kv/kv?"+query, 200).([]any) {
			out = append(out, e.([]any)[0])
		}
		return out
	}
	// "constructed" is the object's own bookkeeping key.
	equal(t, "list all", keys(""), []any{"a", "b", "c1", "c2", "constructed", "d", "num"})
	equal(t, "list prefix", keys("prefix=c"), []any{"c1", "c2", "constructed"})
	equal(t, "list start end", keys("start=b&end=d"), []any{"b", "c1", "c2", "constructed"})
	equal(t, "list startAfter", keys("startAfter=c2&limit=2"), []any{"constructed", "d"})
	equal(t, "list reverse limit", keys("reverse=true&limit=3"), []any{"num", "d", "constructed"})

	equal(t, "delete", s.getJSONMethod(t, "DELETE", "/do/kv/kv/a"), map[string]any{"existed": true})
	equal(t, "delete again", s.getJSONMethod(t, "DELETE", "/do/kv/kv/a"), map[string]any{"existed": false})
	expectStatus(t, s.get(t, "/do/kv/kv/a"), 404)
}

func (s *suite) getJSONMethod(t testing.TB, method, path string) any {
	t.Helper()
	return decodeJSON(t, expectStatus(t, s.do(t, method, path, "", nil), 200))
}

// SQL runs a statement through the sandbox object name and returns the
// decoded result, or the error message and false.
func (s *suite) sqlExec(t testing.TB, name, query string, args ...any) (map[string]any, string) {
	t.Helper()
	if args == nil {
		args = []any{}
	}
	body, _ := json.Marshal(map[string]any{"query": query, "args": args})
	r := s.do(t, "POST", "/do/"+name+"/sql", "application/json", body)
	v := decodeJSON(t, r).(map[string]any)
	if r.Status != 200 {
		msg, _ := v["error"].(string)
		return nil, msg
	}
	return v, ""
}

func (s *suite) sql(t *testing.T) {
	mustExec := func(query string, args ...any) map[string]any {
		t.Helper()
		v, msg := s.sqlExec(t, "sql", query, args...)
		if msg != "" {
			t.Fatalf("%s: %s", query, msg)
		}
		return v
	}
	mustExec(`CREATE TABLE IF NOT EXISTS notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL, score REAL, data BLOB)`)
	mustExec(`DELETE FROM notes`)
	ins := mustExec(`INSERT INTO notes (id, body, score) VALUES (?, ?, ?), (?, ?, ?)`, 1, "one", 1.5, 2, "two", 2)
	equal(t, "rowsWritten", ins["rowsWritten"], 2.0)
	sel := mustExec(`SELECT id, body, score, data FROM notes ORDER BY id`)
	equal(t, "columns", sel["columns"], []any{"id", "body", "score", "data"})
	// A REAL that is integral comes back as an integer, as in JavaScript.
	equal(t, "rows", sel["rows"], []any{[]any{1.0, "one", 1.5, nil}, []any{2.0, "two", 2.0, nil}})
	equal(t, "rowsRead", sel["rowsRead"], 2.0)
	cnt := mustExec(`SELECT count(*) AS n FROM notes WHERE score > ?`, 1)
	equal(t, "count", cnt["rows"], []any{[]any{2.0}})

	_, msg := s.sqlExec(t, "sql", `SELEKT 1`)
	contains(t, "syntax error", msg, "syntax error")
	_, msg = s.sqlExec(t, "sql", `SELECT * FROM no_such_table`)
	contains(t, "missing table", msg, "no such table: no_such_table")
	_, msg = s.sqlExec(t, "sql", `INSERT INTO notes (id, body) VALUES (1, 'dup')`)
	contains(t, "constraint", msg, "UNIQUE constraint failed: notes.id")
	_, msg = s.sqlExec(t, "sql", `INSERT INTO notes (id) VALUES (9)`)
	contains(t, "not null", msg, "NOT NULL constraint failed: notes.body")
}

func (s *suite) turns(t *testing.T) {
	const n = 40
	var wg sync.WaitGroup
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s.call(t, "turns", "incr", "hits")
		}()
	}
	wg.Wait()
	equal(t, "hits after concurrent incr", s.call(t, "turns", "incr", "hits"), float64(n+1))
}

var hexID = regexp.MustCompile(`^[0-9a-f]{64}$`)

func (s *suite) identity(t *testing.T) {
	who := s.call(t, "alice", "whoami").(map[string]any)
	equal(t, "name", who["name"], "alice")
	equal(t, "class", who["class"], "Sandbox")
	if id, _ := who["id"].(string); !hexID.MatchString(id) {
		t.Errorf("id = %q, want 64 hex digits", id)
	}
	again := s.getJSON(t, "/do/alice/whoami", 200).(map[string]any)
	equal(t, "same object over HTTP", again["id"], who["id"])
	other := s.call(t, "bob", "whoami").(map[string]any)
	if other["id"] == who["id"] {
		t.Errorf("alice and bob share the id %v", who["id"])
	}
}

func (s *suite) panicAndTrap(t *testing.T) {
	expectStatus(t, s.get(t, "/panic"), 500)
	expectStatus(t, s.get(t, "/hello"), 200)

	before := s.call(t, "trap", "whoami").(map[string]any)["constructed"].(float64)
	s.call(t, "trap", "incr", "kept")
	expectStatus(t, s.get(t, "/trap"), 500)
	// A fresh instance serves the next events; the object is rebuilt from
	// its storage, which the crash did not touch.
	expectStatus(t, s.get(t, "/hello"), 200)
	after := s.call(t, "trap", "whoami").(map[string]any)["constructed"].(float64)
	equal(t, "constructions after the trap", after, before+1)
	equal(t, "storage after the trap", s.call(t, "trap", "incr", "kept"), 2.0)
}

func (s *suite) restart(t *testing.T) {
	s.call(t, "restart", "incr", "kept")
	before := s.call(t, "restart", "whoami").(map[string]any)
	sock := s.sandboxSocket(t, "restart", "tags=old")
	command(t, sock, map[string]any{"op": "echo", "text": "before"})
	s.target.Restart(t)
	after := s.call(t, "restart", "whoami").(map[string]any)
	equal(t, "id after restart", after["id"], before["id"])
	equal(t, "constructions after restart", after["constructed"], before["constructed"].(float64)+1)
	equal(t, "storage after restart", s.call(t, "restart", "incr", "kept"), 2.0)
	// A restart drops every connection: the socket's client sees it go
	// (not a clean close), and the object has no socket left but new ones.
	ctx, cancel := context.WithTimeout(context.Background(), chatTimeout)
	defer cancel()
	if m, err := sock.Receive(ctx); err == nil {
		t.Errorf("the socket after the restart received %q", m.Data)
	} else if errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("the socket stayed open across the restart: %v", err)
	} else if ce, ok := err.(*ws.CloseError); ok && ce.WasClean {
		t.Errorf("the socket after the restart closed cleanly: %v", ce)
	}
	fresh := s.sandboxSocket(t, "restart", "tags=new")
	who := command(t, fresh, map[string]any{"op": "whoami"})
	equal(t, "the object's sockets after the restart", command(t, fresh, map[string]any{"op": "list"})["ids"], []any{who["id"]})
	fresh.Close(1000, "done")
}
