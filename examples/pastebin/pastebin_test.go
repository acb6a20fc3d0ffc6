package main

import (
	"crypto/md5"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"hash"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/godurable/godurable/durableobject/dotest"
	"github.com/godurable/godurable/worker"
)

// The contract under dotest, on a manual clock that starts 30 seconds
// after a cron trigger's time: the sweep (*/5 * * * *) runs when the test
// advances the clock past 00:05, 00:10, ...

var start = time.Date(2030, 1, 1, 0, 0, 30, 0, time.UTC)

func newWorker(t *testing.T) (*dotest.Worker, *dotest.ManualClock) {
	clock := dotest.NewManualClock(start)
	return dotest.New(t, &dotest.Options{Clock: clock}), clock
}

type response struct {
	status int
	header http.Header
	body   []byte
}

// fetch sends a request; size is its Content-Length (-1: a chunked body).
func fetch(t *testing.T, w *dotest.Worker, method, path string, body io.Reader, size int64, header http.Header) response {
	t.Helper()
	r := httptest.NewRequest(method, path, body)
	r.ContentLength = size
	for k, v := range header {
		r.Header[k] = v
	}
	resp := w.Fetch(r)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: reading the body: %v", method, path, err)
	}
	return response{resp.StatusCode, resp.Header, b}
}

// call is fetch of a JSON API route: it checks the status and the JSON
// body, and decodes the body into into.
func call(t *testing.T, w *dotest.Worker, method, path string, wantStatus int, into any) {
	t.Helper()
	r := fetch(t, w, method, path, nil, 0, nil)
	checkJSON(t, method+" "+path, r, wantStatus, into)
}

func checkJSON(t *testing.T, what string, r response, wantStatus int, into any) {
	t.Helper()
	if r.status != wantStatus {
		t.Fatalf("%s: status %d, want %d: %s", what, r.status, wantStatus, r.body)
	}
	if ct := r.header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("%s: Content-Type %q", what, ct)
	}
	if into != nil {
		if err := json.Unmarshal(r.body, into); err != nil {
			t.Fatalf("%s: %v: %s", what, err, r.body)
		}
	}
}

// wantError checks a JSON error: {"error": "..."} and nothing else.
func wantError(t *testing.T, what string, r response, status int) {
	t.Helper()
	var e map[string]any
	checkJSON(t, what, r, status, &e)
	if msg, ok := e["error"].(string); !ok || msg == "" || len(e) != 1 {
		t.Errorf("%s: %s, want {\"error\": \"...\"}", what, r.body)
	}
}

func post(t *testing.T, w *dotest.Worker, query, contentType, body string) Paste {
	t.Helper()
	h := http.Header{}
	if contentType != "" {
		h.Set("Content-Type", contentType)
	}
	var p Paste
	checkJSON(t, "POST /pastes"+query, fetch(t, w, "POST", "/pastes"+query, strings.NewReader(body), int64(len(body)), h), 201, &p)
	return p
}

// sameJSON reports whether a and b are the same as JSON.
func sameJSON(a, b any) bool {
	ja, err1 := json.Marshal(a)
	jb, err2 := json.Marshal(b)
	return err1 == nil && err2 == nil && string(ja) == string(jb)
}

func md5hex(b []byte) string { s := md5.Sum(b); return hex.EncodeToString(s[:]) }

var idPattern = regexp.MustCompile(`^[a-z0-9]{12}$`)

