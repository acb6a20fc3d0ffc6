package conformance

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/godurable/godurable/durableobject/dotest"
	"github.com/godurable/godurable/worker"
	"github.com/godurable/godurable/ws"
)

// Dotest is the Target of a Go Worker run by the dotest harness on wazero.
type Dotest struct {
	W *dotest.Worker
}

// NewDotest starts the Go Worker pkg (a directory relative to the test's
// directory) in the dotest harness, with the environment of the nearest
// wrangler.toml.
func NewDotest(t testing.TB, pkg string) *Dotest {
	t.Helper()
	return &Dotest{W: dotest.New(t, &dotest.Options{Package: pkg})}
}

// Name implements Target.
func (d *Dotest) Name() string { return "dotest" }

// Fetch implements Target.
func (d *Dotest) Fetch(t testing.TB, req *http.Request) *Response {
	t.Helper()
	resp := d.W.Fetch(req)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return &Response{Status: resp.StatusCode, Header: resp.Header, Body: body}
}

// Stream implements Target.
func (d *Dotest) Stream(t testing.TB, req *http.Request) *http.Response {
	t.Helper()
	return d.W.Fetch(req)
}

// StreamObject implements Target.
func (d *Dotest) StreamObject(t testing.TB, binding, name string, req *http.Request) *http.Response {
	t.Helper()
	resp, err := d.W.Object(binding, name).Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	return resp
}

// Abandon implements Target: the request's context ends after d, which
// the harness turns into the cancellation workerd makes of a client's
// going away.
func (d *Dotest) Abandon(t testing.TB, req *http.Request, after time.Duration) {
	t.Helper()
	ctx, cancel := context.WithTimeout(req.Context(), after)
	defer cancel()
	resp := d.W.Fetch(req.WithContext(ctx))
	resp.Body.Close()
}

// Call implements Target. The arguments go through JSON, as they do on
// their way to the JavaScript caller in front of workerd.
func (d *Dotest) Call(t testing.TB, binding, name, method string, args ...any) (any, *JSError) {
	t.Helper()
	if args == nil {
		args = []any{}
	}
	b, err := json.Marshal(args)
	if err != nil {
		t.Fatal(err)
	}
	var jsArgs []any
	if err := json.Unmarshal(b, &jsArgs); err != nil {
		t.Fatal(err)
	}
	jsArgs = revive(jsArgs).([]any)
	var v any
	err = d.W.Object(binding, name).Call(context.Background(), method, &v, jsArgs...)
	if err != nil {
		var we *worker.Error
		if errors.As(err, &we) {
			return nil, &JSError{Name: we.ErrorName(), Message: we.Message, Code: we.Code}
		}
		t.Fatalf("calling %s.%s: %v", binding, method, err)
	}
	return Normalize(v), nil
}

// Restart implements Target.
func (d *Dotest) Restart(t testing.TB) { d.W.Restart() }

// DialWebSocket implements Target.
func (d *Dotest) DialWebSocket(t testing.TB, path string) (Socket, int) {
	t.Helper()
	s, resp, err := d.W.DialWebSocket(context.Background(), path, nil)
	if errors.Is(err, ws.ErrNotWebSocket) {
		return nil, resp.StatusCode
	}
	if err != nil {
		t.Fatalf("dialing %s: %v", path, err)
	}
	return s, resp.StatusCode
}

// Hibernate implements Target.
func (d *Dotest) Hibernate(t testing.TB, binding, name string) {
	d.W.Object(binding, name).Hibernate()
}
