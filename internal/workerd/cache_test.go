package workerd

import (
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"
)

// The cache's rules where JavaScript's quirks decide them, as
// http-cache-semantics and miniflare read headers.
func TestCacheHeaderParsing(t *testing.T) {
	cc := parseCacheControl(` max-age="60" , No-Store, a=b=c, s-maxage=`)
	want := map[string]ccValue{"max-age": {value: "60"}, "No-Store": {flag: true}, "a": {value: "b"}, "s-maxage": {}}
	if !reflect.DeepEqual(cc, want) {
		t.Errorf("parseCacheControl = %v, want %v", cc, want)
	}
	if cc["s-maxage"].set() || !cc["max-age"].set() || cc["no-store"].set() {
		t.Error("an empty value is unset, a name is not folded")
	}
	for s, want := range map[string]float64{"60": 60, " 7s": 7, "-5": -5, "+3": 3, "abc": 0, "": 0, "1e3": 1} {
		if got := parseIntOrZero(s); got != want {
			t.Errorf("parseIntOrZero(%q) = %v, want %v", s, got, want)
		}
	}
	for _, c := range []struct {
		header string
		ranges [][2]int
		ok     bool
	}{
		{"bytes=2-4", [][2]int{{2, 4}}, true},
		{"bytes = 2-", [][2]int{{2, 9}}, true},
		{"BYTES=-3", [][2]int{{7, 9}}, true},
		{"bytes=-0", nil, true},
		{"bytes=-10", nil, true}, // a suffix of all of it: the whole body
		{"bytes=0-1,4-20", [][2]int{{0, 1}, {4, 9}}, true},
		{"bytes=", nil, true},
		{"bytes=5-2", nil, false},
		{"bytes=10-", nil, false},
		{"items=1-2", nil, false},
		{"bytes=a-b", nil, false},
	} {
		got, ok := parseRanges(c.header, 10)
		if ok != c.ok || !reflect.DeepEqual(got, c.ranges) {
			t.Errorf("parseRanges(%q) = %v, %v; want %v, %v", c.header, got, ok, c.ranges, c.ok)
		}
	}
}

// How long the cache keeps a response, from its headers.
func TestCacheTimeToLive(t *testing.T) {
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		header   http.Header
		status   int
		storable bool
		ttl      time.Duration
	}{
		{http.Header{}, 200, true, 0},
		{http.Header{"Cache-Control": {"max-age=60"}, "Age": {"15"}}, 200, true, 45 * time.Second},
		{http.Header{"Cache-Control": {"no-cache, stale-while-revalidate=30"}}, 200, true, 30 * time.Second},
		{http.Header{"Cache-Control": {"max-age=60, proxy-revalidate"}}, 200, true, 0},
		{http.Header{"Expires": {now.Add(time.Hour).Format(http.TimeFormat)}, "Date": {now.Add(-time.Hour).Format(http.TimeFormat)}}, 200, true, 2 * time.Hour},
		{http.Header{"Last-Modified": {now.Add(-100 * time.Second).Format(http.TimeFormat)}}, 200, true, 10 * time.Second},
		{http.Header{"Pragma": {"no-cache"}, "Expires": {now.Add(time.Hour).Format(http.TimeFormat)}}, 200, true, 0},
		{http.Header{"Cache-Control": {"max-age=60"}}, 307, true, time.Minute},
		{http.Header{}, 307, false, 0},
		{http.Header{"Cache-Control": {"public"}}, 500, false, 0},
	} {
		p := newCachePolicy(now, http.Header{}, c.status, c.header)
		if p.storable() != c.storable || p.timeToLive() != c.ttl {
			t.Errorf("%d %v: storable %v, time to live %v; want %v, %v", c.status, c.header, p.storable(), p.timeToLive(), c.storable, c.ttl)
		}
	}
	h := newCachePolicy(now, http.Header{}, 200, http.Header{"Warning": {`199 - "old", 299 - "kept"`}, "Date": {"x"}, "Keep-Alive": {"5"}}).storedHeaders()
	if h.Get("Warning") != `299 - "kept"` || h.Get("Date") != "Tue, 01 Dec 2026 12:00:00 GMT" || h.Get("Age") != "0" || h.Get("Keep-Alive") != "" {
		t.Errorf("stored headers: %v", h)
	}
}

// Several ranges are parts of a multipart/byteranges body, as miniflare
// writes it.
func TestCacheMultipleRanges(t *testing.T) {
	e := &cacheEntry{status: 200, header: http.Header{"Content-Type": {"text/plain"}, "Content-Length": {"10"}}, body: []byte("0123456789")}
	o := matchResponse(http.Header{"Range": {"bytes=0-1,4-5"}}, e)
	f := o.fetch
	ct := f.header.Get("Content-Type")
	boundary, ok := strings.CutPrefix(ct, "multipart/byteranges; boundary=")
	if f.status != 206 || !ok || f.header.Get("Content-Length") != "10" {
		t.Fatalf("%d %v", f.status, f.header)
	}
	b, err := f.readBody()
	if err != nil {
		t.Fatal(err)
	}
	want := "--" + boundary + "\r\nContent-Type: text/plain\r\nContent-Range: bytes 0-1/10\r\n\r\n01\r\n--" + boundary +
		"\r\nContent-Type: text/plain\r\nContent-Range: bytes 4-5/10\r\n\r\n45\r\n--" + boundary + "--"
	if string(b) != want {
		t.Errorf("body %q, want %q", b, want)
	}
}