func TestCreate(t *testing.T) {
	w, clock := newWorker(t)
	r := fetch(t, w, "POST", "/pastes", strings.NewReader("hello, world"), 12, http.Header{"Content-Type": {"text/x-go; charset=utf-8"}})
	var fields map[string]any
	checkJSON(t, "POST /pastes", r, 201, &fields)
	id, _ := fields["id"].(string)
	if !idPattern.MatchString(id) {
		t.Errorf("id %q", id)
	}
	want := map[string]any{"id": id, "size": 12.0, "content_type": "text/x-go; charset=utf-8", "etag": md5hex([]byte("hello, world")), "expires_at": nil}
	if !sameJSON(fields, want) {
		t.Errorf("POST /pastes: %v, want %v", fields, want)
	}
	if loc := r.header.Get("Location"); loc != "/pastes/"+id {
		t.Errorf("Location %q", loc)
	}

	if p := post(t, w, "", "", "x"); p.ContentType != "application/octet-stream" {
		t.Errorf("without a Content-Type: %q", p.ContentType)
	}
	p := post(t, w, "?ttl=120", "text/plain", "short-lived")
	if p.ExpiresAt == nil || *p.ExpiresAt != clock.Now().Add(120*time.Second).UnixMilli() {
		t.Errorf("expires_at %v, want %d", p.ExpiresAt, clock.Now().Add(120*time.Second).UnixMilli())
	}
	if p := post(t, w, "?ttl=60", "", "a minute"); p.ExpiresAt == nil {
		t.Errorf("ttl=60: no expires_at")
	}
	ids := map[string]bool{}
	for range 20 {
		p := post(t, w, "", "", "x")
		if !idPattern.MatchString(p.ID) || ids[p.ID] {
			t.Errorf("id %q (a repeat: %v)", p.ID, ids[p.ID])
		}
		ids[p.ID] = true
	}
}

func TestBadInputs(t *testing.T) {
	w, _ := newWorker(t)
	for _, ttl := range []string{"abc", "59", "0", "-60", "60.5", "", "1e3", "99999999999999999999"} {
		wantError(t, "ttl="+ttl, fetch(t, w, "POST", "/pastes?ttl="+ttl, strings.NewReader("x"), 1, nil), 400)
	}
	wantError(t, "an empty body", fetch(t, w, "POST", "/pastes", nil, 0, nil), 400)
	wantError(t, "an empty chunked body", fetch(t, w, "POST", "/pastes", strings.NewReader(""), -1, nil), 400)
	wantError(t, "a Content-Length over 100 MiB", fetch(t, w, "POST", "/pastes", &pattern{n: maxSize + 1}, maxSize+1, nil), 413)
	for _, limit := range []string{"0", "1001", "abc", "-1", "", "2.5"} {
		wantError(t, "limit="+limit, fetch(t, w, "GET", "/pastes?limit="+limit, nil, 0, nil), 400)
	}
	for _, path := range []string{"/", "/nope", "/pastes/", "/pastes/abc/def", "/stats/x", "/PASTES"} {
		wantError(t, "GET "+path, fetch(t, w, "GET", path, nil, 0, nil), 404)
	}
	for _, c := range []struct{ method, path, allow string }{
		{"PUT", "/pastes", "GET, HEAD, POST"},
		{"DELETE", "/pastes", "GET, HEAD, POST"},
		{"POST", "/pastes/abcdefghijkl", "DELETE, GET, HEAD"},
		{"PATCH", "/pastes/abcdefghijkl", "DELETE, GET, HEAD"},
		{"POST", "/stats", "GET, HEAD"},
	} {
		r := fetch(t, w, c.method, c.path, nil, 0, nil)
		wantError(t, c.method+" "+c.path, r, 405)
		if got := r.header.Get("Allow"); got != c.allow {
			t.Errorf("%s %s: Allow %q, want %q", c.method, c.path, got, c.allow)
		}
	}
	var st Stats
	call(t, w, "GET", "/stats", 200, &st)
	if st.Pastes != 0 || st.Bytes != 0 {
		t.Errorf("after refused pastes: %+v", st)
	}
	var keys []string
	if err := w.Entrypoint("Debug").Call(t.Context(), "objects", &keys); err != nil || len(keys) != 0 {
		t.Errorf("objects after refused pastes: %v %v", keys, err)
	}
}

