package main

import (
	"encoding/json"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/godurable/godurable/durableobject/dotest"
)

// The guestbook on the real module under dotest, with the D1 binding of
// its wrangler.toml emulated by SQLite.

func fetch(t *testing.T, w *dotest.Worker, method, path, body string, status int, into any) {
	t.Helper()
	resp := w.Fetch(httptest.NewRequest(method, path, strings.NewReader(body)))
	defer resp.Body.Close()
	if resp.StatusCode != status {
		t.Fatalf("%s %s: status %d, want %d", method, path, resp.StatusCode, status)
	}
	if err := json.NewDecoder(resp.Body).Decode(into); err != nil {
		t.Fatal(err)
	}
}

func TestGuestbook(t *testing.T) {
	w := dotest.New(t, nil)
	var id struct{ ID int64 }
	fetch(t, w, "POST", "/entries", `{"name":"ann","message":"hello"}`, 201, &id)
	fetch(t, w, "POST", "/entries", `{"name":"bob","message":"hi"}`, 201, &id)
	if id.ID != 2 {
		t.Errorf("second id = %d, want 2", id.ID)
	}
	var entries []Entry
	fetch(t, w, "GET", "/entries", "", 200, &entries)
	if len(entries) != 2 || entries[0].Name != "ann" || entries[1].Message != "hi" || entries[1].At.IsZero() {
		t.Errorf("entries = %+v", entries)
	}

	// A batch with a refused entry adds none of them.
	var e struct{ Error string }
	fetch(t, w, "POST", "/entries/import", `[{"name":"cy","message":"a"},{"name":"","message":"b"}]`, 400, &e)
	if want := "D1_ERROR: CHECK constraint failed: name <> '': SQLITE_CONSTRAINT (extended: SQLITE_CONSTRAINT_CHECK)"; e.Error != want {
		t.Errorf("refused import: %q, want %q", e.Error, want)
	}
	var imported struct{ Imported int }
	fetch(t, w, "POST", "/entries/import", `[{"name":"cy","message":"a"},{"name":"di","message":"b"}]`, 201, &imported)

	// The test reads the emulated database directly.
	db, err := w.D1("DB")
	if err != nil {
		t.Fatal(err)
	}
	var n int
	if err := db.QueryRow(`SELECT count(*) FROM entries`).Scan(&n); err != nil || n != 4 {
		t.Errorf("count = %d, %v; want 4", n, err)
	}
}

// A test can seed the database before the Worker reads it.
func TestSeeded(t *testing.T) {
	w := dotest.New(t, nil)
	db, err := w.D1("DB")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(schema); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`INSERT INTO entries (name, message, at) VALUES ('seed', 'from the test', '2026-12-01T10:00:00Z')`); err != nil {
		t.Fatal(err)
	}
	var entries []Entry
	fetch(t, w, "GET", "/entries", "", 200, &entries)
	if len(entries) != 1 || entries[0].Name != "seed" || entries[0].At.Hour() != 10 {
		t.Errorf("entries = %+v", entries)
	}
}
