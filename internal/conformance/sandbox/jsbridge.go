package main

import (
	"encoding/json"
	"errors"
	"math/big"
	"net/http"
	"reflect"
	"regexp"
	"time"

	"github.com/godurable/godurable/jsbridge"
	"github.com/godurable/godurable/worker"
)

// GET /js/bridge: the Go Worker reaches JavaScript through package
// jsbridge: the RPC entrypoint of a JavaScript Worker (service binding
// JSSVC, internal/conformance/jsservice; a Go fake in dotest), globals,
// and what goes wrong. It answers what it saw, as JSON.
func jsBridgeRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /js/bridge", serveJSBridge)
	mux.HandleFunc("GET /js/stash", stashCounter)
	mux.HandleFunc("GET /js/stashed", useStashedCounter)
}

// stashed is a class instance one request got from JSSVC, kept for the
// next: an I/O object of the request that got it.
var stashed *jsbridge.Value

// stashCounter is GET /js/stash: it gets a counter, uses it once, and keeps
// it for GET /js/stashed.
func stashCounter(w http.ResponseWriter, r *http.Request) {
	svc, err := jsbridge.Binding("JSSVC")
	if err == nil {
		err = svc.Call(r.Context(), "counter", &stashed, 1)
	}
	var n int64
	if err == nil {
		err = stashed.Call(r.Context(), "increment", &n)
	}
	writeJSON(w, http.StatusOK, map[string]any{"n": n, "error": errString(err)})
}

// useStashedCounter is GET /js/stashed: another request uses the counter,
// which workerd refuses.
func useStashedCounter(w http.ResponseWriter, r *http.Request) {
	var n int64
	err := stashed.Call(r.Context(), "increment", &n)
	writeJSON(w, http.StatusOK, map[string]any{"otherRequest": errors.Is(err, jsbridge.ErrOtherRequest), "error": errString(err)})
}

// echoed are the values sent through JSSVC.echo: each comes back, decoded
// into a value of its own type, equal to what was sent.
var echoed = map[string]any{
	"integer": int64(42),
	"float":   1.5,
	"string":  "héllo, wörld",
	"true":    true,
	"bytes":   []byte{0, 1, 2, 255},
	"date":    time.UnixMilli(1_700_000_000_123).UTC(),
	"bigint":  new(big.Int).Lsh(big.NewInt(1), 70),
	"list":    []any{int64(1), "two", 3.5, nil},
	"object":  map[string]any{"a": int64(1), "b": []any{"c"}},
	"struct":  Point{X: 3, Y: -4, L: "p"},
	"headers": http.Header{"X-One": {"1"}, "Content-Type": {"text/plain"}},
	"nested":  map[string]any{"when": time.UnixMilli(86_400_000).UTC(), "raw": []byte("x")},
}

var uuidV4 = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

func serveJSBridge(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	out := map[string]any{}
	svc, err := jsbridge.Binding("JSSVC")
	if err != nil {
		writeError(w, http.StatusInternalServerError, err)
		return
	}

	// Every kind of value, there and back.
	values := map[string]string{}
	for name, v := range echoed {
		got := reflect.New(reflect.TypeOf(v))
		if err := svc.Call(ctx, "echo", got.Interface(), v); err != nil {
			values[name] = "error: " + err.Error()
			continue
		}
		if !sameValue(got.Elem().Interface(), v) {
			values[name] = "changed: " + jsonText(got.Elem().Interface())
			continue
		}
		values[name] = "ok"
	}
	out["values"] = values
	var anything any
	if err := svc.Call(ctx, "echo", &anything, map[string]any{"n": int64(7)}); err != nil {
		out["any"] = "error: " + err.Error()
	} else {
		out["any"] = anything
	}

	// A class instance, by reference: its methods are callable.
	var counter *jsbridge.Value
	if err := svc.Call(ctx, "counter", &counter, 10); err != nil {
		out["counter"] = "error: " + err.Error()
	} else {
		var a, b int64
		err1 := counter.Call(ctx, "increment", &a)
		err2 := counter.Call(ctx, "increment", &b, 5)
		out["counter"] = []any{a, b, errString(errors.Join(err1, err2))}
		counter.Release()
		err := counter.Call(ctx, "increment", nil)
		out["released"] = errors.Is(err, jsbridge.ErrReleased)
	}
	var inAny any
	if err := svc.Call(ctx, "counter", &inAny, 1); err != nil {
		out["counterAny"] = "error: " + err.Error()
	} else {
		_, ok := inAny.(*jsbridge.Value)
		out["counterAny"] = ok
	}

	// A rejected promise and a thrown TypeError, as *worker.Error.
	out["reject"] = jsError(svc.Call(ctx, "reject", nil, "no such thing"))
	out["throw"] = jsError(svc.Call(ctx, "throwType", nil, "not a number"))

	// Globals.
	if crypto, err := jsbridge.Global("crypto"); err != nil {
		out["uuid"] = "error: " + err.Error()
	} else {
		var id string
		err := crypto.Call(ctx, "randomUUID", &id)
		out["uuid"] = err == nil && uuidV4.MatchString(id)
		out["noMethod"] = errors.Is(crypto.Call(ctx, "noSuchMethod", nil), jsbridge.ErrNoMethod)
	}
	if caches, err := jsbridge.Global("caches"); err != nil {
		out["cache"] = "error: " + err.Error()
	} else {
		var def *jsbridge.Value
		err := caches.Get(ctx, "default", &def)
		t, terr := def.Type(ctx)
		out["cache"] = []any{t.Of, t.Class, errString(errors.Join(err, terr))}
	}

	// A binding the configuration lacks.
	_, err = jsbridge.Binding("NO_SUCH_BINDING")
	out["noBinding"] = errors.Is(err, worker.ErrNoBinding)
	writeJSON(w, http.StatusOK, out)
}

// jsError describes err as the scenarios compare it.
func jsError(err error) any {
	var we *worker.Error
	if !errors.As(err, &we) {
		return errString(err)
	}
	return map[string]string{"name": we.Name, "message": we.Message}
}

// sameValue reports whether got, decoded into the type of want, is want.
func sameValue(got, want any) bool {
	if t, ok := want.(time.Time); ok {
		return t.Equal(got.(time.Time))
	}
	if b, ok := want.(*big.Int); ok {
		return b.Cmp(got.(*big.Int)) == 0
	}
	if h, ok := want.(http.Header); ok {
		g := got.(http.Header)
		for k := range h {
			if g.Get(k) != h.Get(k) {
				return false
			}
		}
		return len(g) == len(h)
	}
	return jsonText(got) == jsonText(want)
}

func jsonText(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return err.Error()
	}
	return string(b)
}
