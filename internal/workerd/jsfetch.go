package workerd

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"sync"

	"github.com/godurable/godurable/internal/abi"
)

// Requests and Responses among the model's JavaScript values, by
// reference, with bodies that stream: what new Request(...) and
// new Response(...) make, what the bindings' emulators give (a Cache's
// match) and take (a Cache's put), and what a fake's function returns as
// an *http.Response or *http.Request.
//
//   - A Request or Response is a JSObject with its properties (status,
//     headers, url, method, body), and the methods that read its body
//     (text, arrayBuffer, json); its body is a ReadableStream
//     (jsstream.go), of known length if it was given whole or through a
//     FixedLengthStream.
//   - Go reads it as a value (jsbridge's Call into an any or an
//     *http.Response value: abi.JSAsValue) whole, an abi.ExtRequest or
//     ExtResponse, as the shim's plainValue reads it; as a Response
//     (abi.JSAsResponse) with a body that streams into Go unless its
//     Content-Length says it is small, as the shim's responseToGo does.
//   - A fake's parameter of type *http.Response or *http.Request takes
//     one, its body reading the stream.

// fetchObject is what a Request or Response object is in Go.
type fetchObject struct {
	request    bool
	method     string // a Request's
	url        string // a Request's
	status     int    // a Response's
	statusText string
	header     http.Header
	body       *jsStream // nil for a null body
	length     int64     // the body's length, -1 if it is not known

	mu   sync.Mutex
	used bool // the body has been read, or given to be read
}

// errBodyUsed is workerd's refusal of a body read twice.
func errBodyUsed() error {
	return NewJSError("TypeError", "Body has already been used. It can only be used once. Use tee() first if you need to read it twice.")
}

// take returns the body's reader (http.NoBody for a null body), once.
func (f *fetchObject) take() (io.ReadCloser, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.used {
		return nil, errBodyUsed()
	}
	f.used = true
	if f.body == nil {
		return http.NoBody, nil
	}
	return f.body.r, nil
}

// readBody reads the whole body (nil for a null body).
func (f *fetchObject) readBody() ([]byte, error) {
	r, err := f.take()
	if err != nil || r == http.NoBody {
		return nil, err
	}
	defer r.Close()
	b, err := io.ReadAll(r)
	if err != nil {
		return nil, jsThrown(err)
	}
	return b, nil
}

// newFetchObject returns the Request or Response object of f.
func newFetchObject(f *fetchObject) *JSObject {
	o := &JSObject{fetch: f, Props: map[string]any{
		"headers": jsExt{typ: abi.ExtHeaders, data: mustMarshal(JSHeaders(f.header))},
		"body":    nil,
	}}
	if f.body != nil {
		o.Props["body"] = f.body
	}
	if f.request {
		o.Class = "Request"
		o.Props["method"] = f.method
		o.Props["url"] = f.url
	} else {
		o.Class = "Response"
		o.Props["status"] = float64(f.status)
		o.Props["statusText"] = f.statusText
		o.Props["ok"] = f.status >= 200 && f.status <= 299
		o.Props["redirected"] = false
		o.Props["url"] = ""
		o.Props["type"] = "default"
	}
	o.Methods = map[string]any{
		"arrayBuffer": func(context.Context) ([]byte, error) {
			b, err := f.readBody()
			if b == nil && err == nil {
				b = []byte{}
			}
			return b, err
		},
		"text": func(context.Context) (string, error) {
			b, err := f.readBody()
			return string(bytes.ToValidUTF8(b, []byte("\uFFFD"))), err
		},
		"json": func(context.Context) (any, error) {
			b, err := f.readBody()
			if err != nil {
				return nil, err
			}
			var v any
			if err := json.Unmarshal(b, &v); err != nil {
				return nil, NewJSError("SyntaxError", "Unexpected token in JSON: "+err.Error())
			}
			return v, nil
		},
	}
	return o
}

// fetchOf returns what v is, if it is a Request or Response object
// (request says which).
func fetchOf(v any, request bool) *fetchObject {
	o, _ := v.(*JSObject)
	if o == nil || o.fetch == nil || o.fetch.request != request {
		return nil
	}
	return o.fetch
}

// wholeStream is the ReadableStream of a body given whole (nil for none),
// and its length.
func wholeStream(b []byte) (*jsStream, int64) {
	if b == nil {
		return nil, 0
	}
	return &jsStream{r: io.NopCloser(bytes.NewReader(b))}, int64(len(b))
}

// bodyOf is the body of a fake's *http.Request or *http.Response: a
// stream read as it comes, of its ContentLength (unknown if 0 with a body
// other than http.NoBody).
func bodyOf(r io.ReadCloser, length int64) (*jsStream, int64) {
	if r == nil || r == http.NoBody {
		return nil, 0
	}
	if length == 0 {
		length = -1
	}
	return &jsStream{r: r}, length
}

