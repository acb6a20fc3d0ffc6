package conformance

import (
	"strconv"
	"testing"
	"time"
)

// scheduled: the Worker's scheduled handler, as workerd delivers a cron
// trigger: it gets the cron and the scheduledTime (to the millisecond) it
// was sent, which it records; an error or a panic fails the event
// (outcome "exception"); NoRetry, called before, reaches workerd
// (noRetry), with or without a failure.
func (s *suite) scheduled(t *testing.T) {
	base := time.Date(2031, 2, 3, 4, 5, 0, 0, time.UTC)
	for i, c := range []struct {
		cron    string
		outcome string
		noRetry bool
	}{
		{"*/5 * * * *", "ok", false},
		{"ok noretry", "ok", true},
		{"fail", "exception", false},
		{"fail noretry", "exception", true},
		{"panic", "exception", false},
		{"panic noretry", "exception", true},
	} {
		t.Run(c.cron, func(t *testing.T) {
			at := base.Add(time.Duration(i)*time.Minute + 123*time.Millisecond)
			if got := s.target.Scheduled(t, c.cron, at); got.Outcome != c.outcome || got.NoRetry != c.noRetry {
				t.Errorf("scheduled %q = %+v, want outcome %s, noRetry %v", c.cron, got, c.outcome, c.noRetry)
			}
			ms := at.UnixMilli()
			runs, _ := s.getJSON(t, "/scheduled/runs?time="+strconv.FormatInt(ms, 10), 200).([]any)
			if len(runs) != 1 {
				t.Fatalf("the handler recorded %v for %d, want one run", runs, ms)
			}
			if run, _ := runs[0].(map[string]any); run["cron"] != c.cron || run["time"] != float64(ms) {
				t.Errorf("the handler got %v, want cron %q and scheduledTime %d", run, c.cron, ms)
			}
		})
	}
}
