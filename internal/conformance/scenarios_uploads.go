package conformance

import (
	"bytes"
	"net/http"
	"strconv"
	"strings"
	"testing"
)

// refusedUploads: a handler that answers an upload without reading it
// (the ordinary 401 for a request without credentials) reaches its client
// whole, as a JavaScript handler's does; the upload is 10 MiB, more than
// any buffer holds. (An upload that a Worker forwards to an object that
// does not read it is left out: in wrangler dev the client then gets an
// empty or reset answer from JavaScript objects too.)
func (s *suite) refusedUploads(t *testing.T) {
	body := bytes.Repeat([]byte("0123456789abcdef"), 10<<20/16)
	for _, path := range []string{"/refuse"} {
		for try := 1; try <= 3; try++ {
			req, err := http.NewRequest(http.MethodPost, "http://worker"+path, bytes.NewReader(body))
			if err != nil {
				t.Fatal(err)
			}
			req.ContentLength = int64(len(body))
			r := s.target.Fetch(t, req)
			if r.Status != http.StatusUnauthorized || string(r.Body) != "{\"error\":\"no credentials\"}\n" {
				t.Errorf("POST %s with 10 MiB, try %d: %d %q, want 401 and its body", path, try, r.Status, r.Body)
			}
		}
	}
}

// head: a HEAD request gets the status and headers a GET gets, and no
// body, as workerd sends none (whatever the handler writes), from the
// Worker and from an object behind it.
func (s *suite) head(t *testing.T) {
	for _, path := range []string{"/hello", "/do/head/whoami"} {
		get := s.get(t, path)
		head := s.do(t, http.MethodHead, path, "", nil)
		equal(t, "HEAD "+path+" status", head.Status, get.Status)
		equal(t, "HEAD "+path+" body", string(head.Body), "")
		equal(t, "HEAD "+path+" content type", head.Header.Get("Content-Type"), get.Header.Get("Content-Type"))
		equal(t, "HEAD "+path+" content length", head.Header.Get("Content-Length"), strconv.Itoa(len(get.Body)))
	}
}

// unmigrated: a class that no migration creates gets the key-value storage
// backend, whose synchronous KV and SQL APIs throw workerd's errors.
func (s *suite) unmigrated(t *testing.T) {
	got := s.getJSON(t, "/unmigrated", 200).(map[string]any)
	kv, _ := got["kv"].(string)
	sql, _ := got["sql"].(string)
	if !strings.Contains(kv, "The storage.kv (synchronous KV) API is only available for SQLite-backed Durable Objects") {
		t.Errorf("KV.Put of an unmigrated class: %q", kv)
	}
	if !strings.Contains(sql, "SQL is not enabled for this Durable Object class.") {
		t.Errorf("SQL.Exec of an unmigrated class: %q", sql)
	}
}