func TestGet(t *testing.T) {
	w, _ := newWorker(t)
	const text = "abcdefghijklmnopqrstuvwxyz"
	p := post(t, w, "", "text/plain", text)
	path := "/pastes/" + p.ID
	etag := `"` + md5hex([]byte(text)) + `"`
	get := func(method string, h http.Header) response { return fetch(t, w, method, path, nil, 0, h) }
	check := func(what string, r response, status int, body string, header map[string]string) {
		t.Helper()
		if r.status != status || string(r.body) != body {
			t.Errorf("%s: %d %q, want %d %q", what, r.status, r.body, status, body)
		}
		for k, v := range header {
			if got := r.header.Get(k); got != v {
				t.Errorf("%s: %s %q, want %q", what, k, got, v)
			}
		}
	}
	whole := map[string]string{"Content-Type": "text/plain", "Content-Length": "26", "ETag": etag, "Content-Range": ""}
	check("GET", get("GET", nil), 200, text, whole)
	check("HEAD", get("HEAD", nil), 200, "", whole)

	for _, c := range []struct {
		rng, body, contentRange string
	}{
		{"bytes=0-4", "abcde", "bytes 0-4/26"},
		{"bytes=20-", "uvwxyz", "bytes 20-25/26"},
		{"bytes=-3", "xyz", "bytes 23-25/26"},
		{"bytes=24-100", "yz", "bytes 24-25/26"},
		{"bytes=-100", text, "bytes 0-25/26"},
		{"bytes=25-25", "z", "bytes 25-25/26"},
	} {
		h := http.Header{"Range": {c.rng}}
		want := map[string]string{"Content-Range": c.contentRange, "Content-Length": fmt.Sprint(len(c.body)), "ETag": etag, "Content-Type": "text/plain"}
		check(c.rng, get("GET", h), 206, c.body, want)
		check("HEAD "+c.rng, get("HEAD", h), 206, "", want)
	}
	for _, rng := range []string{"bytes=26-", "bytes=100-200", "bytes=-0"} {
		r := get("GET", http.Header{"Range": {rng}})
		wantError(t, rng, r, 416)
		if cr := r.header.Get("Content-Range"); cr != "bytes */26" {
			t.Errorf("%s: Content-Range %q", rng, cr)
		}
	}
	for _, rng := range []string{"bytes=0-1,3-4", "bytes=5-2", "items=0-1", "bytes=a-b", "bytes=+1-2"} { // ignored, as HTTP allows
		check(rng, get("GET", http.Header{"Range": {rng}}), 200, text, whole)
	}

	for _, inm := range []string{etag, "W/" + etag, "*", `"other", ` + etag} {
		r := get("GET", http.Header{"If-None-Match": {inm}})
		check("If-None-Match: "+inm, r, 304, "", map[string]string{"ETag": etag})
		check("HEAD If-None-Match: "+inm, get("HEAD", http.Header{"If-None-Match": {inm}}), 304, "", map[string]string{"ETag": etag})
	}
	check("If-None-Match of another ETag", get("GET", http.Header{"If-None-Match": {`"other"`}}), 200, text, whole)

	for _, id := range []string{"abcdefghijkl", "ABCDEFGHIJKL", "short", strings.Repeat("a", 13)} {
		wantError(t, "GET "+id, fetch(t, w, "GET", "/pastes/"+id, nil, 0, nil), 404)
		if r := fetch(t, w, "HEAD", "/pastes/"+id, nil, 0, nil); r.status != 404 || len(r.body) != 0 {
			t.Errorf("HEAD %s: %d %q", id, r.status, r.body)
		}
	}
}

func TestListDeleteStats(t *testing.T) {
	w, _ := newWorker(t)
	var st Stats
	call(t, w, "GET", "/stats", 200, &st)
	if st != (Stats{}) {
		t.Errorf("stats of nothing: %+v", st)
	}
	var r map[string]any
	call(t, w, "GET", "/pastes", 200, &r)
	if fmt.Sprint(r) != "map[cursor:<nil> pastes:[]]" {
		t.Errorf("a list of nothing: %v", r)
	}

	var ids []string
	var total int64
	for i := range 7 {
		p := post(t, w, "", "text/plain", strings.Repeat("x", i+1))
		ids, total = append(ids, p.ID), total+p.Size
	}
	slices.Sort(ids)
	var listed []string
	cursor := ""
	for pages := 0; ; pages++ {
		var page struct {
			Pastes []map[string]any `json:"pastes"`
			Cursor *string          `json:"cursor"`
		}
		call(t, w, "GET", "/pastes?limit=3&cursor="+cursor, 200, &page)
		for _, p := range page.Pastes {
			if len(p) != 4 || p["content_type"] != "text/plain" || p["expires_at"] != nil || p["size"] == nil {
				t.Errorf("listed %v", p)
			}
			listed = append(listed, p["id"].(string))
		}
		if page.Cursor == nil {
			break
		}
		if pages > 3 {
			t.Fatal("too many pages")
		}
		cursor = *page.Cursor
	}
	if !slices.Equal(listed, ids) {
		t.Errorf("listed %v, want %v (by id)", listed, ids)
	}
	call(t, w, "GET", "/stats", 200, &st)
	if st.Pastes != 7 || st.Bytes != total || st.LastSweep != nil {
		t.Errorf("stats %+v, want 7 pastes of %d bytes", st, total)
	}

	var d map[string]any
	call(t, w, "DELETE", "/pastes/"+ids[2], 200, &d)
	if fmt.Sprint(d) != "map[deleted:true]" {
		t.Errorf("DELETE: %v", d)
	}
	wantError(t, "GET after DELETE", fetch(t, w, "GET", "/pastes/"+ids[2], nil, 0, nil), 404)
	for _, id := range []string{ids[2], "abcdefghijkl", "nope"} {
		call(t, w, "DELETE", "/pastes/"+id, 404, &d)
		if fmt.Sprint(d) != "map[deleted:false]" {
			t.Errorf("DELETE of %s: %v", id, d)
		}
	}
	var keys []string
	if err := w.Entrypoint("Debug").Call(t.Context(), "objects", &keys); err != nil || slices.Contains(keys, ids[2]) || len(keys) != 6 {
		t.Errorf("objects after DELETE: %v %v", keys, err)
	}
	call(t, w, "GET", "/stats", 200, &st)
	if st.Pastes != 6 {
		t.Errorf("stats after DELETE: %+v", st)
	}
}

