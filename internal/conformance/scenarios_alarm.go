package conformance

import (
	"testing"
	"time"
)

// RunAlarms runs the alarm scenarios against target, on its real clock:
// each alarm is set about half a second ahead, and every wait is bounded.
func RunAlarms(t *testing.T, target Target) {
	s := &suite{target: target}
	for _, sc := range []struct {
		name string
		run  func(*testing.T)
	}{
		{"Fires", s.alarmFires},
		{"PastTimeFiresAtOnce", s.alarmPast},
		{"Delete", s.alarmDelete},
		{"Retry", s.alarmRetry},
		{"DeleteAll", s.alarmDeleteAll},
		{"WithoutHandler", s.alarmWithoutHandler},
	} {
		t.Run(sc.name, func(t *testing.T) {
			t.Parallel() // each uses objects of its own, and mostly waits
			sc.run(t)
		})
	}
}

// alarmTimeout bounds the wait for an alarm: workerd's local scheduler
// fires within milliseconds; a retry comes 2 s (plus up to 25% jitter)
// after a failure.
const alarmTimeout = 10 * time.Second

func (s *suite) sandboxCall(t testing.TB, name, method string, args ...any) any {
	t.Helper()
	v, jsErr := s.target.Call(t, "SANDBOX", name, method, args...)
	if jsErr != nil {
		t.Fatalf("%s.%s: %v", name, method, jsErr)
	}
	return v
}

// waitRuns waits until the object's alarm has run n times, and returns
// the runs.
func (s *suite) waitRuns(t testing.TB, name string, n int) []map[string]any {
	t.Helper()
	deadline := time.Now().Add(alarmTimeout)
	for {
		var runs []map[string]any
		for _, r := range s.sandboxCall(t, name, "alarmRuns").([]any) {
			runs = append(runs, r.(map[string]any))
		}
		if len(runs) >= n {
			return runs
		}
		if time.Now().After(deadline) {
			t.Fatalf("after %v the alarm of %s has run %d times, want %d", alarmTimeout, name, len(runs), n)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func (s *suite) alarmFires(t *testing.T) {
	const o = "alarm-fires"
	at := s.sandboxCall(t, o, "setAlarm", 500).(float64)
	equal(t, "getAlarm after setAlarm", s.sandboxCall(t, o, "getAlarm"), at)
	r := s.waitRuns(t, o, 1)[0]
	equal(t, "scheduledTime", r["scheduled"], at)
	equal(t, "retryCount", r["retryCount"], 0.0)
	equal(t, "isRetry", r["isRetry"], false)
	equal(t, "getAlarm inside the handler", r["during"], -1.0)
	if r["at"].(float64) < at {
		t.Errorf("the alarm ran at %v, before its time %v", r["at"], at)
	}
	time.Sleep(200 * time.Millisecond) // the scheduler deletes the alarm after the handler
	equal(t, "getAlarm after the alarm", s.sandboxCall(t, o, "getAlarm"), -1.0)
}

func (s *suite) alarmPast(t *testing.T) {
	const o = "alarm-past"
	asked := s.sandboxCall(t, o, "setAlarm", -60_000).(float64)
	r := s.waitRuns(t, o, 1)[0]
	// workerd moves a time in the past to now.
	if got := r["scheduled"].(float64); got < asked+59_000 {
		t.Errorf("an alarm set a minute in the past has scheduledTime %v, want about %v", got, asked+60_000)
	}
}

func (s *suite) alarmDelete(t *testing.T) {
	const o = "alarm-delete"
	s.sandboxCall(t, o, "setAlarm", 500)
	s.sandboxCall(t, o, "deleteAlarm")
	equal(t, "getAlarm after deleteAlarm", s.sandboxCall(t, o, "getAlarm"), -1.0)
	time.Sleep(time.Second)
	equal(t, "runs of a deleted alarm", len(s.sandboxCall(t, o, "alarmRuns").([]any)), 0)
}

func (s *suite) alarmRetry(t *testing.T) {
	const o = "alarm-retry"
	s.sandboxCall(t, o, "failAlarms", 1)
	at := s.sandboxCall(t, o, "setAlarm", 200).(float64)
	runs := s.waitRuns(t, o, 2)
	first, second := runs[0], runs[1]
	equal(t, "first run failed", first["failed"], true)
	equal(t, "first retryCount", first["retryCount"], 0.0)
	equal(t, "retry's retryCount", second["retryCount"], 1.0)
	equal(t, "retry's isRetry", second["isRetry"], true)
	equal(t, "retry's scheduledTime", second["scheduled"], at)
	equal(t, "retry failed", second["failed"], false)
	if gap := second["at"].(float64) - first["at"].(float64); gap < 2000 {
		t.Errorf("the retry came %v ms after the failure, want at least 2000 (workerd's first backoff)", gap)
	}
}

func (s *suite) alarmDeleteAll(t *testing.T) {
	const o = "alarm-delete-all"
	s.sandboxCall(t, o, "setAlarm", 1000)
	s.sandboxCall(t, o, "deleteAll")
	equal(t, "getAlarm after deleteAll", s.sandboxCall(t, o, "getAlarm"), -1.0)
	time.Sleep(1500 * time.Millisecond)
	equal(t, "runs after deleteAll", len(s.sandboxCall(t, o, "alarmRuns").([]any)), 0)
}

// alarmWithoutHandler: workerd refuses an alarm to a class that cannot
// receive it (the shim gives a class an alarm() only if it implements
// alarm.Handler).
func (s *suite) alarmWithoutHandler(t *testing.T) {
	_, jsErr := s.target.Call(t, "PLAIN", "p", "setAlarm")
	if jsErr == nil {
		t.Fatal("setAlarm on a class without an alarm handler succeeded")
	}
	equal(t, "error name", jsErr.Name, "TypeError")
	contains(t, "error message", jsErr.Message, "Your Durable Object class must have an alarm() handler in order to call setAlarm()")
}
