package conformance

import (
	"fmt"
	"net/http"
	"slices"
	"sync"
	"testing"
)

// RunCounter checks the contract of examples/counter against target: its
// scenarios Contract, ConcurrentIncrements, JavaScriptCallers and
// Restart, or only those named in only.
func RunCounter(t *testing.T, target Target, only ...string) {
	s := &suite{target: target}
	run := func(name string, f func(t *testing.T)) {
		if len(only) > 0 && !slices.Contains(only, name) {
			return
		}
		t.Run(name, f)
	}
	counter := func(t testing.TB, method, path string, status int) any {
		t.Helper()
		return decodeJSON(t, expectStatus(t, s.do(t, method, path, "", nil), status))
	}
	value := func(name string, v float64) map[string]any {
		return map[string]any{"name": name, "value": v}
	}

	run("Contract", func(t *testing.T) {
		equal(t, "new counter", counter(t, "GET", "/counter/contract", 200), value("contract", 0))
		equal(t, "increment", counter(t, "POST", "/counter/contract/increment", 200), value("contract", 1))
		equal(t, "increment by 5", counter(t, "POST", "/counter/contract/increment?by=5", 200), value("contract", 6))
		equal(t, "get", counter(t, "GET", "/counter/contract", 200), value("contract", 6))
		bad := counter(t, "POST", "/counter/contract/increment?by=x", 400).(map[string]any)
		contains(t, "non-integer by", fmt.Sprint(bad["error"]), `by must be an integer, got "x"`)
		bad = counter(t, "POST", "/counter/contract/increment?by=-2", 400).(map[string]any)
		contains(t, "negative by", fmt.Sprint(bad["error"]), "by must be a positive integer")
		equal(t, "history", counter(t, "GET", "/counter/contract/history", 200),
			[]any{map[string]any{"by": 1.0}, map[string]any{"by": 5.0}})
		equal(t, "other counters are separate", counter(t, "GET", "/counter/other", 200), value("other", 0))
		equal(t, "history of a new counter", counter(t, "GET", "/counter/fresh/history", 200), []any{})
	})

	run("ConcurrentIncrements", func(t *testing.T) {
		const n = 200
		var wg sync.WaitGroup
		sem := make(chan struct{}, 50)
		for range n {
			wg.Add(1)
			sem <- struct{}{}
			go func() {
				defer wg.Done()
				defer func() { <-sem }()
				r := s.do(t, "POST", "/counter/hot/increment", "", nil)
				if r.Status != http.StatusOK {
					t.Errorf("increment: status %d: %s", r.Status, r.Body)
				}
			}()
		}
		wg.Wait()
		equal(t, "after 200 concurrent increments", counter(t, "GET", "/counter/hot", 200), value("hot", n))
	})

	run("JavaScriptCallers", func(t *testing.T) {
		v, err := target.Call(t, "COUNTER", "rpc", "increment", 5)
		if err != nil {
			t.Fatal(err)
		}
		equal(t, "increment(5)", v, 5.0)
		v, err = target.Call(t, "COUNTER", "rpc", "get")
		if err != nil {
			t.Fatal(err)
		}
		equal(t, "get()", v, 5.0)
		for _, by := range []any{0, -3} {
			_, err = target.Call(t, "COUNTER", "rpc", "increment", by)
			if err == nil {
				t.Fatalf("increment(%v) succeeded", by)
			}
			equal(t, fmt.Sprintf("increment(%v) error", by), *err, JSError{Name: "RangeError", Message: "by must be a positive integer", Code: "E_NOT_POSITIVE"})
		}
		_, err = target.Call(t, "COUNTER", "rpc", "increment", "5")
		if err == nil || err.Name != "TypeError" {
			t.Errorf("increment(\"5\") error = %v, want a TypeError", err)
		}
		v, err = target.Call(t, "COUNTER", "rpc", "history")
		if err != nil {
			t.Fatal(err)
		}
		equal(t, "history()", v, []any{map[string]any{"by": 5.0}})
	})

	run("Restart", func(t *testing.T) {
		counter(t, "POST", "/counter/durable/increment?by=7", 200)
		target.Restart(t)
		equal(t, "after restart", counter(t, "GET", "/counter/durable", 200), value("durable", 7))
		equal(t, "history after restart", counter(t, "GET", "/counter/durable/history", 200), []any{map[string]any{"by": 7.0}})
	})
}
