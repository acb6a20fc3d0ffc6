package conformance

import (
	"fmt"
	"sync"
	"testing"
)

// RunGuestbook checks the contract of examples/guestbook against target:
// entries written and listed through database/sql on D1, and an import
// in one D1 batch that adds all its entries or, when D1 refuses one,
// none.
func RunGuestbook(t *testing.T, target Target) {
	s := &suite{target: target}
	post := func(t *testing.T, path, body string, status int) any {
		t.Helper()
		return decodeJSON(t, expectStatus(t, s.do(t, "POST", path, "application/json", []byte(body)), status))
	}
	names := func(t *testing.T) []string {
		t.Helper()
		var out []string
		for _, e := range s.getJSON(t, "/entries", 200).([]any) {
			m := e.(map[string]any)
			if at, _ := m["at"].(string); len(at) < len("2006-01-02T15:04:05Z") {
				t.Errorf("entry %v: at is not a time", m)
			}
			out = append(out, m["name"].(string)+": "+m["message"].(string))
		}
		return out
	}
	equal(t, "first post", post(t, "/entries", `{"name":"ann","message":"hello"}`, 201), map[string]any{"id": 1.0})
	equal(t, "second post", post(t, "/entries", `{"name":"bob","message":"hi"}`, 201), map[string]any{"id": 2.0})
	equal(t, "entries", names(t), []string{"ann: hello", "bob: hi"})
	equal(t, "refused import", post(t, "/entries/import", `[{"name":"cy","message":"a"},{"name":"","message":"b"}]`, 400),
		map[string]any{"error": "D1_ERROR: CHECK constraint failed: name <> '': SQLITE_CONSTRAINT (extended: SQLITE_CONSTRAINT_CHECK)"})
	equal(t, "entries after the refused import", names(t), []string{"ann: hello", "bob: hi"})
	equal(t, "import", post(t, "/entries/import", `[{"name":"cy","message":"a"},{"name":"di","message":"b"}]`, 201), map[string]any{"imported": 2.0})
	equal(t, "entries after the import", names(t), []string{"ann: hello", "bob: hi", "cy: a", "di: b"})
	equal(t, "empty name", post(t, "/entries", `{"name":"","message":"x"}`, 400),
		map[string]any{"error": "d1: DB: query: D1_ERROR: CHECK constraint failed: name <> '': SQLITE_CONSTRAINT (extended: SQLITE_CONSTRAINT_CHECK)"})

	// Many requests in flight at once, each waiting on D1: every entry
	// arrives, with an id of its own.
	const n = 40
	var wg sync.WaitGroup
	ids := make([]any, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := s.do(t, "POST", "/entries", "application/json", []byte(fmt.Sprintf(`{"name":"c%d","message":"m"}`, i)))
			if r.Status != 201 {
				t.Errorf("concurrent post %d: status %d: %s", i, r.Status, r.Body)
				return
			}
			ids[i] = decodeJSON(t, r).(map[string]any)["id"]
		}()
	}
	wg.Wait()
	seen := map[any]bool{}
	for _, id := range ids {
		seen[id] = true
	}
	if len(seen) != n {
		t.Errorf("%d concurrent posts got %d distinct ids: %v", n, len(seen), ids)
	}
	if got := len(names(t)); got != 4+n {
		t.Errorf("%d entries after %d concurrent posts, want %d", got, n, 4+n)
	}
}
