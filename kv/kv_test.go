package kv_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/godurable/godurable/durableobject/dotest"
)

// put stores body under id through the pastes Worker.
func put(t *testing.T, w *dotest.Worker, path, body string) int {
	t.Helper()
	req := httptest.NewRequest("PUT", path, strings.NewReader(body))
	req.Header.Set("Content-Type", "text/plain")
	resp := w.Fetch(req)
	resp.Body.Close()
	return resp.StatusCode
}

// TestExpiry: a key put with an expirationTtl disappears from get and
// list once the Worker's clock passes its expiration, and the entries
// survive a restart of the Worker.
func TestExpiry(t *testing.T) {
	start := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	clock := dotest.NewManualClock(start)
	w := dotest.New(t, &dotest.Options{Package: "./testdata/pastes", Clock: clock})
	if s := put(t, w, "/pastes/short?ttl=120", "gone soon"); s != http.StatusCreated {
		t.Fatalf("put short: %d", s)
	}
	if s := put(t, w, "/pastes/kept", "kept"); s != http.StatusCreated {
		t.Fatalf("put kept: %d", s)
	}
	if s := put(t, w, "/pastes/tooshort?ttl=59", "x"); s != http.StatusBadRequest {
		t.Fatalf("put with a ttl of 59 s: %d, want 400", s)
	}
	want := "kept\nshort expires " + start.Add(120*time.Second).Format(time.RFC3339) + "\n"
	if s, body := w.Get(t, "/pastes"); s != 200 || body != want {
		t.Fatalf("list = %d %q, want %q", s, body, want)
	}
	w.Restart()
	clock.Advance(119 * time.Second)
	if s, body := w.Get(t, "/pastes/short"); s != 200 || body != "gone soon" {
		t.Fatalf("get before the expiration = %d %q", s, body)
	}
	clock.Advance(time.Second)
	if s, _ := w.Get(t, "/pastes/short"); s != http.StatusNotFound {
		t.Fatalf("get at the expiration = %d, want 404", s)
	}
	if s, body := w.Get(t, "/pastes"); s != 200 || body != "kept\n" {
		t.Fatalf("list after the expiration = %d %q", s, body)
	}
}
