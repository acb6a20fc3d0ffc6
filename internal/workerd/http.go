package workerd

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strconv"
	"strings"

	"github.com/godurable/godurable/internal/abi"
)

// JSHeaders lists h as a JavaScript Headers object iterates it: names in
// lower case and sorted, the values of a repeated header joined with ", ",
// except Set-Cookie, whose values stay apart.
func JSHeaders(h http.Header) [][2]string {
	names := make([]string, 0, len(h))
	values := map[string][]string{}
	for k, vs := range h {
		lk := strings.ToLower(k)
		if _, ok := values[lk]; !ok {
			names = append(names, lk)
		}
		values[lk] = append(values[lk], vs...)
	}
	sort.Strings(names)
	out := make([][2]string, 0, len(names))
	for _, n := range names {
		vs := values[n]
		if n == "set-cookie" {
			for _, v := range vs {
				out = append(out, [2]string{n, v})
			}
			continue
		}
		out = append(out, [2]string{n, strings.Join(vs, ", ")})
	}
	return out
}

// RequestToGo describes an incoming request as the shim does. A request
// without a host gets "example.com", like httptest.NewRequest.
func RequestToGo(r *http.Request) (*abi.Request, error) {
	u := *r.URL
	if u.Scheme == "" {
		u.Scheme = "http"
		if r.TLS != nil {
			u.Scheme = "https"
		}
	}
	if u.Host == "" {
		u.Host = r.Host
		if u.Host == "" {
			u.Host = "example.com"
		}
	}
	out := &abi.Request{Method: normalizeMethod(r.Method), URL: u.String(), Headers: JSHeaders(r.Header)}
	if out.Method == "" {
		out.Method = http.MethodGet
	}
	if r.Body != nil && r.Body != http.NoBody && streams(r.ContentLength, r.Header) {
		out.Rest = r.Body
		if r.ContentLength > 0 && r.Header.Get("Content-Length") == "" {
			h := r.Header.Clone() // as a client sends it: the body's length is known
			h.Set("Content-Length", strconv.FormatInt(r.ContentLength, 10))
			out.Headers = JSHeaders(h)
		}
	} else if r.Body != nil && r.Body != http.NoBody {
		b, err := io.ReadAll(r.Body)
		r.Body.Close()
		if err != nil {
			return nil, fmt.Errorf("reading the request body: %w", err)
		}
		if len(b) > 0 {
			out.Body = b
		}
	}
	return out, nil
}

// normalizeMethod upper-cases the methods fetch normalizes.
func normalizeMethod(m string) string {
	switch u := strings.ToUpper(m); u {
	case "DELETE", "GET", "HEAD", "OPTIONS", "POST", "PUT":
		return u
	}
	return m
}

var nullBodyStatus = map[int]bool{101: true, 204: true, 205: true, 304: true}

// ResponseFromGo builds the http.Response a client of the Worker gets.
func ResponseFromGo(r *abi.Response, req *http.Request) *http.Response {
	body := r.Body
	if nullBodyStatus[r.Status] {
		body = nil
	}
	if req != nil && req.Method == http.MethodHead {
		// workerd sends a HEAD's status and headers, and no body, whatever
		// the handler wrote; a known length stays in Content-Length.
		resp := ResponseFromGo(&abi.Response{Status: r.Status, Headers: r.Headers, Body: body}, nil)
		if r.Rest != nil {
			r.Rest.Close()
			if _, ok := fixedLength(resp.Header); !ok {
				resp.Header.Del("Content-Length")
			}
		}
		resp.Body, resp.ContentLength, resp.Request = http.NoBody, 0, req
		return resp
	}
	if r.Rest != nil {
		h := abi.PairsHeader(jsHeadersOfPairs(r.Headers))
		resp := &http.Response{
			Status: fmt.Sprintf("%d %s", r.Status, http.StatusText(r.Status)), StatusCode: r.Status,
			Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1, Header: h,
			Body:          readCloser{io.MultiReader(bytes.NewReader(body), r.Rest), r.Rest},
			ContentLength: -1, TransferEncoding: []string{"chunked"}, Request: req,
		}
		if n, ok := fixedLength(h); ok {
			// The shim sends it through a FixedLengthStream of that length.
			resp.Body = readCloser{&lengthReader{r: resp.Body, left: n}, r.Rest}
			resp.ContentLength, resp.TransferEncoding = n, nil
		} else {
			h.Del("Content-Length") // a streamed body goes out chunked
		}
		return resp
	}
	resp := &http.Response{
		Status:        fmt.Sprintf("%d %s", r.Status, http.StatusText(r.Status)),
		StatusCode:    r.Status,
		Proto:         "HTTP/1.1",
		ProtoMajor:    1,
		ProtoMinor:    1,
		Header:        abi.PairsHeader(jsHeadersOfPairs(r.Headers)),
		Body:          io.NopCloser(bytes.NewReader(body)),
		ContentLength: int64(len(body)),
		Request:       req,
	}
	if !nullBodyStatus[r.Status] && resp.Header.Get("Content-Length") == "" {
		resp.Header.Set("Content-Length", strconv.Itoa(len(body)))
	}
	return resp
}

