package rt

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"reflect"
	"sync"

	"github.com/godurable/godurable/internal/abi"
	"github.com/godurable/godurable/internal/hostcall"
)

func init() {
	HandleEvent(abi.EventWorkerFetch, EventSpec{
		Registered: func() bool { return WorkerHandler() != nil },
		Run: func(ctx context.Context, e *Event, payload []byte) {
			h := WorkerHandler()
			if e.arg != 0 { // a named entrypoint's (entrypoints.go)
				h = nil
				if entrypointHandler != nil {
					h = entrypointHandler(e)
				}
			}
			if h == nil {
				e.fail(&abi.Error{Name: "Error", Message: "Handler does not export a fetch() function."})
				return
			}
			serveHTTP(ctx, e, payload, h)
		},
	})
	HandleEvent(abi.EventObjectFetch, EventSpec{
		Interface: reflect.TypeFor[http.Handler](),
		Method:    "ServeHTTP",
		Run: func(ctx context.Context, e *Event, payload []byte) {
			e.Describe("ServeHTTP")
			serveHTTP(ctx, e, payload, e.Value().(http.Handler))
		},
	})
}

var (
	workerMu      sync.Mutex
	workerHandler http.Handler
)

// SetWorkerHandler registers the stateless Worker's handler. It panics if
// one is already registered.
func SetWorkerHandler(h http.Handler) {
	workerMu.Lock()
	defer workerMu.Unlock()
	if workerHandler != nil {
		panic("godurable: worker.Handle called twice")
	}
	workerHandler = h
}

// WorkerHandler returns the stateless Worker's handler, or nil.
func WorkerHandler() http.Handler {
	workerMu.Lock()
	defer workerMu.Unlock()
	return workerHandler
}

// serveHTTP runs h on an incoming request and finishes e with the
// response.
func serveHTTP(ctx context.Context, e *Event, payload []byte, h http.Handler) {
	var in abi.Request
	if err := abi.Unmarshal(payload, &in); err != nil {
		e.fail(&abi.Error{Name: "TypeError", Message: "godurable: malformed request: " + err.Error()})
		return
	}
	req, err := NewIncomingRequest(ctx, &in)
	if err != nil {
		e.fail(&abi.Error{Name: "TypeError", Message: err.Error()})
		return
	}
	w := NewResponseRecorder()
	w.e = e
	ended := false
	defer func() {
		if w.streaming && !ended { // the handler panicked half way
			w.endStream("godurable: " + e.what() + " failed while streaming its response")
		}
	}()
	h.ServeHTTP(w, req)
	if w.streaming {
		ended = true
		w.endStream("")
		e.Finish(nil) // the host has had the response since the stream began
		return
	}
	e.Finish(mustMarshal(w.Response()))
}

// NewIncomingRequest builds the *http.Request a handler sees, as net/http's
// server would: RequestURI, Host and ContentLength set, the body readable.
func NewIncomingRequest(ctx context.Context, in *abi.Request) (*http.Request, error) {
	u, err := url.Parse(in.URL)
	if err != nil {
		return nil, fmt.Errorf("godurable: request URL %q: %w", in.URL, err)
	}
	req := &http.Request{
		Method:     in.Method,
		URL:        u,
		Proto:      "HTTP/1.1",
		ProtoMajor: 1,
		ProtoMinor: 1,
		Header:     make(http.Header, len(in.Headers)),
		Host:       u.Host,
		RequestURI: u.RequestURI(),
		Body:       newBody(ctx, in.Body, in.BodyReader, "the request body"),
	}
	for _, kv := range in.Headers {
		req.Header.Add(kv[0], kv[1])
	}
	req.ContentLength = contentLength(req.Header, in.Body, in.BodyReader)
	if ip := req.Header.Get("CF-Connecting-IP"); ip != "" {
		req.RemoteAddr = ip
	}
	return req.WithContext(ctx), nil
}

// ResponseRecorder is the http.ResponseWriter handed to handlers. It keeps
// the response, which is sent when the handler returns, until the handler
// calls Flush or has written streamAfter bytes: then the status, headers
// and body so far go out, and the rest of the body streams to the client
// as it is written.
type ResponseRecorder struct {
	header http.Header
	status int
	body   bytes.Buffer

	e         *Event // the event whose response this is; nil for a test's recorder
	streaming bool
	out       bodyWriter // once streaming
	err       error      // why the stream cannot go on
}

// streamAfter is how much of a response body is kept before it streams
// without a Flush.
const streamAfter = 64 << 10

// NewResponseRecorder returns an empty recorder.
func NewResponseRecorder() *ResponseRecorder {
	return &ResponseRecorder{header: http.Header{}}
}

// Header implements http.ResponseWriter.
func (w *ResponseRecorder) Header() http.Header { return w.header }

// WriteHeader implements http.ResponseWriter; calls after the first are
// ignored, as in net/http.
func (w *ResponseRecorder) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
}

// Write implements http.ResponseWriter.
func (w *ResponseRecorder) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	if !w.streaming {
		if w.e == nil || w.body.Len()+len(b) <= streamAfter {
			return w.body.Write(b)
		}
		if err := w.startStream(); err != nil {
			return 0, err
		}
	}
	return w.writeChunk(b)
}