// TestExpiry: a paste is gone at its expires_at, before the sweep; the
// sweep that the cron trigger runs as the clock passes 00:05 deletes its
// object and records itself.
func TestExpiry(t *testing.T) {
	w, clock := newWorker(t)
	short := post(t, w, "?ttl=60", "text/plain", "a minute")
	long := post(t, w, "?ttl=86400", "text/plain", "a day")
	forever := post(t, w, "", "text/plain", "forever")
	clock.Advance(59 * time.Second)
	if r := fetch(t, w, "GET", "/pastes/"+short.ID, nil, 0, nil); r.status != 200 {
		t.Fatalf("after 59 s: %d %s", r.status, r.body)
	}
	clock.Advance(time.Second) // 00:01:30, its expires_at
	wantError(t, "GET once expired", fetch(t, w, "GET", "/pastes/"+short.ID, nil, 0, nil), 404)
	if r := fetch(t, w, "HEAD", "/pastes/"+short.ID, nil, 0, nil); r.status != 404 {
		t.Errorf("HEAD once expired: %d", r.status)
	}
	var d map[string]bool
	call(t, w, "DELETE", "/pastes/"+short.ID, 404, &d)
	var page struct{ Pastes []Listed }
	call(t, w, "GET", "/pastes", 200, &page)
	if len(page.Pastes) != 2 {
		t.Errorf("listed once expired: %+v", page.Pastes)
	}
	var st Stats
	call(t, w, "GET", "/stats", 200, &st)
	if st.Pastes != 2 || st.Bytes != long.Size+forever.Size || st.LastSweep != nil {
		t.Errorf("stats once expired: %+v", st)
	}
	objects := func() []string {
		var keys []string
		if err := w.Entrypoint("Debug").Call(t.Context(), "objects", &keys); err != nil {
			t.Fatal(err)
		}
		slices.Sort(keys)
		return keys
	}
	if got := objects(); len(got) != 3 {
		t.Errorf("objects before the sweep: %v", got)
	}
	runs := len(w.ScheduledRuns())
	clock.Advance(4 * time.Minute) // 00:05:30: the trigger of 00:05 has run
	if r := w.ScheduledRuns(); len(r) != runs+1 || r[len(r)-1].Err != nil || r[len(r)-1].Cron != "*/5 * * * *" {
		t.Fatalf("scheduled runs: %+v", r)
	}
	want := []string{long.ID, forever.ID}
	slices.Sort(want)
	if got := objects(); !slices.Equal(got, want) {
		t.Errorf("objects after the sweep: %v, want %v", got, want)
	}
	sweep := Sweep{At: time.Date(2030, 1, 1, 0, 5, 0, 0, time.UTC).UnixMilli(), Deleted: 1}
	call(t, w, "GET", "/stats", 200, &st)
	if st.LastSweep == nil || *st.LastSweep != sweep || st.Pastes != 2 {
		t.Errorf("stats after the sweep: %+v %+v, want %+v", st, st.LastSweep, sweep)
	}
	clock.Advance(5 * time.Minute) // nothing more to sweep
	call(t, w, "GET", "/stats", 200, &st)
	if want := (Sweep{At: sweep.At + 5*60*1000}); st.LastSweep == nil || *st.LastSweep != want {
		t.Errorf("the next sweep: %+v, want %+v", st.LastSweep, want)
	}
	clock.Advance(24 * time.Hour) // the day's paste expires and is swept
	call(t, w, "GET", "/stats", 200, &st)
	if st.Pastes != 1 || st.LastSweep.Deleted != 0 {
		t.Errorf("a day later: %+v %+v", st, st.LastSweep)
	}
	if got := objects(); !slices.Equal(got, []string{forever.ID}) {
		t.Errorf("objects a day later: %v", got)
	}
}

