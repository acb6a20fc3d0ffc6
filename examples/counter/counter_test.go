package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"sync"
	"testing"

	"github.com/godurable/godurable/durableobject/dotest"
	"github.com/godurable/godurable/internal/stubgen"
	"github.com/godurable/godurable/worker"
)

// The counter's whole contract, run on the real module under dotest, with
// the environment of the repository's wrangler.toml (binding COUNTER).

type value struct {
	Name  string `json:"name"`
	Value int64  `json:"value"`
}

func getJSON(t *testing.T, w *dotest.Worker, method, path string, wantStatus int, into any) {
	t.Helper()
	resp := w.Fetch(httptest.NewRequest(method, path, nil))
	defer resp.Body.Close()
	if resp.StatusCode != wantStatus {
		t.Fatalf("%s %s: status %d, want %d", method, path, resp.StatusCode, wantStatus)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("%s %s: Content-Type %q, want application/json", method, path, ct)
	}
	if err := json.NewDecoder(resp.Body).Decode(into); err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
}

func expectValue(t *testing.T, w *dotest.Worker, method, path, name string, want int64) {
	t.Helper()
	var v value
	getJSON(t, w, method, path, http.StatusOK, &v)
	if v != (value{name, want}) {
		t.Errorf("%s %s = %+v, want {%s %d}", method, path, v, name, want)
	}
}

func expectError(t *testing.T, w *dotest.Worker, path, want string) {
	t.Helper()
	var e struct{ Error string }
	getJSON(t, w, "POST", path, http.StatusBadRequest, &e)
	if e.Error != want {
		t.Errorf("POST %s: error %q, want %q", path, e.Error, want)
	}
}

func TestHTTPContract(t *testing.T) {
	w := dotest.New(t, nil)
	expectValue(t, w, "GET", "/counter/a", "a", 0)
	expectValue(t, w, "POST", "/counter/a/increment", "a", 1)
	expectValue(t, w, "POST", "/counter/a/increment?by=5", "a", 6)
	expectValue(t, w, "GET", "/counter/a", "a", 6)
	expectValue(t, w, "GET", "/counter/b", "b", 0)

	expectError(t, w, "/counter/a/increment?by=x", `by must be an integer, got "x"`)
	expectError(t, w, "/counter/a/increment?by=1.5", `by must be an integer, got "1.5"`)
	expectError(t, w, "/counter/a/increment?by=0", "by must be a positive integer")
	expectError(t, w, "/counter/a/increment?by=-2", "by must be a positive integer")
	expectValue(t, w, "GET", "/counter/a", "a", 6)

	var history []map[string]int64
	getJSON(t, w, "GET", "/counter/a/history", http.StatusOK, &history)
	if fmt.Sprint(history) != "[map[by:1] map[by:5]]" {
		t.Errorf("history = %v, want [{by:1} {by:5}]", history)
	}
	getJSON(t, w, "GET", "/counter/new/history", http.StatusOK, &history)
	if len(history) != 0 {
		t.Errorf("history of a new counter = %v, want []", history)
	}

	var notFound struct{ Error string }
	getJSON(t, w, "GET", "/nowhere", http.StatusNotFound, &notFound)
	if notFound.Error != "no route for GET /nowhere" {
		t.Errorf("unknown route: %q", notFound.Error)
	}
}

func TestRPC(t *testing.T) {
	w := dotest.New(t, nil)
	// The typed stub of the Worker's own code wraps the harness's object.
	c := NewCounterStub(w.Object("COUNTER", "rpc"))
	if n, err := c.Increment(t.Context(), 3); err != nil || n != 3 {
		t.Fatalf("Increment(3) = %d, %v; want 3", n, err)
	}
	if n, err := c.Get(t.Context()); err != nil || n != 3 {
		t.Fatalf("Get() = %d, %v; want 3", n, err)
	}
	// The HTTP routes and RPC reach the same object.
	expectValue(t, w, "POST", "/counter/rpc/increment?by=2", "rpc", 5)
	if steps, err := c.History(t.Context()); err != nil || fmt.Sprint(steps) != "[{3} {2}]" {
		t.Errorf("History() = %v, %v; want [{3} {2}]", steps, err)
	}

	for _, by := range []int64{0, -1} {
		_, err := c.Increment(t.Context(), by)
		var we *worker.Error
		if !errors.As(err, &we) {
			t.Fatalf("Increment(%d): %v, want a *worker.Error", by, err)
		}
		// A JavaScript caller over RPC gets a RangeError with its code
		// (wrangler.toml's compatibility date has workerd's
		// enhanced_error_serialization, 2026-04-21).
		if we.Name != "RangeError" || we.Message != "by must be a positive integer" || we.Code != "E_NOT_POSITIVE" {
			t.Errorf("Increment(%d): %+v", by, we)
		}
	}
	// A wrong argument type does not compile with the typed stub; the
	// untyped Call finds it at run time.
	var n int64
	err := w.Object("COUNTER", "rpc").Call(t.Context(), "increment", &n, "two")
	var we *worker.Error
	if !errors.As(err, &we) || we.Name != "TypeError" {
		t.Errorf("increment(\"two\") = %v, want a TypeError", err)
	}
	if n, err := c.Get(t.Context()); err != nil || n != 5 {
		t.Errorf("Get() after the errors = %d, %v; want 5", n, err)
	}
}

// TestStubs: counter_stub.go and counter.d.ts are what go generate writes
// for the code as it is.
func TestStubs(t *testing.T) {
	goSrc, ts, err := stubgen.Generate(t.Context(), stubgen.Request{
		Dir: ".", Pkg: ".", GoFile: "counter_stub.go", TS: true, Bindings: map[string]string{"COUNTER": "Counter"},
	})
	if err != nil {
		t.Fatal(err)
	}
	for file, want := range map[string][]byte{"counter_stub.go": goSrc, "counter.d.ts": ts} {
		if got, err := os.ReadFile(file); err != nil || !bytes.Equal(got, want) {
			t.Errorf("%s is stale (%v): run go generate", file, err)
		}
	}
}