// responseObject is the Response object of r, a fake's result.
func responseObject(r *http.Response) *JSObject {
	status := r.StatusCode
	if status == 0 {
		status = http.StatusOK
	}
	f := &fetchObject{status: status, statusText: http.StatusText(status), header: r.Header.Clone()}
	if f.header == nil {
		f.header = http.Header{}
	}
	if !nullBodyStatus[status] {
		f.body, f.length = bodyOf(r.Body, r.ContentLength)
	}
	return newFetchObject(f)
}

// requestObject is the Request object of r, a fake's result.
func requestObject(r *http.Request) *JSObject {
	f := &fetchObject{request: true, method: normalizeMethod(r.Method), url: r.URL.String(), header: r.Header.Clone()}
	if f.header == nil {
		f.header = http.Header{}
	}
	if f.method != http.MethodGet && f.method != http.MethodHead {
		f.body, f.length = bodyOf(r.Body, r.ContentLength)
	}
	return newFetchObject(f)
}

// fetchValueOf is the abi.ExtRequest or ExtResponse value of f, its body
// read whole, as the shim's plainValue gives Go a Request or Response.
func fetchValueOf(f *fetchObject) (any, error) {
	b, err := f.readBody()
	if err != nil {
		return nil, err
	}
	if f.request {
		return fetchValue(abi.ExtRequest, mustMarshal(&abi.Request{Method: f.method, URL: f.url, Headers: JSHeaders(f.header), Body: b}))
	}
	return fetchValue(abi.ExtResponse, mustMarshal(&abi.Response{Status: f.status, Headers: JSHeaders(f.header), Body: b}))
}

// responseToGoOf describes a Response object for Go (abi.JSAsResponse):
// its body streams unless its Content-Length says it is small, as the
// shim's responseToGo decides.
func (iso *Isolate) responseToGoOf(f *fetchObject) ([]byte, error) {
	n := int64(-1)
	if cl, err := strconv.ParseInt(f.header.Get("Content-Length"), 10, 64); err == nil && cl >= 0 {
		n = cl
	}
	body, err := f.take()
	if err != nil {
		return nil, err
	}
	return iso.responseToGo(&http.Response{StatusCode: f.status, Header: f.header, Body: body, ContentLength: n})
}

var (
	responseType = reflect.TypeFor[*http.Response]()
	requestType  = reflect.TypeFor[*http.Request]()
)

// fetchParam sets p, a parameter of a fake's method of type *http.Response
// or *http.Request, to the Response or Request object a, its body reading
// the object's; ok is false for a parameter of another type, or an
// argument that is no such object.
func fetchParam(a any, p reflect.Value) (ok bool, err error) {
	if p.Type() != responseType && p.Type() != requestType {
		return false, nil
	}
	f := fetchOf(a, p.Type() == requestType)
	if f == nil {
		return false, nil
	}
	body, err := f.take()
	if err != nil {
		return true, err
	}
	length := f.length
	if f.body == nil {
		length = 0
	}
	if f.request {
		r, err := http.NewRequest(f.method, f.url, body)
		if err != nil {
			return true, NewJSError("TypeError", "Invalid URL: "+f.url)
		}
		r.Header, r.ContentLength = f.header.Clone(), length
		p.Set(reflect.ValueOf(r))
		return true, nil
	}
	p.Set(reflect.ValueOf(&http.Response{
		Status: fmt.Sprintf("%d %s", f.status, f.statusText), StatusCode: f.status,
		Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header: f.header.Clone(), Body: body, ContentLength: length,
	}))
	return true, nil
}

// headersOf reads a HeadersInit of the model: Headers (an *http.Header
// once decoded), an object of names and values, or a list of pairs.
func headersOf(v any) (http.Header, error) {
	h := http.Header{}
	switch x := v.(type) {
	case nil:
	case *http.Header:
		for k, vs := range *x {
			for _, s := range vs {
				h.Add(k, s)
			}
		}
	case http.Header:
		return headersOf(&x)
	case map[string]any:
		for k, s := range x {
			h.Add(k, fmt.Sprint(s))
		}
	case []any:
		for _, p := range x {
			pair, ok := p.([]any)
			if !ok || len(pair) != 2 {
				return nil, NewJSError("TypeError", "Failed to construct 'Headers': a pair of the list is not a [name, value] pair")
			}
			h.Add(fmt.Sprint(pair[0]), fmt.Sprint(pair[1]))
		}
	default:
		return nil, NewJSError("TypeError", fmt.Sprintf("Failed to construct 'Headers': %T is not a HeadersInit", v))
	}
	return h, nil
}

