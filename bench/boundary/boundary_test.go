// Package boundary holds micro-benchmarks of what the Go side of the
// godurable boundary does for one event, measured without workerd, so
// that a regression in encoding or dispatch shows up in `go test -bench`.
// They drive the real guest runtime (internal/rt: the exports, the event
// goroutine pool, the turns, the method table, the storage package and
// worker.Stub) through a fake host (fakeHost, the hostcall.Host a test
// installs); the host's own side (the JS shim) is not part of them.
//
//	go test -run '^$' -bench . -benchmem ./bench/boundary
//
// The same benchmarks run as wasip1 in Node's V8 when built with the tag
// godurable_fakehost (godurable-bench does this), which swaps the wasm
// imports for the fake host.
package boundary

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"testing"

	"github.com/godurable/godurable/durableobject"
	"github.com/godurable/godurable/internal/abi"
	"github.com/godurable/godurable/internal/hostcall"
	"github.com/godurable/godurable/worker"
)

// counter is examples/counter's Counter: the same storage calls.
type counter struct{ state *durableobject.State }

func (c *counter) Increment(by int64) (int64, error) {
	var n int64
	if _, err := c.state.Storage.KV.Get("value", &n); err != nil {
		return 0, err
	}
	n += by
	if err := c.state.Storage.KV.Put("value", n); err != nil {
		return 0, err
	}
	if _, err := c.state.Storage.SQL.Exec(`INSERT INTO history (by) VALUES (?)`, by); err != nil {
		return 0, err
	}
	return n, nil
}

// Noop is the cost of an RPC call alone.
func (c *counter) Noop() {}

func init() {
	durableobject.Register("Counter", func(s *durableobject.State, env *worker.Env) (*counter, error) {
		return &counter{state: s}, nil
	})
	mux := http.NewServeMux()
	mux.HandleFunc("POST /counter/{name}/increment", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{"name": r.PathValue("name"), "value": int64(42)})
	})
	mux.HandleFunc("POST /call", func(w http.ResponseWriter, r *http.Request) {
		env, err := worker.GetEnv()
		if err != nil {
			http.Error(w, err.Error(), 500)
			return
		}
		ns, err := env.DurableObject("COUNTER")
		if err != nil {
			http.Error(w, err.Error(), 500)
			return
		}
		var v int64
		if err := ns.GetByName("hot").Call(r.Context(), "increment", &v, 1); err != nil {
			http.Error(w, err.Error(), 500)
			return
		}
		fmt.Fprint(w, v)
	})
	worker.Handle(mux)
}

var host = newFakeHost()

func TestMain(m *testing.M) {
	hostcall.SetHost(host)
	os.Exit(m.Run())
}

// methodIndex returns the index of the RPC method of class Counter.
func methodIndex(tb testing.TB, jsName string) uint32 {
	var m abi.Manifest
	if err := abi.Unmarshal(hostcall.Handlers.Manifest(), &m); err != nil {
		tb.Fatal(err)
	}
	for _, c := range m.Classes {
		for i, meth := range c.Methods {
			if c.Name == "Counter" && meth.JSName == jsName {
				return uint32(i)
			}
		}
	}
	tb.Fatalf("Counter has no RPC method %s", jsName)
	return 0
}

// TestFakeHost checks the benchmarks' events end as they should, so that
// they measure the path they claim to.
func TestFakeHost(t *testing.T) {
	host.reset()
	increment := methodIndex(t, "increment")
	if out := host.event(t, abi.EventObjectCall, 1, increment, []byte{0x91, 0x01}); string(out) != "\x01" {
		t.Errorf("increment(1) = %x", out)
	}
	host.calls = nil // the first event also built the object, which read the environment
	if out := host.event(t, abi.EventObjectCall, 1, increment, []byte{0x91, 0x02}); string(out) != "\x03" {
		t.Errorf("increment(2) = %x", out)
	}
	if got := host.callNames(); got != "kv.get kv.put sql.exec" {
		t.Errorf("increment made the host calls %s", got)
	}
	out := host.event(t, abi.EventWorkerFetch, 0, 0, fetchRequest(t, "/counter/hot/increment"))
	var resp abi.Response
	if err := abi.Unmarshal(out, &resp); err != nil || resp.Status != 200 || string(resp.Body) != `{"name":"hot","value":42}`+"\n" {
		t.Errorf("fetch = %+v, %v", resp, err)
	}
	out = host.event(t, abi.EventWorkerFetch, 0, 0, fetchRequest(t, "/call"))
	if err := abi.Unmarshal(out, &resp); err != nil || resp.Status != 200 || string(resp.Body) != "42" {
		t.Errorf("fetch /call = %d %q, %v", resp.Status, resp.Body, err)
	}
}

// BenchmarkRPCCallee is one RPC call into a Go Durable Object as the guest
// handles it: the event export, the pooled goroutine, the object's turn,
// decoding the argument into the parameter's type, the call through the
// method table, encoding the result and completing the event.
func BenchmarkRPCCallee(b *testing.B) {
	host.reset()
	index := methodIndex(b, "noop")
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		host.event(b, abi.EventObjectCall, 1, index, []byte{0x90})
	}
}

// BenchmarkIncrement is Counter.Increment(1) called over RPC: the callee's
// event path and its three storage calls (KV get, KV put, SQL insert),
// which the fake host answers as workerd would.
func BenchmarkIncrement(b *testing.B) {
	host.reset()
	index := methodIndex(b, "increment")
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		host.event(b, abi.EventObjectCall, 1, index, []byte{0x91, 0x01})
	}
}

// BenchmarkStubCallCaller is a stateless Worker's request that calls a
// Durable Object's RPC method with worker.Stub.Call, as examples/counter's
// Worker does for every POST .../increment: the fetch event, the async
// operation, its resumption with the result, and the response.
func BenchmarkStubCallCaller(b *testing.B) {
	host.reset()
	payload := fetchRequest(b, "/call")
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		host.event(b, abi.EventWorkerFetch, 0, 0, payload)
	}
}

// BenchmarkWorkerFetch is one HTTP request to a stateless Go Worker as the
// guest handles it: the event, the *http.Request, routing with a ServeMux,
// the recorded response and its encoding.
func BenchmarkWorkerFetch(b *testing.B) {
	host.reset()
	payload := fetchRequest(b, "/counter/hot/increment")
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		host.event(b, abi.EventWorkerFetch, 0, 0, payload)
	}
}

func fetchRequest(tb testing.TB, path string) []byte {
	b, err := abi.Marshal(&abi.Request{
		Method: "POST",
		URL:    "http://127.0.0.1:8787" + path,
		Headers: [][2]string{
			{"accept", "*/*"}, {"accept-encoding", "gzip, br"}, {"cf-connecting-ip", "127.0.0.1"},
			{"host", "127.0.0.1:8787"}, {"user-agent", "Go-http-client/1.1"},
		},
	})
	if err != nil {
		tb.Fatal(err)
	}
	return b
}