// fixedLength returns the Content-Length of h, if it is a length (the
// shim's fixedLength).
func fixedLength(h http.Header) (int64, bool) {
	v := h.Get("Content-Length")
	if len(v) == 0 || len(v) > 15 || strings.Trim(v, "0123456789") != "" {
		return 0, false
	}
	n, err := strconv.ParseInt(v, 10, 64)
	return n, err == nil
}

// lengthReader reads a body of a known length as workerd's
// FixedLengthStream passes it on: one that ends before its length, or
// goes on after it, fails.
type lengthReader struct {
	r    io.Reader
	left int64
}

// errFixedLength is workerd's error for a FixedLengthStream that got
// another number of bytes than its length.
var errFixedLength = errors.New("workerd: the streamed body's length is not its Content-Length (FixedLengthStream)")

func (l *lengthReader) Read(p []byte) (int, error) {
	n, err := l.r.Read(p)
	l.left -= int64(n)
	switch {
	case l.left < 0:
		return n + int(l.left), errFixedLength
	case err == io.EOF && l.left > 0:
		return n, errFixedLength
	}
	return n, err
}

// jsHeadersOfPairs passes pairs through a Headers object.
func jsHeadersOfPairs(pairs [][2]string) [][2]string {
	return JSHeaders(abi.PairsHeader(pairs))
}

// requestFromGo builds the outbound request of the shim's fetch.
func requestFromGo(r *abi.Request) (*http.Request, error) {
	var body io.Reader
	method := normalizeMethod(r.Method)
	if len(r.Body) > 0 && method != http.MethodGet && method != http.MethodHead {
		body = bytes.NewReader(r.Body)
	}
	req, err := http.NewRequest(method, r.URL, body)
	if err != nil {
		return nil, NewJSError("TypeError", "Invalid URL: "+r.URL)
	}
	if req.URL.Scheme != "http" && req.URL.Scheme != "https" {
		return nil, NewJSError("TypeError", "Fetch API cannot load: "+r.URL)
	}
	for _, kv := range r.Headers {
		req.Header.Add(kv[0], kv[1])
	}
	return req, nil
}

// responseToGo describes a response as the shim does.
func (iso *Isolate) responseToGo(resp *http.Response) ([]byte, error) {
	out := &abi.Response{Status: resp.StatusCode, Headers: JSHeaders(resp.Header)}
	if resp.StatusCode != http.StatusSwitchingProtocols && streams(resp.ContentLength, resp.Header) {
		out.Body, out.BodyReader = []byte{}, iso.readers.add(resp.Body)
		return mustMarshal(out), nil
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, NewJSError("TypeError", "Network connection lost.")
	}
	out.Body = b
	return mustMarshal(out), nil
}

// readCloser reads from one reader and closes another.
type readCloser struct {
	io.Reader
	io.Closer
}
