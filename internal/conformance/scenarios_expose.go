package conformance

import "testing"

// exposure: what a class keeps off RPC answers as a method the object does
// not have, to a JavaScript caller and to a Go one alike; what it exposes
// answers.
func (s *suite) exposure(t *testing.T) {
	missing := func(method string) JSError {
		return JSError{Name: "TypeError", Message: `The RPC receiver does not implement the method "` + method + `".`}
	}
	for _, c := range []struct{ binding, method string }{
		{"SANDBOX", "string"},   // fmt.Stringer's, hidden by default
		{"SANDBOX", "internal"}, // durableobject.Hide
		{"PLAIN", "unlisted"},   // not in durableobject.Expose's list
		{"PLAIN", "close"},      // io.Closer's, not listed either
	} {
		_, e := s.target.Call(t, c.binding, "expose", c.method)
		if e == nil {
			t.Errorf("%s.%s answered", c.binding, c.method)
			continue
		}
		equal(t, c.binding+"."+c.method, *e, missing(c.method))
	}
	// A Go caller gets the same error.
	r := s.getJSON(t, "/call/expose/string", 200).(map[string]any)
	equal(t, "string from Go", r["error"], map[string]any{"name": "TypeError", "message": missing("string").Message, "code": ""})
	r = s.getJSON(t, "/call/expose/internal", 200).(map[string]any)
	equal(t, "internal from Go", r["error"], map[string]any{"name": "TypeError", "message": missing("internal").Message, "code": ""})

	// Exposed: Plain lists String; Go code in the module still calls
	// Sandbox's hidden methods.
	for method, want := range map[string]string{"string": "plain", "ping": "pong"} {
		v, e := s.target.Call(t, "PLAIN", "expose", method)
		if e != nil {
			t.Fatalf("PLAIN.%s: %v", method, e)
		}
		equal(t, "PLAIN."+method, v, want)
	}
	equal(t, "SANDBOX.callInternal", s.call(t, "expose", "callInternal"), "internal")
}
