// Package conformance is the scenario suite that every runtime of a
// godurable module must pass alike: real workerd (through wrangler dev) and
// the dotest harness on wazero. A scenario drives the sandbox Worker
// (internal/conformance/sandbox) only through a Target, and asserts only
// what a client of the Worker can observe: statuses, bodies, RPC results
// and errors as a JavaScript caller sees them, storage contents as the
// objects report them.
package conformance

import (
	"context"
	"encoding/json"
	"io"
	"maps"
	"math/big"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/godurable/godurable/internal/abi"
	"github.com/godurable/godurable/ws"
)

// Target is one runtime serving the sandbox Worker.
type Target interface {
	// Name names the runtime in test output ("workerd", "dotest").
	Name() string

	// Fetch sends req to the stateless Worker and returns its response
	// with the body read. The URL's scheme and host are ignored.
	Fetch(t testing.TB, req *http.Request) *Response

	// Stream sends req to the stateless Worker and returns its response
	// with the body unread, to read as it streams; the caller closes it.
	Stream(t testing.TB, req *http.Request) *http.Response

	// StreamObject sends req straight to the Durable Object called name
	// of binding, as a JavaScript Worker's stub.fetch does, and returns
	// its response with the body unread.
	StreamObject(t testing.TB, binding, name string, req *http.Request) *http.Response

	// Abandon sends req to the stateless Worker and goes away after d
	// without its response, as a client that closes its connection does.
	Abandon(t testing.TB, req *http.Request, d time.Duration)

	// Call calls the RPC method (JavaScript name) of the object called
	// name in the Durable Object namespace bound as binding, as a
	// JavaScript Worker calling over Workers RPC would, and returns what
	// that caller sees: the result converted to a plain value (see
	// Normalize), or the error it caught.
	Call(t testing.TB, binding, name, method string, args ...any) (any, *JSError)

	// CallThen calls method as Call does; its result must be a Durable
	// Object stub, whose method then the caller calls with thenArgs: it
	// returns what that second call returns.
	CallThen(t testing.TB, binding, name, method string, args []any, then string, thenArgs ...any) (any, *JSError)

	// CallStream calls, as Call does, a method that returns a stream (a
	// ReadableStream), and returns the stream unread, to read as it
	// streams; the caller closes it, which cancels the stream.
	CallStream(t testing.TB, binding, name, method string, args ...any) (io.ReadCloser, *JSError)

	// ReadStream calls, as CallStream does, a method that returns a stream
	// and reads it in the JavaScript caller, to its end or, if lines > 0,
	// until it has read that many lines, then cancels it: it returns what
	// was read and the error that reading threw, if any.
	ReadStream(t testing.TB, binding, name, method string, lines int, args ...any) (string, *JSError)

	// Restart stops the runtime and starts it again with the storage
	// kept: every Go object is rebuilt on its next event.
	Restart(t testing.TB)

	// DialWebSocket opens a WebSocket to the Worker at path, as a browser
	// does. If the Worker does not upgrade, it returns a nil Socket and
	// the status it answered.
	DialWebSocket(t testing.TB, path string) (Socket, int)

	// Hibernate lets the Durable Object called name of binding hibernate,
	// its sockets open: dotest hibernates it at once, workerd when it has
	// been idle for 10 seconds.
	Hibernate(t testing.TB, binding, name string)
	// Scheduled runs the Worker's scheduled handler as workerd delivers
	// the cron trigger cron due at at, and returns what workerd reports
	// of the run.
	Scheduled(t testing.TB, cron string, at time.Time) ScheduledResult
}

// ScheduledResult is what workerd reports of a scheduled event
// (Fetcher.scheduled()): its outcome, "ok" or "exception", and whether the
// handler asked for no retry.
type ScheduledResult struct {
	Outcome string `json:"outcome"`
	NoRetry bool   `json:"noRetry"`
}

// Socket is the client end of a WebSocket.
type Socket interface {
	Send(ws.Message) error
	// Receive returns the next message, or a *ws.CloseError once the
	// socket has closed.
	Receive(ctx context.Context) (ws.Message, error)
	// Close sends a close; the answering close arrives in Receive.
	Close(code int, reason string) error
}

// Response is an HTTP response with its body read.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
}

// JSError is an exception as a JavaScript caller over Workers RPC catches
// it. workerd keeps the name of standard error types only (another name
// becomes part of the message, "Name: message") and drops other
// properties such as code.
type JSError struct {
	Name    string `json:"name"`
	Message string `json:"message"`
	Code    string `json:"code"`
}

func (e *JSError) Error() string { return e.Name + ": " + e.Message }

// JSMap is an RPC argument that the JavaScript caller passes as a Map
// with these entries (in dotest, where no Map exists, as what Go reads of
// one: a map).
type JSMap map[string]any

// MarshalJSON writes the form the JavaScript caller revives as a Map.
func (m JSMap) MarshalJSON() ([]byte, error) {
	entries := make([][2]any, 0, len(m))
	for _, k := range slices.Sorted(maps.Keys(m)) {
		entries = append(entries, [2]any{k, m[k]})
	}
	return json.Marshal(map[string]any{"$map": entries})
}

// JSSet is an RPC argument that the JavaScript caller passes as a Set of
// these values (in dotest, as what Go reads of one: a list).
type JSSet []any

// MarshalJSON writes the form the JavaScript caller revives as a Set.
func (s JSSet) MarshalJSON() ([]byte, error) {
	return json.Marshal(map[string]any{"$set": []any(s)})
}

// JSStream is an RPC argument that the JavaScript caller passes as a
// ReadableStream of R's bytes (in dotest, as the stream dotest makes of an
// io.Reader argument). A call takes one at most.
type JSStream struct{ R io.Reader }

