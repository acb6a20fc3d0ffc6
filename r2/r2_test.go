package r2

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/godurable/godurable/worker"
)

func TestFromEnv(t *testing.T) {
	if _, err := FromEnv(nil, "BLOBS"); !errors.Is(err, ErrNotR2) {
		t.Errorf("nil env: %v", err)
	}
	env, _ := worker.GetEnv() // empty off wasm
	_, err := FromEnv(env, "BLOBS")
	if !errors.Is(err, ErrNotR2) || !errors.Is(err, worker.ErrNoBinding) || !strings.Contains(err.Error(), "[[r2_buckets]]") {
		t.Errorf("no binding: %v", err)
	}
}

func TestOpError(t *testing.T) {
	we := worker.NewError("Error", "put: The SHA-256 checksum you specified did not match what we received.\nYou provided ...\nActual SHA-256 was: 2cf2 (10037)")
	err := opError("put", "k", we)
	var re *Error
	if !errors.As(err, &re) || re.Op != "put" || re.Code != CodeBadDigest || !strings.HasPrefix(re.Message, "The SHA-256 checksum") || !strings.HasSuffix(re.Message, "2cf2") {
		t.Fatalf("opError = %#v", err)
	}
	if !errors.Is(err, we) || err.Error() != "r2: "+we.Message {
		t.Errorf("the *worker.Error is not kept: %v", err)
	}
	// workerd's own checks are not R2's errors.
	te := worker.NewError("TypeError", "You cannot specify multiple hashing algorithms.")
	if err := opError("put", "k", te); errors.As(err, &re) || !errors.Is(err, te) || err.Error() != `r2: put "k": You cannot specify multiple hashing algorithms.` {
		t.Errorf("a TypeError: %v", err)
	}
}

// TestUploadWhole: a small body crosses whole, its size told from its type
// when -1, and checked otherwise (none of this calls the host).
func TestUploadWhole(t *testing.T) {
	for _, c := range []struct {
		body io.Reader
		size int64
		want string
		err  error
	}{
		{nil, -1, "", nil},
		{http.NoBody, -1, "", nil},
		{strings.NewReader("abc"), -1, "abc", nil},
		{bytes.NewReader([]byte("abcd")), -1, "abcd", nil},
		{bytes.NewBufferString("ab"), -1, "ab", nil},
		{strings.NewReader("abc"), 3, "abc", nil},
		{io.MultiReader(strings.NewReader("abc")), -1, "", ErrUnknownSize},
		{strings.NewReader("abc"), 2, "", ErrSize},
		{nil, 2, "", ErrSize},
	} {
		up, err := newUpload(t.Context(), c.body, c.size)
		if !errors.Is(err, c.err) {
			t.Errorf("%T of %d: %v, want %v", c.body, c.size, err, c.err)
			continue
		}
		if err == nil && string(up.Value.([]byte)) != c.want {
			t.Errorf("%T of %d: %q, want %q", c.body, c.size, up.Value, c.want)
		}
	}
}

func TestHTTPMetadata(t *testing.T) {
	h := http.Header{"Content-Type": {"text/html"}, "Content-Language": {"en"}, "Content-Disposition": {"inline"},
		"Content-Encoding": {"gzip"}, "Cache-Control": {"no-cache"}, "Expires": {"Wed, 21 Oct 2015 07:28:00 GMT"}, "X-Other": {"x"}}
	m := HTTPMetadataFromHeader(h)
	want := HTTPMetadata{ContentType: "text/html", ContentLanguage: "en", ContentDisposition: "inline", ContentEncoding: "gzip",
		CacheControl: "no-cache", CacheExpiry: time.Date(2015, 10, 21, 7, 28, 0, 0, time.UTC)}
	if !m.CacheExpiry.Equal(want.CacheExpiry) {
		t.Errorf("CacheExpiry = %v", m.CacheExpiry)
	}
	m.CacheExpiry = want.CacheExpiry
	if m != want {
		t.Errorf("HTTPMetadataFromHeader = %+v", m)
	}
	written := http.Header{}
	m.Write(written)
	delete(h, "X-Other")
	if !reflect.DeepEqual(written, h) {
		t.Errorf("Write = %v, want %v", written, h)
	}
	if js := m.js(); len(js) != 6 || js["cacheExpiry"] != m.CacheExpiry {
		t.Errorf("js = %v", js)
	}
	if HTTPMetadataFromHeader(http.Header{"Expires": {"never"}}).CacheExpiry != (time.Time{}) {
		t.Errorf("an Expires that is not a date")
	}
}

func TestChecksumsJSON(t *testing.T) {
	var c Checksums
	if err := json.Unmarshal([]byte(`{"md5":"00ff","sha256":"0102"}`), &c); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(c.MD5, []byte{0, 255}) || !bytes.Equal(c.SHA256, []byte{1, 2}) || c.SHA1 != nil {
		t.Errorf("decoded %+v", c)
	}
	if b, _ := json.Marshal(c); string(b) != `{"md5":"00ff","sha256":"0102"}` {
		t.Errorf("encoded %s", b)
	}
	if err := json.Unmarshal([]byte(`{"md5":"zz"}`), &c); err == nil {
		t.Errorf("bad hex accepted")
	}
}

func TestOptionsToJS(t *testing.T) {
	for _, c := range []struct {
		r    *Range
		want any
	}{
		{&Range{Offset: 2, Length: 3}, map[string]any{"offset": int64(2), "length": int64(3)}},
		{&Range{}, map[string]any{"offset": int64(0)}},
		{&Range{Suffix: 4}, map[string]any{"suffix": int64(4)}},
		{&Range{Suffix: 4, Offset: 1}, map[string]any{"suffix": int64(4), "offset": int64(1)}},
		{RangeFromHeader(http.Header{"Range": {"bytes=0-1"}}), http.Header{"Range": {"bytes=0-1"}}},
	} {
		if got := c.r.js(); !reflect.DeepEqual(got, c.want) {
			t.Errorf("%+v: %#v, want %#v", c.r, got, c.want)
		}
	}
	if RangeFromHeader(http.Header{}) != nil || ConditionalFromHeader(http.Header{"Range": {"x"}}) != nil {
		t.Errorf("headers without a range or conditions")
	}
	when := time.UnixMilli(1000)
	c := &Conditional{ETagMatches: "a", UploadedAfter: when, SecondsGranularity: true}
	if got := c.js(); !reflect.DeepEqual(got, map[string]any{"etagMatches": "a", "uploadedAfter": when, "secondsGranularity": true}) {
		t.Errorf("conditional: %#v", got)
	}
	h := http.Header{"If-None-Match": {`"a"`, `"b"`}, "If-Modified-Since": {"x"}, "Content-Type": {"y"}}
	if got := ConditionalFromHeader(h).js(); !reflect.DeepEqual(got, http.Header{"If-None-Match": {`"a"`, `"b"`}, "If-Modified-Since": {"x"}}) {
		t.Errorf("conditions of headers: %#v", got)
	}
}