// TestRestart: pastes and the last sweep survive a restart of the Worker,
// and a crash of its Go instance.
func TestRestart(t *testing.T) {
	w, _ := newWorker(t)
	p := post(t, w, "?ttl=3600", "text/markdown", "# kept")
	if err := w.Scheduled(t.Context(), "*/5 * * * *", start); err != nil {
		t.Fatal(err)
	}
	var before Stats
	call(t, w, "GET", "/stats", 200, &before)
	w.Restart()
	w.Crash()
	r := fetch(t, w, "GET", "/pastes/"+p.ID, nil, 0, nil)
	if r.status != 200 || string(r.body) != "# kept" || r.header.Get("Content-Type") != "text/markdown" {
		t.Errorf("after a restart: %d %q %v", r.status, r.body, r.header)
	}
	var after Stats
	call(t, w, "GET", "/stats", 200, &after)
	if after.Pastes != 1 || after.LastSweep == nil || *after.LastSweep != *before.LastSweep {
		t.Errorf("stats after a restart: %+v, before %+v", after, before)
	}
}

// TestRPC calls the default entrypoint's RPC methods as a JavaScript
// Worker does through a service binding.
func TestRPC(t *testing.T) {
	w, clock := newWorker(t)
	e := w.Entrypoint("")
	var p map[string]any
	if err := e.Call(t.Context(), "put", &p, "hello from RPC", 300); err != nil {
		t.Fatal(err)
	}
	id, _ := p["id"].(string)
	want := map[string]any{"id": id, "size": 14.0, "content_type": "text/plain", "etag": md5hex([]byte("hello from RPC")),
		"expires_at": float64(clock.Now().Add(300 * time.Second).UnixMilli())}
	if !idPattern.MatchString(id) || !sameJSON(p, want) {
		t.Errorf("put: %v, want %v", p, want)
	}
	r := fetch(t, w, "GET", "/pastes/"+id, nil, 0, nil)
	if r.status != 200 || string(r.body) != "hello from RPC" || r.header.Get("Content-Type") != "text/plain" {
		t.Errorf("the paste put: %d %q %v", r.status, r.body, r.header)
	}
	var forever Paste
	if err := e.Call(t.Context(), "put", &forever, "no ttl", nil); err != nil || forever.ExpiresAt != nil {
		t.Errorf("put without a ttl: %+v %v", forever, err)
	}
	// put("no ttl"): a trailing pointer argument may be left out.
	var left Paste
	if err := e.Call(t.Context(), "put", &left, "ttl left out"); err != nil || left.ExpiresAt != nil || left.Size != 12 {
		t.Errorf("put with the ttl left out: %+v %v", left, err)
	}
	for _, args := range [][]any{{"", nil}, {"x", 59}, {"x", -1}} {
		err := e.Call(t.Context(), "put", nil, args...)
		if e, ok := err.(*worker.Error); !ok || e.Name != "RangeError" {
			t.Errorf("put%v: %v, want a RangeError", args, err)
		}
	}
	if err := e.Call(t.Context(), "put", nil, "x", 60.5); err == nil {
		t.Errorf("put(x, 60.5): no error")
	}

	var st map[string]any
	if err := e.Call(t.Context(), "stats", &st); err != nil {
		t.Fatal(err)
	}
	if !sameJSON(st, map[string]any{"pastes": 3, "bytes": 32, "last_sweep": nil}) {
		t.Errorf("stats(): %v", st)
	}
	var overHTTP map[string]any
	call(t, w, "GET", "/stats", 200, &overHTTP)
	if !sameJSON(st, overHTTP) {
		t.Errorf("stats() %v, GET /stats %v", st, overHTTP)
	}
}