func TestStorage(t *testing.T) {
	w := dotest.New(t, nil)
	expectValue(t, w, "POST", "/counter/s/increment?by=4", "s", 4)
	expectValue(t, w, "POST", "/counter/s/increment?by=6", "s", 10)

	// The test reads the object's storage with the object's own API.
	st := w.Object("COUNTER", "s").Storage()
	var stored int64
	if ok, err := st.KV.Get("value", &stored); !ok || err != nil || stored != 10 {
		t.Errorf("KV value = %d, %v, %v; want 10", stored, ok, err)
	}
	cur, err := st.SQL.Exec(`SELECT by FROM history ORDER BY seq`)
	if err != nil {
		t.Fatal(err)
	}
	var bys []int64
	for cur.Next() {
		var by int64
		if err := cur.Scan(&by); err != nil {
			t.Fatal(err)
		}
		bys = append(bys, by)
	}
	if fmt.Sprint(bys) != "[4 6]" {
		t.Errorf("history table = %v, want [4 6]", bys)
	}

	// Storage seeded by the test is what the object reads.
	seed := w.Object("COUNTER", "seeded")
	if err := seed.Storage().KV.Put("value", int64(41)); err != nil {
		t.Fatal(err)
	}
	expectValue(t, w, "POST", "/counter/seeded/increment", "seeded", 42)
}

func TestConcurrentIncrements(t *testing.T) {
	w := dotest.New(t, nil)
	const n = 200
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var v int64
			var err error
			if i%2 == 0 {
				err = w.Object("COUNTER", "busy").Call(t.Context(), "increment", &v, 1)
			} else {
				resp := w.Fetch(httptest.NewRequest("POST", "/counter/busy/increment", nil))
				if resp.StatusCode != http.StatusOK {
					err = fmt.Errorf("status %d", resp.StatusCode)
				}
			}
			if err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	expectValue(t, w, "GET", "/counter/busy", "busy", n)
	var count, sum int64
	cur, err := w.Object("COUNTER", "busy").Storage().SQL.Exec(`SELECT count(*), sum(by) FROM history`)
	if err == nil {
		err = cur.One(&count, &sum)
	}
	if err != nil || count != n || sum != n {
		t.Errorf("history = %d rows summing to %d, %v; want 200 rows of 1", count, sum, err)
	}
}

func TestSurvivesRestartEvictionAndCrash(t *testing.T) {
	w := dotest.New(t, nil)
	c := w.Object("COUNTER", "durable")
	expectValue(t, w, "POST", "/counter/durable/increment?by=7", "durable", 7)
	if !c.Live() {
		t.Fatal("the object is not live after an event")
	}

	// Eviction drops the Go object; the next event rebuilds it from storage.
	if !c.Evict() || c.Live() {
		t.Fatal("Evict did not drop the object")
	}
	expectValue(t, w, "POST", "/counter/durable/increment", "durable", 8)

	// A restart of the isolate keeps storage.
	w.Restart()
	if c.Live() {
		t.Fatal("the object is live after a restart")
	}
	expectValue(t, w, "GET", "/counter/durable", "durable", 8)

	// A crash of the Go instance loses no storage either.
	if !w.Crash() {
		t.Fatal("no instance to crash")
	}
	var n int64
	if err := c.Call(t.Context(), "increment", &n, 2); err != nil || n != 10 {
		t.Fatalf("increment after a crash = %d, %v; want 10", n, err)
	}
	var history []map[string]int64
	getJSON(t, w, "GET", "/counter/durable/history", http.StatusOK, &history)
	if fmt.Sprint(history) != "[map[by:7] map[by:1] map[by:2]]" {
		t.Errorf("history = %v", history)
	}
}

func TestStorageFailure(t *testing.T) {
	w := dotest.New(t, nil)
	expectValue(t, w, "POST", "/counter/f/increment", "f", 1)
	w.SetStorageFault(func(op dotest.StorageOp) error {
		if op.Op == "sql.exec" {
			return errors.New("disk on fire")
		}
		return nil
	})
	// The KV write succeeds, the history insert fails: the error reaches
	// the client as a 500 with the message.
	resp := w.Fetch(httptest.NewRequest("POST", "/counter/f/increment", nil))
	var e struct{ Error string }
	json.NewDecoder(resp.Body).Decode(&e)
	if resp.StatusCode != http.StatusInternalServerError || e.Error != "storage: sql: disk on fire" {
		t.Errorf("increment with a failing SQL: %d %q", resp.StatusCode, e.Error)
	}
	w.SetStorageFault(nil)
	expectValue(t, w, "POST", "/counter/f/increment", "f", 3)
}

func TestIDs(t *testing.T) {
	w := dotest.New(t, nil)
	// The same IDs as wrangler dev gives the Worker godurable-counter.
	if id := w.IDFromName("COUNTER", "a"); id != "b4d376010b6364b9ce6bfc6a01c15d2af4235093a585e16115e4130457b038d6" {
		t.Errorf("IDFromName(a) = %s", id)
	}
	byID, err := w.ObjectByID("COUNTER", w.IDFromName("COUNTER", "x"))
	if err != nil {
		t.Fatal(err)
	}
	var n int64
	if err := byID.Call(t.Context(), "increment", &n, 1); err != nil || n != 1 {
		t.Fatal(n, err)
	}
	expectValue(t, w, "GET", "/counter/x", "x", 1)
}
