package conformance

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/godurable/godurable/durableobject/dotest"
)

// TestDotestCacheClock: a cache entry expires on the Worker's clock, which
// a test moves: fresh until its max-age has passed, then gone (and kept
// across a restart of the isolate until then).
func TestDotestCacheClock(t *testing.T) {
	clock := dotest.NewManualClock(time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC))
	w := dotest.New(t, &dotest.Options{Package: "./sandbox", Clock: clock})
	match := func() any {
		t.Helper()
		status, body := w.Get(t, "/cache/match?k=clock&name=x")
		if status != 200 {
			t.Fatalf("match: %d %s", status, body)
		}
		var v any
		if err := json.Unmarshal([]byte(body), &v); err != nil {
			t.Fatal(err)
		}
		if m, ok := v.(map[string]any); ok {
			return m["body"]
		}
		return v
	}
	if status, body := w.Get(t, "/cache/put?k=clock&name=x&maxage=60"); status != 204 {
		t.Fatalf("put: %d %s", status, body)
	}
	want := "at 2026-12-01T12:00:00Z"
	equal(t, "just put", match(), want)
	clock.Advance(59*time.Second + 999*time.Millisecond)
	w.Restart()
	equal(t, "a millisecond before max-age, after a restart", match(), want)
	clock.Advance(time.Millisecond)
	equal(t, "at max-age", match(), nil)
}