// TestGoCaller calls the RPC methods from a Go Worker through a service
// binding (testdata/caller).
func TestGoCaller(t *testing.T) {
	w, _ := newWorker(t)
	caller := dotest.New(t, &dotest.Options{Package: "./testdata/caller", Scripts: map[string]*dotest.Worker{"godurable-pastebin": w}})
	r := fetch(t, caller, "POST", "/put?ttl=120", strings.NewReader("from Go"), 7, nil)
	var p Paste
	checkJSON(t, "the caller's put", r, 201, &p)
	if p.Size != 7 || p.ContentType != "text/plain" || p.ExpiresAt == nil {
		t.Errorf("put through the caller: %+v", p)
	}
	if r := fetch(t, w, "GET", "/pastes/"+p.ID, nil, 0, nil); string(r.body) != "from Go" {
		t.Errorf("the paste: %d %q", r.status, r.body)
	}
	wantError(t, "the caller's put with a bad ttl", fetch(t, caller, "POST", "/put?ttl=5", strings.NewReader("x"), 1, nil), 400)
	var st Stats
	checkJSON(t, "the caller's stats", fetch(t, caller, "GET", "/stats", nil, 0, nil), 200, &st)
	if st.Pastes != 1 || st.Bytes != 7 {
		t.Errorf("stats through the caller: %+v", st)
	}
}

// TestChunked: bodies without a Content-Length go to R2 in parts of 5
// MiB, and one over 100 MiB is refused with 413 and leaves nothing.
func TestChunked(t *testing.T) {
	w, _ := newWorker(t)
	for _, size := range []int64{1000, 11 << 20} {
		sum, md := sha256.New(), md5.New()
		r := fetch(t, w, "POST", "/pastes", &pattern{n: size, hashes: []hash.Hash{sum, md}}, -1, http.Header{"Content-Type": {"application/x-pattern"}})
		var p Paste
		checkJSON(t, fmt.Sprintf("a chunked body of %d bytes", size), r, 201, &p)
		etag := hex.EncodeToString(md.Sum(nil))
		if size > partSize {
			etag = p.ETag // a multipart upload's: the MD5 of its parts' MD5s, then -3
			if !strings.HasSuffix(etag, "-3") {
				t.Errorf("the ETag of %d bytes in parts: %q", size, etag)
			}
		}
		if p.Size != size || p.ETag != etag || p.ContentType != "application/x-pattern" {
			t.Errorf("a chunked body of %d bytes: %+v, want the ETag %s", size, p, etag)
		}
		got := fetch(t, w, "GET", "/pastes/"+p.ID, nil, 0, nil)
		if got.status != 200 || sha256.Sum256(got.body) != [32]byte(sum.Sum(nil)) || got.header.Get("Content-Length") != fmt.Sprint(size) || got.header.Get("ETag") != `"`+etag+`"` {
			t.Errorf("reading back %d bytes: %d, %d bytes, %v", size, got.status, len(got.body), got.header)
		}
	}
	wantError(t, "a chunked body over 100 MiB", fetch(t, w, "POST", "/pastes", &pattern{n: maxSize + 1}, -1, nil), 413)
	var keys []string
	if err := w.Entrypoint("Debug").Call(t.Context(), "objects", &keys); err != nil || len(keys) != 2 {
		t.Errorf("objects after the refused upload: %v %v, want the two pastes", keys, err)
	}
}

// pattern is a body of n bytes of a pattern, hashed as it is read.
type pattern struct {
	n, off int64
	hashes []hash.Hash
}

func (p *pattern) Read(b []byte) (int, error) {
	if p.off >= p.n {
		return 0, io.EOF
	}
	b = b[:min(int64(len(b)), p.n-p.off)]
	for i := range b {
		b[i] = patternByte(p.off + int64(i))
	}
	p.off += int64(len(b))
	for _, h := range p.hashes {
		h.Write(b)
	}
	return len(b), nil
}

func patternByte(i int64) byte { return byte(i%251) ^ byte(i>>12) }