// MarshalJSON writes the placeholder the JavaScript caller replaces with
// the stream.
func (JSStream) MarshalJSON() ([]byte, error) { return []byte(`{"$stream":true}`), nil }

// streamOf returns the reader of the JSStream among args, or nil.
func streamOf(args []any) io.Reader {
	for _, a := range args {
		if s, ok := a.(JSStream); ok {
			return s.R
		}
	}
	return nil
}

// JSBigInt is an RPC argument that the JavaScript caller passes as a
// bigint (in dotest, as the *big.Int the harness turns into one).
type JSBigInt struct{ *big.Int }

// MarshalJSON writes the form the JavaScript caller revives as a bigint.
func (n JSBigInt) MarshalJSON() ([]byte, error) {
	return json.Marshal(map[string]any{"$bigint": n.String()})
}

// JSDate is an RPC argument that the JavaScript caller passes as a Date
// (in dotest, as the time.Time the harness turns into one).
type JSDate struct{ time.Time }

// MarshalJSON writes the form the JavaScript caller revives as a Date.
func (d JSDate) MarshalJSON() ([]byte, error) {
	return json.Marshal(map[string]any{"$date": d.UnixMilli()})
}

// JSHeaders is an RPC argument that the JavaScript caller passes as
// Headers with these [name, value] pairs (in dotest, as an http.Header).
type JSHeaders [][2]string

// MarshalJSON writes the form the JavaScript caller revives as Headers.
func (h JSHeaders) MarshalJSON() ([]byte, error) {
	return json.Marshal(map[string]any{"$headers": [][2]string(h)})
}

// JSRequest is an RPC argument that the JavaScript caller passes as a
// Request (in dotest, as an *http.Request).
type JSRequest struct {
	Method  string      `json:"method"`
	URL     string      `json:"url"`
	Headers [][2]string `json:"headers"`
	Body    string      `json:"body,omitempty"`
}

// MarshalJSON writes the form the JavaScript caller revives as a Request.
func (r JSRequest) MarshalJSON() ([]byte, error) {
	type plain JSRequest
	return json.Marshal(map[string]any{"$request": plain(r)})
}

// JSResponse is an RPC argument that the JavaScript caller passes as a
// Response (in dotest, as an *http.Response).
type JSResponse struct {
	Status  int         `json:"status"`
	Headers [][2]string `json:"headers"`
	Body    string      `json:"body,omitempty"`
}

// MarshalJSON writes the form the JavaScript caller revives as a Response.
func (r JSResponse) MarshalJSON() ([]byte, error) {
	type plain JSResponse
	return json.Marshal(map[string]any{"$response": plain(r)})
}

// revive turns the JSON forms of JSMap, JSSet, JSBigInt, JSDate,
// JSHeaders, JSRequest and JSResponse back into what dotest's JavaScript
// values stand for, at any depth.
func revive(v any) any {
	switch v := v.(type) {
	case []any:
		out := make([]any, len(v))
		for i, e := range v {
			out[i] = revive(e)
		}
		return out
	case map[string]any:
		if entries, ok := v["$map"].([]any); ok && len(v) == 1 {
			out := map[string]any{}
			for _, e := range entries {
				kv := e.([]any)
				out[kv[0].(string)] = revive(kv[1])
			}
			return out
		}
		if items, ok := v["$set"].([]any); ok && len(v) == 1 {
			return revive(items)
		}
		if digits, ok := v["$bigint"].(string); ok && len(v) == 1 {
			n, _ := new(big.Int).SetString(digits, 10)
			return n
		}
		if ms, ok := v["$date"].(float64); ok && len(v) == 1 {
			return time.UnixMilli(int64(ms))
		}
		if stub, ok := v["$stub"].(map[string]any); ok && len(v) == 1 {
			b, _ := stub["binding"].(string)
			n, _ := stub["name"].(string)
			return JSStub{b, n}
		}
		if pairs, ok := v["$headers"].([]any); ok && len(v) == 1 {
			return abi.PairsHeader(revivePairs(pairs))
		}
		if r, ok := v["$request"].(map[string]any); ok && len(v) == 1 {
			body, _ := r["body"].(string)
			req, _ := http.NewRequest(r["method"].(string), r["url"].(string), strings.NewReader(body))
			req.Header = abi.PairsHeader(revivePairs(asList(r["headers"])))
			return req
		}
		if r, ok := v["$response"].(map[string]any); ok && len(v) == 1 {
			body, _ := r["body"].(string)
			return &http.Response{
				StatusCode: int(r["status"].(float64)), Header: abi.PairsHeader(revivePairs(asList(r["headers"]))),
				Body: io.NopCloser(strings.NewReader(body)),
			}
		}
		out := map[string]any{}
		for k, e := range v {
			out[k] = revive(e)
		}
		return out
	}
	return v
}

// revivePairs is the [name, value] pairs of a JSON array of them.
func revivePairs(pairs []any) [][2]string {
	out := make([][2]string, len(pairs))
	for i, p := range pairs {
		kv := p.([]any)
		out[i] = [2]string{kv[0].(string), kv[1].(string)}
	}
	return out
}

func asList(v any) []any {
	l, _ := v.([]any)
	return l
}

// JSStub is an RPC argument that the JavaScript caller passes as the stub
// of the object called Name of Binding.
type JSStub struct{ Binding, Name string }

// MarshalJSON writes the form the JavaScript caller revives as a stub.
func (s JSStub) MarshalJSON() ([]byte, error) {
	return json.Marshal(map[string]any{"$stub": map[string]string{"binding": s.Binding, "name": s.Name}})
}
