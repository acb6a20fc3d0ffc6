package conformance

import "testing"

// jsBridge: the Go Worker reaches a JavaScript Worker's RPC entrypoint, a
// class instance it returns, globals and errors through package jsbridge
// (the sandbox's GET /js/bridge). Every kind of value crosses there and
// back unchanged.
func (s *suite) jsBridge(t *testing.T) {
	got := s.getJSON(t, "/js/bridge", 200).(map[string]any)
	values := map[string]any{}
	for _, k := range []string{"integer", "float", "string", "true", "bytes", "date", "bigint", "list", "object", "struct", "headers", "nested"} {
		values[k] = "ok"
	}
	equal(t, "values there and back", got["values"], values)
	equal(t, "an object into an any", got["any"], map[string]any{"n": 7.0})
	equal(t, "a class instance's methods", got["counter"], []any{11.0, 16.0, ""})
	equal(t, "a class instance into an any is a *jsbridge.Value", got["counterAny"], true)
	equal(t, "a released value", got["released"], true)
	equal(t, "a rejected promise", got["reject"], map[string]any{"name": "RangeError", "message": "no such thing"})
	equal(t, "a thrown TypeError", got["throw"], map[string]any{"name": "TypeError", "message": "not a number"})
	equal(t, "crypto.randomUUID()", got["uuid"], true)
	equal(t, "a method the value lacks", got["noMethod"], true)
	equal(t, "caches.default", got["cache"], []any{"object", "Cache", ""})
	equal(t, "a binding the configuration lacks", got["noBinding"], true)

	// An RpcTarget's stub belongs to the request that got it.
	equal(t, "a counter kept by one request", s.getJSON(t, "/js/stash", 200), map[string]any{"n": 2.0, "error": ""})
	other := s.getJSON(t, "/js/stashed", 200).(map[string]any)
	equal(t, "the counter used by another request: ErrOtherRequest", other["otherRequest"], true)
}
