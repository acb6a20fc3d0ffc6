package conformance

import (
	"encoding/json"
	"io"
	"net/http/httptest"
	"net/url"
	"testing"
	"time"

	"github.com/godurable/godurable/durableobject/dotest"
)

// TestDotestCronClock: the sandbox's cron trigger */5 * * * * fires on the
// Worker's clock: a manual clock advanced by a day runs the handler 288
// times, in order, each with its scheduledTime, while the guest's clock
// reads the end of the day (an advance is a jump).
func TestDotestCronClock(t *testing.T) {
	start := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	clock := dotest.NewManualClock(start)
	w := dotest.New(t, &dotest.Options{Package: "./sandbox", Clock: clock})
	clock.Advance(24 * time.Hour)

	const cron = "*/5 * * * *"
	runs := w.ScheduledRuns()
	if len(runs) != 288 {
		t.Fatalf("%d runs in a day, want 288", len(runs))
	}
	for i, r := range runs {
		if want := start.Add(time.Duration(i+1) * 5 * time.Minute); r.Cron != cron || !r.ScheduledTime.Equal(want) || r.Err != nil || r.NoRetry {
			t.Fatalf("run %d = %+v, want %s at %s", i, r, cron, want)
		}
	}
	resp := w.Fetch(httptest.NewRequest("GET", "/scheduled/runs?cron="+url.QueryEscape(cron), nil))
	body, _ := io.ReadAll(resp.Body)
	var recorded []struct {
		Cron      string
		Time, Now int64
	}
	if err := json.Unmarshal(body, &recorded); err != nil || len(recorded) != 288 {
		t.Fatalf("the handler recorded %d runs (%v): %.200s", len(recorded), err, body)
	}
	for i, r := range recorded {
		if want, end := runs[i].ScheduledTime.UnixMilli(), start.Add(24*time.Hour).UnixMilli(); r.Time != want || r.Now != end {
			t.Fatalf("recorded run %d = %+v, want time %d and now %d", i, r, want, end)
		}
	}
	if got := clock.Now(); !got.Equal(start.Add(24 * time.Hour)) {
		t.Errorf("the clock reads %s after the advance", got)
	}
}
