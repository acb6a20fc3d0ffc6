package abi

import (
	"io"
	"net/http"
	"reflect"
	"strings"
	"testing"
)

func TestHeadersRoundTrip(t *testing.T) {
	h := http.Header{"X-A": {"1", "2"}, "Content-Type": {"text/plain"}}
	b, err := EncodeValue(h)
	if err != nil {
		t.Fatal(err)
	}
	var got http.Header
	if err := DecodeValue(b, &got); err != nil || !reflect.DeepEqual(got, h) {
		t.Fatalf("into an http.Header: %v, %v", got, err)
	}
	var v any
	if err := DecodeValue(b, &v); err != nil || !reflect.DeepEqual(v, &h) {
		t.Fatalf("into an any: %#v, %v", v, err)
	}
	if err := DecodeValue([]byte{0xc0}, &got); err != nil || got != nil {
		t.Fatalf("nil: %v, %v", got, err)
	}
	if err := DecodeValue([]byte{0x80}, &got); err == nil {
		t.Fatal("an object decoded as Headers")
	}
}

func TestRequestRoundTrip(t *testing.T) {
	r, _ := http.NewRequest("POST", "https://example.com/a?b=1", strings.NewReader("body"))
	r.Header.Set("X-Test", "yes")
	b, err := EncodeValue(r)
	if err != nil {
		t.Fatal(err)
	}
	var got *http.Request
	if err := DecodeValue(b, &got); err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(got.Body)
	if got.Method != "POST" || got.URL.String() != "https://example.com/a?b=1" || got.Header.Get("X-Test") != "yes" || string(body) != "body" || got.ContentLength != 4 {
		t.Fatalf("got %s %s %v %q (%d)", got.Method, got.URL, got.Header, body, got.ContentLength)
	}
}

func TestResponseRoundTrip(t *testing.T) {
	r := &http.Response{StatusCode: 404, Header: http.Header{"X-Why": {"gone"}}, Body: io.NopCloser(strings.NewReader("nope"))}
	b, err := EncodeValue(r)
	if err != nil {
		t.Fatal(err)
	}
	var got *http.Response
	if err := DecodeValue(b, &got); err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(got.Body)
	if got.StatusCode != 404 || got.Status != "404 Not Found" || got.Header.Get("X-Why") != "gone" || string(body) != "nope" {
		t.Fatalf("got %s %v %q", got.Status, got.Header, body)
	}
	var none *http.Response
	if b, err := EncodeValue(none); err != nil || len(b) != 1 || b[0] != 0xc0 {
		t.Fatalf("a nil *http.Response: %x, %v", b, err)
	}
}
