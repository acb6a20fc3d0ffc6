package conformance

import (
	"bufio"
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
	// Services are the entrypoints that the JavaScript caller's service
	// bindings reach, by binding (called with the name ServiceBinding).
	Services map[string]*dotest.Entrypoint
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
	var v any
	if jerr := d.call(t, binding, name, method, &v, args); jerr != nil {
		return nil, jerr
	}
	return Normalize(v), nil
}

// CallStream implements Target.
func (d *Dotest) CallStream(t testing.TB, binding, name, method string, args ...any) (io.ReadCloser, *JSError) {
	t.Helper()
	var st worker.Stream
	if jerr := d.call(t, binding, name, method, &st, args); jerr != nil {
		return nil, jerr
	}
	return &st, nil
}

// ReadStream implements Target: a stream that its producer cut short
// fails the read with the error a JavaScript reader catches.
func (d *Dotest) ReadStream(t testing.TB, binding, name, method string, lines int, args ...any) (string, *JSError) {
	t.Helper()
	r, jerr := d.CallStream(t, binding, name, method, args...)
	if jerr != nil {
		return "", jerr
	}
	defer r.Close()
	var b []byte
	var err error
	if lines > 0 {
		br := bufio.NewReader(r)
		for range lines {
			var line []byte
			if line, err = br.ReadBytes('\n'); err != nil {
				break
			}
			b = append(b, line...)
		}
	} else {
		b, err = io.ReadAll(r)
	}
	var we *worker.Error
	if errors.As(err, &we) {
		return string(b), &JSError{Name: we.ErrorName(), Message: we.Message, Code: we.Code}
	}
	if err != nil {
		t.Fatalf("reading the stream of %s.%s: %v", binding, method, err)
	}
	return string(b), nil
}

// call calls method with the arguments as the JavaScript caller passes
// them (a JSStream as a stream) and decodes its result into result.
// CallThen implements Target: the stub comes back as a *dotest.Object.
func (d *Dotest) CallThen(t testing.TB, binding, name, method string, args []any, then string, thenArgs ...any) (any, *JSError) {
	t.Helper()
	var o *dotest.Object
	if jerr := d.call(t, binding, name, method, &o, args); jerr != nil {
		return nil, jerr
	}
	if o == nil {
		t.Fatalf("%s.%s returned no stub", binding, method)
	}
	var v any
	if jerr := d.callObject(t, o, then, &v, thenArgs); jerr != nil {
		return nil, jerr
	}
	return Normalize(v), nil
}

func (d *Dotest) call(t testing.TB, binding, name, method string, result any, args []any) *JSError {
	t.Helper()
	if name == ServiceBinding {
		e := d.Services[binding]
		if e == nil {
			t.Fatalf("no entrypoint for the JavaScript caller's service binding %s", binding)
		}
		return d.callObject(t, e, method, result, args)
	}
	return d.callObject(t, d.W.Object(binding, name), method, result, args)
}

// withObjects turns the JSStubs in v, at any depth, into what dotest
// passes as a stub: the *dotest.Object.
func (d *Dotest) withObjects(v any) any {
	switch v := v.(type) {
	case JSStub:
		return d.W.Object(v.Binding, v.Name)
	case []any:
		for i, e := range v {
			v[i] = d.withObjects(e)
		}
	case map[string]any:
		for k, e := range v {
			v[k] = d.withObjects(e)
		}
	}
	return v
}

func (d *Dotest) callObject(t testing.TB, o worker.Caller, method string, result any, args []any) *JSError {
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
	jsArgs = d.withObjects(revive(jsArgs)).([]any)
	for i, a := range args {
		if s, ok := a.(JSStream); ok {
			jsArgs[i] = s.R
		}
	}
	err = o.Call(context.Background(), method, result, jsArgs...)
	if err != nil {
		var we *worker.Error
		if errors.As(err, &we) {
			return &JSError{Name: we.ErrorName(), Message: we.Message, Code: we.Code}
		}
		t.Fatalf("calling %s: %v", method, err)
	}
	return nil
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

// Scheduled implements Target with Worker.Scheduled, and the run it
// recorded.
func (d *Dotest) Scheduled(t testing.TB, cron string, at time.Time) ScheduledResult {
	t.Helper()
	out := ScheduledResult{Outcome: "ok"}
	if err := d.W.Scheduled(context.Background(), cron, at); err != nil {
		t.Logf("scheduled %q: %v", cron, err)
		out.Outcome = "exception"
	}
	runs := d.W.ScheduledRuns()
	for i := len(runs) - 1; i >= 0; i-- {
		if runs[i].Cron == cron && runs[i].ScheduledTime.Equal(at) {
			out.NoRetry = runs[i].NoRetry
			return out
		}
	}
	t.Fatalf("scheduled %q at %s: no run recorded", cron, at)
	return out
}