// numberOf is v, a number decoded into an any, as a float64.
func numberOf(v any) (float64, bool) {
	switch x := reflect.ValueOf(v); x.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return float64(x.Int()), true
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return float64(x.Uint()), true
	case reflect.Float32, reflect.Float64:
		return x.Float(), true
	}
	return 0, false
}

// bodyInit reads a BodyInit of the model: null, a string (which also
// names its content type), bytes, or a ReadableStream (an io.ReadCloser,
// as a fake's any parameter takes one).
func bodyInit(v any) (body *jsStream, length int64, contentType string, err error) {
	switch x := v.(type) {
	case nil:
		return nil, 0, "", nil
	case string:
		body, length = wholeStream([]byte(x))
		return body, length, "text/plain;charset=UTF-8", nil
	case []byte:
		body, length = wholeStream(x)
		return body, length, "", nil
	case *fixedLengthReader: // a FixedLengthStream's readable half
		return &jsStream{r: x}, x.length, "", nil
	case io.ReadCloser:
		return &jsStream{r: x}, -1, "", nil
	}
	return nil, 0, "", NewJSError("TypeError", fmt.Sprintf("godurable: dotest's model takes a string, bytes, a ReadableStream or null as a body, not %T", v))
}

// newResponse is new Response(body, init), with workerd's refusals.
func newResponse(body any, init map[string]any) (*JSObject, error) {
	f := &fetchObject{status: http.StatusOK, header: http.Header{}}
	if s, ok := init["status"]; ok {
		n, ok := numberOf(s)
		if !ok {
			return nil, NewJSError("TypeError", "Failed to construct 'Response': status is not a number")
		}
		f.status = int(n)
	}
	if f.status < 200 || f.status > 599 {
		return nil, NewJSError("RangeError", "Responses may only be constructed with status codes in the range 200 to 599, inclusive.")
	}
	if t, ok := init["statusText"].(string); ok {
		if strings.ContainsFunc(t, func(r rune) bool { return r < 0x20 }) {
			return nil, NewJSError("TypeError", "Invalid statusText")
		}
		f.statusText = t
	}
	var err error
	if f.header, err = headersOf(init["headers"]); err != nil {
		return nil, err
	}
	var contentType string
	if f.body, f.length, contentType, err = bodyInit(body); err != nil {
		return nil, err
	}
	if nullBodyStatus[f.status] && f.body != nil {
		if f.length != 0 {
			return nil, NewJSError("TypeError", "Response with null body status (101, 204, 205, or 304) cannot have a body.")
		}
		f.body = nil // a zero-length buffer: workerd takes it for null
	}
	if f.body != nil && contentType != "" && f.header.Get("Content-Type") == "" {
		f.header.Set("Content-Type", contentType)
	}
	return newFetchObject(f), nil
}

// newRequest is new Request(input, init): input a URL or a Request.
func newRequest(input any, init map[string]any) (*JSObject, error) {
	f := &fetchObject{request: true, method: http.MethodGet, header: http.Header{}}
	switch x := input.(type) {
	case string:
		u, err := url.Parse(x)
		if err != nil || !u.IsAbs() {
			return nil, NewJSError("TypeError", "Invalid URL: "+x)
		}
		f.url = u.String()
	case *http.Request:
		f.method, f.url, f.header = normalizeMethod(x.Method), x.URL.String(), x.Header.Clone()
	default:
		g := fetchOf(input, true)
		if g == nil {
			return nil, NewJSError("TypeError", fmt.Sprintf("Failed to construct 'Request': %T is not a URL or a Request", input))
		}
		f.method, f.url, f.header, f.body, f.length = g.method, g.url, g.header.Clone(), g.body, g.length
	}
	if m, ok := init["method"].(string); ok {
		f.method = normalizeMethod(m)
	}
	if h, ok := init["headers"]; ok {
		var err error
		if f.header, err = headersOf(h); err != nil {
			return nil, err
		}
	}
	if b, ok := init["body"]; ok {
		var err error
		if f.body, f.length, _, err = bodyInit(b); err != nil {
			return nil, err
		}
	}
	if f.body != nil && (f.method == http.MethodGet || f.method == http.MethodHead) {
		return nil, NewJSError("TypeError", "Request with a GET or HEAD method cannot have a body.")
	}
	return newFetchObject(f), nil
}

func init() {
	registerGlobal("Response", func() *JSObject {
		return &JSObject{Class: "Function", Func: newResponse}
	})
	registerGlobal("Request", func() *JSObject {
		return &JSObject{Class: "Function", Func: newRequest}
	})
}
