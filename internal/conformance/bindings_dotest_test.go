package conformance

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/godurable/godurable/analytics"
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

// TestDotestAnalytics: dotest keeps the data points that the Worker wrote,
// for the test to read; the one that the analytics package refused is not
// among them.
func TestDotestAnalytics(t *testing.T) {
	w := dotest.New(t, &dotest.Options{Package: "./sandbox"})
	if status, body := w.Get(t, "/analytics?run=r1"); status != 200 {
		t.Fatalf("%d %s", status, body)
	}
	points, err := w.DataPoints("EVENTS")
	if err != nil {
		t.Fatal(err)
	}
	want := []analytics.DataPoint{
		{Indexes: []string{"r1"}, Blobs: []string{"GET", "/analytics", "\xff\xfe"}, Doubles: []float64{1, 2.5}},
		{Indexes: []string{"r1", "second"}, Doubles: make([]float64, 21)},
	}
	equal(t, "the data points", points, want)
	if _, err := w.DataPoints("LIMITER"); err == nil {
		t.Error("DataPoints of a rate limiter: no error")
	}
}

// TestDotestRateLimitClock: a rate limiter's window is the Worker's clock:
// a key refused in one window is counted afresh in the next.
func TestDotestRateLimitClock(t *testing.T) {
	clock := dotest.NewManualClock(time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC))
	w := dotest.New(t, &dotest.Options{Package: "./sandbox", Clock: clock})
	limit := func(n int) any {
		t.Helper()
		status, body := w.Get(t, fmt.Sprintf("/ratelimit?binding=LIMITER&key=k&n=%d&period=60", n))
		if status != 200 {
			t.Fatalf("%d %s", status, body)
		}
		var v map[string]any
		if err := json.Unmarshal([]byte(body), &v); err != nil {
			t.Fatal(err)
		}
		return v["results"]
	}
	equal(t, "the first minute", limit(4), []any{true, true, true, false})
	clock.Advance(59 * time.Second)
	w.Restart()
	equal(t, "later in the same minute, after a restart", limit(1), []any{false})
	clock.Advance(time.Second)
	equal(t, "the next minute", limit(4), []any{true, true, true, false})
}
