package conformance

import (
	"fmt"
	"strings"
	"testing"
)

// stubValues: Durable Object stubs as RPC values. A JavaScript caller's
// stub reaches a Go method (alone, in a list, in an object; of a class of
// this Worker or of another script's), which can keep it and call or
// fetch it in later events; a stub that Go returns (made from a binding,
// kept, or passed through an `any`) reaches a JavaScript caller, which
// calls it; between Go objects a stub passes as an argument and as a
// result, at any depth, and the stateless Worker receives one.
func (s *suite) stubValues(t *testing.T) {
	// who says whose object answered: its script and name.
	who := func(what string, v any) string {
		t.Helper()
		m, ok := v.(map[string]any)
		if !ok {
			t.Fatalf("%s: %#v, want whoami's answer", what, v)
		}
		if id, _ := m["id"].(string); len(id) != 64 {
			t.Errorf("%s: the object's ID %q", what, m["id"])
		}
		return fmt.Sprintf("%v/%v", m["script"], m["name"])
	}
	const sandbox, peer = "godurable-sandbox/", "godurable-peer/"

	// From JavaScript to Go.
	equal(t, "whoamiOf(a stub)", who("whoamiOf", s.call(t, "stubs", "whoamiOf", JSStub{"PLAIN", "p1"})), sandbox+"p1")
	equal(t, "whoamiOf(another script's stub)", who("whoamiOf", s.call(t, "stubs", "whoamiOf", JSStub{"PEER_PLAIN", "p1"})), peer+"p1")
	equal(t, "namesOf(a list and an object of stubs)",
		s.call(t, "stubs", "namesOf", []any{JSStub{"PLAIN", "p2"}, JSStub{"PEER_PLAIN", "p3"}}, map[string]any{"label": "pair", "stub": JSStub{"PLAIN", "p4"}}),
		[]any{"p2", "p3", "pair:p4"})

	// Kept, and used in later events: called, fetched.
	s.call(t, "stubs", "keep", JSStub{"PLAIN", "kept"})
	equal(t, "whoamiOfKept()", who("whoamiOfKept", s.call(t, "stubs", "whoamiOfKept")), sandbox+"kept")
	equal(t, "whoamiOfKept() again", who("whoamiOfKept", s.call(t, "stubs", "whoamiOfKept")), sandbox+"kept")
	s.call(t, "fetcher", "keep", JSStub{"SANDBOX", "fetched"})
	fetched, _ := s.call(t, "fetcher", "fetchKept", "/do/fetched/whoami").(string)
	if !strings.HasPrefix(fetched, "200 ") || !strings.Contains(fetched, `"name":"fetched"`) {
		t.Errorf("fetchKept(/do/fetched/whoami) = %q, want 200 and the object's whoami", fetched)
	}

	// From Go to JavaScript: the caller calls the stub it gets.
	then := func(method string, args ...any) string {
		t.Helper()
		v, err := s.target.CallThen(t, "SANDBOX", "stubs", method, args, "whoami")
		if err != nil {
			t.Fatalf("%s(%v), then whoami(): %v", method, args, err)
		}
		return who(method, v)
	}
	equal(t, "stubOf(PLAIN, p5).whoami()", then("stubOf", "PLAIN", "p5"), sandbox+"p5")
	equal(t, "stubOf(PEER_PLAIN, p5).whoami()", then("stubOf", "PEER_PLAIN", "p5"), peer+"p5")
	equal(t, "kept().whoami()", then("kept"), sandbox+"kept")
	equal(t, "echo(a stub).whoami()", then("echo", JSStub{"PEER_PLAIN", "p6"}), peer+"p6")

	// Between Go objects, both ways and at any depth.
	equal(t, "handOn(other): the kept stub as an argument", who("handOn", s.call(t, "stubs", "handOn", "other")), sandbox+"kept")
	equal(t, "whoamiVia(other, stubOf): a stub as a result",
		who("whoamiVia", s.call(t, "stubs", "whoamiVia", "other", "stubOf", []any{"PEER_PLAIN", "p7"})), peer+"p7")
	s.call(t, "other", "keep", JSStub{"PLAIN", "p8"})
	equal(t, "whoamiVia(other, kept): a kept stub as a result", who("whoamiVia", s.call(t, "stubs", "whoamiVia", "other", "kept", []any{})), sandbox+"p8")
	equal(t, "pairVia(other, p9): a stub in a struct", s.call(t, "stubs", "pairVia", "other", "p9"), "p9:p9")
	equal(t, "the stateless Worker", who("/stubs/via", s.getJSON(t, "/stubs/via/other/PEER_PLAIN/p10", 200)), peer+"p10")

	// What is not a stub.
	e := s.callErr(t, "stubs", "whoamiOf", "p1")
	if e.Name != "TypeError" || !strings.Contains(e.Message, "want a Durable Object stub, got a string") {
		t.Errorf(`whoamiOf("p1"): %v, want a TypeError: want a Durable Object stub, got a string`, e)
	}
	e = s.callErr(t, "stubs", "whoamiOf", nil)
	equal(t, "whoamiOf(null)", e.Message, "worker: a nil *Stub reaches no Durable Object")
	e = s.callErr(t, "stubs", "storeStub", JSStub{"PLAIN", "p1"})
	equal(t, "storeStub(a stub)", e.Message, `storage: put "stub": a Durable Object stub cannot be stored: store the object's name or ID, and get its stub from the namespace`)
}