// Flush implements http.Flusher: what has been written goes to the client
// now, and the rest of the body streams.
func (w *ResponseRecorder) Flush() {
	if w.e != nil && !w.streaming && w.err == nil {
		w.err = w.startStream()
	}
}

// startStream sends the status, the headers and the body so far, and
// keeps the event alive on the host for the rest of the body.
func (w *ResponseRecorder) startStream() error {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	if w.status == http.StatusSwitchingProtocols {
		return nil // a WebSocket's response has no body to stream
	}
	if _, err := Do(NoObject, abi.OpWaitUntil, &w.e.id); err != nil {
		return fmt.Errorf("godurable: streaming the response: %w", err)
	}
	resp := w.Response()
	resp.Stream = true
	w.streaming = true
	w.out = bodyWriter{ref: abi.BodyRef{Event: w.e.id}}
	w.body = bytes.Buffer{}
	hostcall.Complete(w.e.id, abi.StatusOK, mustMarshal(resp))
	return nil
}

// writeChunk sends b to the client.
func (w *ResponseRecorder) writeChunk(b []byte) (int, error) {
	if w.err != nil {
		return 0, w.err
	}
	if err := w.e.ctx.Err(); err != nil {
		w.err = context.Cause(w.e.ctx)
		return 0, w.err
	}
	n, err := w.out.write(w.e.ctx, b)
	if errors.Is(err, ErrReaderGone) {
		err = ErrClientGone
	}
	w.err = err
	return n, err
}

// endStream ends a streamed body, cut short with reason if it is not "",
// and lets the host forget the event.
func (w *ResponseRecorder) endStream(reason string) {
	w.out.end(reason)
	Do(NoObject, abi.OpWaitUntilDone, &w.e.id)
}

// Response returns what was written, with a Content-Type sniffed from the
// body when the handler set none, as net/http's server does.
func (w *ResponseRecorder) Response() *abi.Response {
	status := w.status
	if status == 0 {
		status = http.StatusOK
	}
	body := w.body.Bytes()
	if _, ok := w.header["Content-Type"]; !ok && len(body) > 0 && w.header.Get("Content-Encoding") == "" {
		w.header.Set("Content-Type", http.DetectContentType(body))
	}
	return &abi.Response{Status: status, Headers: abi.HeaderPairs(w.header), Body: body}
}

// Transport is an http.RoundTripper that sends requests through the host's
// fetch, on behalf of the event found in the request's context.
type Transport struct {
	// Target is the Durable Object the requests go to (abi.OpStubFetch),
	// or nil for the runtime's fetch (abi.OpFetch).
	Target *abi.StubTarget
}

// RoundTrip implements http.RoundTripper.
func (t *Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	out := abi.Request{Method: req.Method, URL: req.URL.String(), Headers: abi.HeaderPairs(req.Header)}
	if out.Method == "" {
		out.Method = http.MethodGet
	}
	switch {
	case req.Body == nil || req.Body == http.NoBody:
	case out.Method == http.MethodGet || out.Method == http.MethodHead:
		req.Body.Close() // fetch sends none
	case req.ContentLength <= 0 || req.ContentLength > streamAbove:
		// A body of unknown length (0 with a Body is unknown, as in
		// net/http) or a large one streams.
		id, err := sendBody(req.Context(), req.Body)
		if err != nil {
			return nil, err
		}
		out.BodyWriter = id
	default:
		b, err := io.ReadAll(req.Body)
		req.Body.Close()
		if err != nil {
			return nil, fmt.Errorf("godurable: reading the request body: %w", err)
		}
		out.Body = b
	}
	var in abi.Response
	var err error
	if t.Target != nil {
		in, err = AwaitOp(req.Context(), abi.OpStubFetch, &abi.StubFetch{Target: *t.Target, Request: out})
	} else {
		in, err = AwaitOp(req.Context(), abi.OpFetch, &out)
	}
	if err != nil {
		return nil, err
	}
	resp := responseFromABI(req.Context(), &in, "the response body of "+req.Method+" "+req.URL.String())
	resp.Request = req
	if t.Target == nil && resp.Header.Get("Content-Encoding") != "" {
		// fetch has already decoded the body, as Go's own Transport does.
		resp.Header.Del("Content-Encoding")
		resp.Header.Del("Content-Length")
		resp.Uncompressed = true
		if in.BodyReader != 0 {
			resp.ContentLength = -1 // the header gave the encoded length
		}
	}
	return resp, nil
}

// responseFromABI is the *http.Response of a response the host described,
// whose body streams on behalf of the event of ctx; what names the body
// in errors.
func responseFromABI(ctx context.Context, in *abi.Response, what string) *http.Response {
	resp := &http.Response{
		Status:     fmt.Sprintf("%d %s", in.Status, http.StatusText(in.Status)),
		StatusCode: in.Status,
		Proto:      "HTTP/1.1",
		ProtoMajor: 1,
		ProtoMinor: 1,
		Header:     make(http.Header, len(in.Headers)),
		Body:       newBody(ctx, in.Body, in.BodyReader, what),
	}
	for _, kv := range in.Headers {
		resp.Header.Add(kv[0], kv[1])
	}
	resp.ContentLength = contentLength(resp.Header, in.Body, in.BodyReader)
	return resp
}
