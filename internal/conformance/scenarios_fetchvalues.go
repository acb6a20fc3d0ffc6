package conformance

import "testing"

// rpcFetchValues passes Headers, Requests and Responses across RPC, from
// a JavaScript caller and from a Go caller, both ways.
func (s *suite) rpcFetchValues(t *testing.T) {
	// Headers: a name given twice reaches Go as one value, joined, as
	// Headers keeps it.
	equal(t, "headerValues", s.call(t, "fetchvalues", "headerValues", JSHeaders{{"X-Test", "a"}, {"x-test", "b"}, {"Content-Type", "text/plain"}}),
		map[string]any{"Content-Type": []any{"text/plain"}, "X-Test": []any{"a, b"}})
	equal(t, "withHeader", s.call(t, "fetchvalues", "withHeader", JSHeaders{{"a", "1"}}, "X-Two", "2"),
		map[string]any{"$headers": []any{[]any{"a", "1"}, []any{"x-two", "2"}}})

	// A Request argument: its method, URL, headers and body.
	post := JSRequest{Method: "POST", URL: "https://example.com/path?q=1", Headers: [][2]string{{"content-type", "application/json"}, {"x-test", "one"}}, Body: `{"k":"v"}`}
	equal(t, "describeRequest(POST)", s.call(t, "fetchvalues", "describeRequest", post), map[string]any{
		"method": "POST", "url": "https://example.com/path?q=1", "host": "example.com", "path": "/path",
		"contentType": "application/json", "xTest": []any{"one"}, "contentLength": 9.0, "body": `{"k":"v"}`,
	})
	get := JSRequest{Method: "GET", URL: "https://example.com/"}
	equal(t, "describeRequest(GET)", s.call(t, "fetchvalues", "describeRequest", get), map[string]any{
		"method": "GET", "url": "https://example.com/", "host": "example.com", "path": "/",
		"contentType": "", "xTest": nil, "contentLength": 0.0, "body": "",
	})

	// A Response result, and a Request result.
	put := JSRequest{Method: "PUT", URL: "https://example.com/x", Body: "hi"}
	equal(t, "reply", s.call(t, "fetchvalues", "reply", put), map[string]any{"$response": map[string]any{
		"status": 201.0, "headers": []any{[]any{"content-type", "text/plain"}, []any{"x-reply", "yes"}}, "body": "PUT /x: hi",
	}})
	equal(t, "makeRequest", s.call(t, "fetchvalues", "makeRequest", "https://example.com/made", "data"), map[string]any{"$request": map[string]any{
		"method": "PUT", "url": "https://example.com/made", "headers": []any{[]any{"x-made", "by Go"}}, "body": "data",
	}})

	// A Response argument.
	csv := JSResponse{Status: 202, Headers: [][2]string{{"content-type", "text/csv"}}, Body: "a,b"}
	equal(t, "describeResponse", s.call(t, "fetchvalues", "describeResponse", csv),
		map[string]any{"status": 202.0, "contentType": "text/csv", "body": "a,b"})

	// A Go caller passes and receives them too.
	equal(t, "callWithFetchValues", s.call(t, "fetchvalues-caller", "callWithFetchValues", "fetchvalues"), map[string]any{
		"status": 201.0, "reply": "yes", "body": "POST /go/caller: from Go",
		"described": map[string]any{"status": 202.0, "contentType": "text/csv", "body": "a,b"},
		"headers":   map[string]any{"X-One": []any{"1"}, "X-Two": []any{"2"}},
	})
}
