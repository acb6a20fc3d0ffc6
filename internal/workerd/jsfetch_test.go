package workerd

import (
	"errors"
	"io"
	"net/http"
	"reflect"
	"strings"
	"testing"

	"github.com/godurable/godurable/internal/driver"
)

// The model's Request and Response objects: what new Response refuses,
// a body read once, and a fake's *http.Response parameter.
func TestFetchObjects(t *testing.T) {
	jsErr := func(err error) string {
		var je *driver.JSError
		if !errors.As(err, &je) {
			return "no JavaScript error: " + errString(err)
		}
		return je.Err.Name + ": " + je.Err.Message
	}
	if _, err := newResponse("x", map[string]any{"status": int64(204)}); jsErr(err) != "TypeError: Response with null body status (101, 204, 205, or 304) cannot have a body." {
		t.Errorf("a body with 204: %v", err)
	}
	if _, err := newResponse(nil, map[string]any{"status": 99.0}); !strings.HasPrefix(jsErr(err), "RangeError: ") {
		t.Errorf("status 99: %v", err)
	}
	o, err := newResponse([]byte{}, map[string]any{"status": int64(204)})
	if err != nil || o.fetch.body != nil {
		t.Errorf("an empty body with 204 is null: %v", err)
	}
	o, err = newResponse("héllo", map[string]any{"headers": map[string]any{"X-A": "1"}})
	if err != nil {
		t.Fatal(err)
	}
	f := o.fetch
	if f.status != 200 || f.length != 6 || f.header.Get("Content-Type") != "text/plain;charset=UTF-8" || f.header.Get("X-A") != "1" {
		t.Errorf("new Response(text): %+v", f)
	}
	p := reflect.New(responseType).Elem()
	if ok, err := fetchParam(o, p); !ok || err != nil {
		t.Fatalf("fetchParam: %v %v", ok, err)
	}
	resp := p.Interface().(*http.Response)
	if b, _ := io.ReadAll(resp.Body); string(b) != "héllo" || resp.ContentLength != 6 {
		t.Errorf("the parameter's body %q, length %d", b, resp.ContentLength)
	}
	if _, err := f.readBody(); jsErr(err) != "TypeError: Body has already been used. It can only be used once. Use tee() first if you need to read it twice." {
		t.Errorf("a body read twice: %v", err)
	}
	if _, err := newRequest("/relative", nil); jsErr(err) != "TypeError: Invalid URL: /relative" {
		t.Errorf("a relative URL: %v", err)
	}
	if _, err := newRequest("https://x.test/", map[string]any{"body": "b"}); !strings.Contains(jsErr(err), "GET or HEAD") {
		t.Errorf("a GET with a body: %v", err)
	}
}

func errString(err error) string {
	if err == nil {
		return "<nil>"
	}
	return err.Error()
}
