package dotest

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/godurable/godurable/internal/abi"
	"github.com/godurable/godurable/internal/workerd"
)

// The Worker's HTTP: requests to its handler (Fetch, Do, Get, Post), and
// the outbound fetches it makes (Options.Fetch).

// fetcher returns the outbound fetch: h served in process, else the
// network. Both follow redirects, as fetch does.
func fetcher(h http.Handler) func(*http.Request) (*http.Response, error) {
	client := &http.Client{}
	if h != nil {
		client.Transport = handlerTransport{h}
	}
	return client.Do
}

type handlerTransport struct{ h http.Handler }

func (t handlerTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	rec := httptest.NewRecorder()
	if req.Body == nil {
		req.Body = http.NoBody
	}
	req.RequestURI = req.URL.RequestURI()
	if req.Host == "" {
		req.Host = req.URL.Host
	}
	t.h.ServeHTTP(rec, req)
	resp := rec.Result()
	resp.Request = req
	return resp, nil
}

// Fetch sends req to the Worker's handler and returns its response, as a
// client would get it. If the handler fails (a panic, a crash of the Go
// instance), the response is a 500, as from workerd, and the error goes
// to the Worker's output; use Do to get the error instead. A request
// without a host gets example.com, as with httptest.NewRequest.
func (w *Worker) Fetch(req *http.Request) *http.Response {
	resp, err := w.Do(req)
	if err != nil {
		w.log(fmt.Sprintf("dotest: %s %s: %v", req.Method, req.URL, err))
		return errorResponse(req)
	}
	return resp
}

func errorResponse(req *http.Request) *http.Response {
	body := "Internal Server Error"
	return &http.Response{
		Status: "500 Internal Server Error", StatusCode: 500, Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header:        http.Header{"Content-Type": {"text/plain;charset=UTF-8"}, "Content-Length": {fmt.Sprint(len(body))}},
		Body:          io.NopCloser(strings.NewReader(body)),
		ContentLength: int64(len(body)),
		Request:       req,
	}
}

// Do sends req to the Worker's handler, within req.Context() and
// Options.Timeout. It returns the error the handler failed with, a
// *worker.Error, or an error wrapping ErrTimeout.
func (w *Worker) Do(req *http.Request) (*http.Response, error) {
	in, err := workerd.RequestToGo(req)
	if err != nil {
		return nil, err
	}
	ctx, cancel := w.eventContext(req.Context())
	defer cancel()
	out, err := w.iso.Fetch(ctx, in)
	if err != nil {
		return nil, guestError(err)
	}
	if out.Status == http.StatusSwitchingProtocols {
		// A 101 without a WebSocket client: the socket stays unclaimed.
		out.Headers = withoutHeader(out.Headers, abi.WebSocketHeader)
	}
	return workerd.ResponseFromGo(out, req), nil
}

func withoutHeader(h [][2]string, name string) [][2]string {
	out := make([][2]string, 0, len(h))
	for _, kv := range h {
		if !strings.EqualFold(kv[0], name) {
			out = append(out, kv)
		}
	}
	return out
}

// Get is a shortcut for Fetch of a GET request of path (e.g. "/counter/a")
// that returns the status and the body; it fails t if reading the body fails.
func (w *Worker) Get(t testing.TB, path string) (status int, body string) {
	t.Helper()
	return w.roundTrip(t, httptest.NewRequest(http.MethodGet, path, nil))
}

// Post is like Get for a POST request with body, of the given content type.
func (w *Worker) Post(t testing.TB, path, contentType string, body []byte) (status int, respBody string) {
	t.Helper()
	req := httptest.NewRequest(http.MethodPost, path, bytes.NewReader(body))
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	return w.roundTrip(t, req)
}

func (w *Worker) roundTrip(t testing.TB, req *http.Request) (int, string) {
	t.Helper()
	resp := w.Fetch(req)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("dotest: %s %s: reading the body: %v", req.Method, req.URL, err)
	}
	return resp.StatusCode, string(b)
}
