package workerd

import (
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/godurable/godurable/internal/abi"
)

// TestStreamedContentLength: a streamed response keeps the Content-Length
// its handler set, as the shim's FixedLengthStream sends it, and fails if
// the body is not that long; without one it goes out chunked.
func TestStreamedContentLength(t *testing.T) {
	get := httptestRequest(http.MethodGet)
	for _, c := range []struct {
		length, first, rest string
		wantLength          int64
		wantErr             bool
	}{
		{"", "ab", "cdef", -1, false},
		{"6", "ab", "cdef", 6, false},
		{"5", "ab", "cdef", 5, true},
		{"7", "ab", "cdef", 7, true},
		{"6x", "ab", "cdef", -1, false},
	} {
		headers := [][2]string{{"content-type", "text/plain"}}
		if c.length != "" {
			headers = append(headers, [2]string{"content-length", c.length})
		}
		resp := ResponseFromGo(&abi.Response{Status: 200, Headers: headers, Body: []byte(c.first), Rest: io.NopCloser(strings.NewReader(c.rest))}, get)
		body, err := io.ReadAll(resp.Body)
		if resp.ContentLength != c.wantLength || errors.Is(err, errFixedLength) != c.wantErr || (err == nil && string(body) != c.first+c.rest) {
			t.Errorf("Content-Length %q: length %d, %q, %v", c.length, resp.ContentLength, body, err)
		}
		if want := c.length; c.wantLength < 0 && resp.Header.Get("Content-Length") != "" || c.wantLength >= 0 && resp.Header.Get("Content-Length") != want {
			t.Errorf("Content-Length %q: the header %q", c.length, resp.Header.Get("Content-Length"))
		}
	}
	head := ResponseFromGo(&abi.Response{Status: 200, Headers: [][2]string{{"content-length", "6"}}, Rest: io.NopCloser(strings.NewReader("abcdef"))}, httptestRequest(http.MethodHead))
	if head.Header.Get("Content-Length") != "6" {
		t.Errorf("HEAD: Content-Length %q", head.Header.Get("Content-Length"))
	}
}

func httptestRequest(method string) *http.Request {
	r, _ := http.NewRequest(method, "http://example.com/", nil)
	return r
}
