// Package boundary holds micro-benchmarks of what the Go side of the
// godurable boundary does for one event, measured on the host without
// workerd, so that a regression in encoding or dispatch shows up in
// `go test -bench`. They run the same functions the guest runs (internal/abi,
// internal/rt), in the order the guest runs them; the host calls
// themselves (the JS side) are not part of them.
//
//	go test -run '^$' -bench . -benchmem ./bench/boundary
package boundary

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"reflect"
	"testing"

	"github.com/godurable/godurable/internal/abi"
	"github.com/godurable/godurable/internal/rt"
	"github.com/vmihailenco/msgpack/v5"
)

// counter stands for examples/counter's Counter, without storage.
type counter struct{ value int64 }

func (c *counter) Increment(by int64) (int64, error) {
	c.value += by
	return c.value, nil
}

// callEvent is the payload the shim sends for stub.increment(1) on an
// object: what ExportEvent receives.
func callEvent(b *testing.B) []byte {
	args, err := abi.EncodeValue([]any{1})
	if err != nil {
		b.Fatal(err)
	}
	ev, err := abi.Marshal(&abi.Event{
		Kind:   abi.EventObjectCall,
		Object: &abi.ObjectRef{Handle: 7, Class: "Counter", ID: "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", Name: "hot"},
		Method: "Increment",
		Args:   args,
	})
	if err != nil {
		b.Fatal(err)
	}
	return ev
}

// BenchmarkRPCCallee is one RPC call into a Go Durable Object as the guest
// handles it: decode the event, decode the argument into the parameter's
// type, call the method through reflection, encode the result and check
// that JavaScript can hold it.
func BenchmarkRPCCallee(b *testing.B) {
	payload := callEvent(b)
	obj := &counter{}
	m, ok := reflect.TypeOf(obj).MethodByName("Increment")
	if !ok {
		b.Fatal("no Increment")
	}
	param := m.Type.In(1)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		var msg abi.Event
		if err := abi.Unmarshal(payload, &msg); err != nil {
			b.Fatal(err)
		}
		dec := msgpack.NewDecoder(bytes.NewReader(msg.Args))
		n, err := dec.DecodeArrayLen()
		if err != nil || n != 1 {
			b.Fatal(n, err)
		}
		raw, err := dec.DecodeRaw()
		if err != nil {
			b.Fatal(err)
		}
		arg, err := rt.DecodeArg(raw, param)
		if err != nil {
			b.Fatal(err)
		}
		out := reflect.ValueOf(obj).Method(m.Index).Call([]reflect.Value{arg})
		if e, _ := out[1].Interface().(error); e != nil {
			b.Fatal(e)
		}
		res, err := abi.EncodeValue(out[0].Interface())
		if err == nil {
			err = abi.CheckJSSafe(res)
		}
		if err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkStubCallCaller is the Go caller's side of stub.Call(ctx,
// "increment", &v, by), as examples/counter's Worker does for every
// POST .../increment: encode and check the arguments, encode the request,
// decode the result.
func BenchmarkStubCallCaller(b *testing.B) {
	result, _ := abi.EncodeValue(int64(42))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		args := []any{int64(1)}
		raw, err := abi.EncodeValue(args)
		if err == nil {
			err = abi.CheckJSSafe(raw)
		}
		if err != nil {
			b.Fatal(err)
		}
		req, err := abi.Marshal(&abi.StubCall{Target: abi.StubTarget{Binding: "COUNTER", Name: "hot"}, Method: rt.JSName("increment"), Args: raw})
		if err != nil || len(req) == 0 {
			b.Fatal(err)
		}
		var v int64
		if err := abi.DecodeValue(result, &v); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkIncrementStorage is the Go side of the three storage calls of
// Counter.Increment (KV get, KV put, SQL insert): encode each request and
// decode each result.
func BenchmarkIncrementStorage(b *testing.B) {
	stored, _ := abi.EncodeValue(int64(41))
	sqlResult, _ := abi.Marshal(&abi.SQLResult{Columns: []string{}, Rows: [][]any{}, RowsWritten: 1})
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := abi.Marshal(&abi.KVKey{Key: "value"}); err != nil {
			b.Fatal(err)
		}
		var v int64
		if err := abi.DecodeValue(stored, &v); err != nil {
			b.Fatal(err)
		}
		v++
		raw, err := abi.EncodeValue(v)
		if err == nil {
			err = abi.CheckJSSafe(raw)
		}
		if err != nil {
			b.Fatal(err)
		}
		if _, err := abi.Marshal(&abi.KVPut{Key: "value", Value: raw}); err != nil {
			b.Fatal(err)
		}
		if _, err := abi.Marshal(&abi.SQLQuery{Query: "INSERT INTO history (by) VALUES (?)", Args: []any{int64(1)}}); err != nil {
			b.Fatal(err)
		}
		var res abi.SQLResult
		if err := abi.Unmarshal(sqlResult, &res); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkWorkerFetch is one HTTP request to a stateless Go Worker as the
// guest handles it: decode the event, build the *http.Request, route it
// with a ServeMux, record the response and encode it.
func BenchmarkWorkerFetch(b *testing.B) {
	payload, err := abi.Marshal(&abi.Event{
		Kind: abi.EventWorkerFetch,
		Request: &abi.Request{
			Method: "POST",
			URL:    "http://127.0.0.1:8787/counter/hot/increment",
			Headers: [][2]string{
				{"accept", "*/*"}, {"accept-encoding", "gzip, br"}, {"cf-connecting-ip", "127.0.0.1"},
				{"host", "127.0.0.1:8787"}, {"user-agent", "Go-http-client/1.1"},
			},
		},
	})
	if err != nil {
		b.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /counter/{name}/increment", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusOK)
		json.NewEncoder(w).Encode(map[string]any{"name": r.PathValue("name"), "value": int64(42)})
	})
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		var msg abi.Event
		if err := abi.Unmarshal(payload, &msg); err != nil {
			b.Fatal(err)
		}
		req, err := rt.NewIncomingRequest(ctx, msg.Request)
		if err != nil {
			b.Fatal(err)
		}
		w := rt.NewResponseRecorder()
		mux.ServeHTTP(w, req)
		if _, err := abi.Marshal(w.Response()); err != nil {
			b.Fatal(err)
		}
	}
}
