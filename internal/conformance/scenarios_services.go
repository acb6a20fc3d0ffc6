package conformance

import (
	"encoding/json"
	"net/http"
	"net/url"
	"testing"
)

// ServiceBinding is the name with which Target.Call and the calls like it
// reach a service binding of the JavaScript caller itself (one of the
// sandbox's entrypoints), rather than an object of a namespace.
const ServiceBinding = "$service"

// services: the sandbox calls the peer Worker's entrypoints through its
// service bindings, PEER (the default export) and PEER_ADMIN (the named
// entrypoint Admin, with props): fetch, RPC values, errors kept whole
// between Go Workers, streams both ways, and exposure.
func (s *suite) services(t *testing.T) {
	call := func(binding, method string, args ...any) map[string]any {
		t.Helper()
		b, _ := json.Marshal(args)
		return s.getJSON(t, "/svc/"+binding+"/"+method+"?args="+url.QueryEscape(string(b)), 200).(map[string]any)
	}
	equal(t, "the default entrypoint's method", call("PEER", "hello", "ann")["result"],
		map[string]any{"greeting": "hello, ann", "props": map[string]any{}})
	equal(t, "a named entrypoint's method, with the binding's props", call("PEER_ADMIN", "stats")["result"],
		map[string]any{"entrypoint": "Admin", "props": map[string]any{"role": "admin", "level": 3.0}})
	equal(t, "an error, kept whole", call("PEER", "fail", "RangeError", "E_RANGE", "bad")["error"],
		map[string]any{"name": "RangeError", "message": "bad", "code": "E_RANGE"})
	equal(t, "an error of a name of its own", call("PEER", "fail", "QuotaError", "E_QUOTA", "over")["error"],
		map[string]any{"name": "QuotaError", "message": "over", "code": "E_QUOTA"})
	for _, c := range []struct{ binding, method string }{
		{"PEER", "internal"},    // worker.Hide
		{"PEER", "string"},      // fmt.Stringer's
		{"PEER_ADMIN", "hello"}, // the default entrypoint's, not Admin's
	} {
		equal(t, c.binding+"."+c.method, call(c.binding, c.method)["error"],
			map[string]any{"name": "TypeError", "message": `The RPC receiver does not implement the method "` + c.method + `".`, "code": ""})
	}

	equal(t, "the default entrypoint's fetch", string(expectStatus(t, s.get(t, "/svc-fetch/PEER/a/b"), 200).Body),
		"godurable-peer's default entrypoint: GET /a/b")
	equal(t, "Admin's fetch", string(expectStatus(t, s.get(t, "/svc-fetch/PEER_ADMIN/x"), 200).Body),
		"godurable-peer's Admin: GET /x role=admin")
	equal(t, "a stream of values", s.getJSON(t, "/svc-ticks/PEER?n=3", 200), map[string]any{"values": []any{1.0, 2.0, 3.0}})
	up := s.do(t, http.MethodPost, "/svc-upper/PEER", "text/plain", []byte("streams both ways"))
	equal(t, "a stream there and back", string(expectStatus(t, up, 200).Body), "STREAMS BOTH WAYS")

	contains(t, "a binding the configuration lacks", string(s.get(t, "/svc/NOPE/x").Body), `worker: no such binding \"NOPE\"`)
	contains(t, "a namespace binding", string(s.get(t, "/svc/SANDBOX/x").Body), "it is a DurableObjectNamespace, not a Fetcher")
}

// entrypoints: a JavaScript caller reaches the sandbox's entrypoints
// through its service bindings, TARGET (the default export, whose fetch
// is the Worker's handler) and TARGET_OPS (the named entrypoint Ops, with
// props), with the values, errors and streams of RPC and the exposure of
// Durable Object classes.
func (s *suite) entrypoints(t *testing.T) {
	call := func(binding, method string, args ...any) (any, *JSError) {
		t.Helper()
		return s.target.Call(t, binding, ServiceBinding, method, args...)
	}
	v, jerr := call("TARGET", "hello", "bob")
	equal(t, "the default entrypoint's method", v, map[string]any{"greeting": "hello, bob", "props": map[string]any{}})
	equal(t, "its error", jerr, (*JSError)(nil))
	v, jerr = call("TARGET_OPS", "whoami")
	equal(t, "a named entrypoint's method, with the binding's props", v,
		map[string]any{"entrypoint": "Ops", "props": map[string]any{"caller": "jscaller", "n": 7.0}})
	equal(t, "its error", jerr, (*JSError)(nil))
	_, jerr = call("TARGET", "fail", "RangeError", "E_RANGE", "bad")
	equal(t, "an error", jerr, &JSError{Name: "RangeError", Message: "bad", Code: "E_RANGE"})
	for _, c := range []struct{ binding, method string }{
		{"TARGET_OPS", "secret"}, // worker.Hide
		{"TARGET_OPS", "string"}, // fmt.Stringer's
		{"TARGET", "whoami"},     // Ops's, not the default entrypoint's
	} {
		_, jerr = call(c.binding, c.method)
		equal(t, c.binding+"."+c.method, jerr, &JSError{Name: "TypeError", Message: `The RPC receiver does not implement the method "` + c.method + `".`})
	}
	text, jerr := s.target.ReadStream(t, "TARGET_OPS", ServiceBinding, "lines", 0, 3)
	equal(t, "a stream", text, "\"x\"\n\"xx\"\n\"xxx\"\n")
	equal(t, "its error", jerr, (*JSError)(nil))
}
