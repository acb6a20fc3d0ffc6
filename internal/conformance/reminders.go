package conformance

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"
)

// RunReminders checks the contract of examples/reminders against target,
// on its real clock: reminders set about a second ahead, every wait
// bounded. The scenarios run in parallel on users of their own.
func RunReminders(t *testing.T, target Target) {
	s := &suite{target: target}
	for _, sc := range []struct {
		name string
		run  func(*testing.T)
	}{
		{"Contract", s.remindersContract},
		{"BadInput", s.remindersBadInput},
		{"Repeat", s.remindersRepeat},
		{"RPC", s.remindersRPC},
		{"Delays", s.remindersDelays},
	} {
		t.Run(sc.name, func(t *testing.T) {
			t.Parallel()
			sc.run(t)
		})
	}
}

// RunRemindersRestart checks that reminders scheduled before a restart
// of the runtime fire after it.
func RunRemindersRestart(t *testing.T, target Target) {
	s := &suite{target: target}
	created := s.reminder(t, "restart", `{"id":"after","in_ms":2500,"text":"across a restart"}`, 201)
	target.Restart(t)
	f := s.waitFired(t, "restart", 1)
	equal(t, "fired across a restart", []any{f[0]["id"], f[0]["at"]}, []any{"after", created["at"]})
}

func (s *suite) reminder(t testing.TB, user, body string, status int) map[string]any {
	t.Helper()
	r := s.do(t, http.MethodPost, "/users/"+user+"/reminders", "application/json", []byte(body))
	v, _ := decodeJSON(t, expectStatus(t, r, status)).(map[string]any)
	return v
}

func (s *suite) remindersOf(t testing.TB, user, what string) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, v := range s.getJSON(t, "/users/"+user+"/"+what, 200).([]any) {
		out = append(out, v.(map[string]any))
	}
	return out
}

// waitFired waits until n occurrences have fired for user.
func (s *suite) waitFired(t testing.TB, user string, n int) []map[string]any {
	t.Helper()
	deadline := time.Now().Add(alarmTimeout)
	for {
		f := s.remindersOf(t, user, "fired")
		if len(f) >= n {
			return f
		}
		if time.Now().After(deadline) {
			t.Fatalf("after %v %d reminders of %s fired, want %d: %v; pending %v", alarmTimeout, len(f), user, n, f, s.remindersOf(t, user, "reminders"))
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func (s *suite) remindersContract(t *testing.T) {
	const u = "contract"
	r1 := s.reminder(t, u, `{"id":"r1","in_ms":1500,"text":"stand up"}`, 201)
	equal(t, "POST's id", r1["id"], "r1")
	at := r1["at"].(float64)
	// Two at the same time are listed by id; "at" instead of "in_ms".
	s.reminder(t, u, fmt.Sprintf(`{"id":"b","at":%d,"text":"second"}`, int64(at)-500), 201)
	s.reminder(t, u, fmt.Sprintf(`{"id":"a","at":%d,"text":"first"}`, int64(at)-500), 201)
	s.reminder(t, u, `{"id":"gone","in_ms":1000,"text":"cancelled"}`, 201)
	s.reminder(t, u, `{"id":"r1","in_ms":1500,"text":"stand up!"}`, 201) // replaces r1
	equal(t, "DELETE", decodeJSON(t, expectStatus(t, s.do(t, "DELETE", "/users/"+u+"/reminders/gone", "", nil), 200)), map[string]any{"cancelled": true})
	equal(t, "DELETE unknown", decodeJSON(t, expectStatus(t, s.do(t, "DELETE", "/users/"+u+"/reminders/nope", "", nil), 404)), map[string]any{"cancelled": false})
	var ids []any
	for _, p := range s.remindersOf(t, u, "reminders") {
		ids = append(ids, p["id"])
		if p["every_ms"] != 0.0 {
			t.Errorf("every_ms of a one-shot reminder = %v", p["every_ms"])
		}
	}
	equal(t, "pending by at then id", ids, []any{"a", "b", "r1"})

	fired := s.waitFired(t, u, 3)
	ids = nil
	for _, f := range fired {
		ids = append(ids, f["id"])
		if f["fired_at"].(float64) < f["at"].(float64) {
			t.Errorf("%v fired at %v, before its time %v", f["id"], f["fired_at"], f["at"])
		}
	}
	if ids[2] != "r1" || !slices.Contains(ids, "a") || !slices.Contains(ids, "b") {
		t.Errorf("firing order = %v, want a and b, then r1", ids)
	}
	equal(t, "r1's text is the replacement's", fired[2]["text"], "stand up!")
	equal(t, "pending after firing", len(s.remindersOf(t, u, "reminders")), 0)
	time.Sleep(500 * time.Millisecond)
	equal(t, "each occurrence once", len(s.remindersOf(t, u, "fired")), 3)
}

func (s *suite) remindersBadInput(t *testing.T) {
	for _, body := range []string{
		`not json`,
		`{"id":"","in_ms":1}`,
		`{"id":"r","text":"neither"}`,
		`{"id":"r","at":1,"in_ms":1}`,
		`{"id":"r","in_ms":-1}`,
		`{"id":"r","in_ms":1,"every_ms":999}`,
		`{"id":"r","in_ms":1,"text":"` + strings.Repeat("x", 1001) + `"}`,
	} {
		e := s.reminder(t, "bad", body, 400)
		if msg, _ := e["error"].(string); msg == "" {
			t.Errorf("%.40s: no error message: %v", body, e)
		}
	}
	equal(t, "nothing was scheduled", len(s.remindersOf(t, "bad", "reminders")), 0)
}

func (s *suite) remindersRepeat(t *testing.T) {
	const u = "repeat"
	first := s.reminder(t, u, `{"id":"tick","in_ms":500,"every_ms":1000,"text":"tick"}`, 201)["at"].(float64)
	fired := s.waitFired(t, u, 2)
	equal(t, "occurrences", []any{fired[0]["at"], fired[1]["at"]}, []any{first, first + 1000})
	p := s.remindersOf(t, u, "reminders")
	if len(p) != 1 || p[0]["every_ms"] != 1000.0 || p[0]["at"].(float64) < first+2000 {
		t.Errorf("pending after two occurrences = %v", p)
	}
	s.do(t, "DELETE", "/users/"+u+"/reminders/tick", "", nil)
}

func (s *suite) remindersRPC(t *testing.T) {
	const u = "rpc"
	// Far enough ahead that list sees it pending on a loaded machine (one
	// second was not, on 2 busy cores).
	at := float64(time.Now().Add(4 * time.Second).UnixMilli())
	v, jsErr := s.target.Call(t, "REMINDERS", u, "schedule", "r", at, 0, "via rpc")
	if jsErr != nil {
		t.Fatal(jsErr)
	}
	equal(t, "schedule", v, map[string]any{"id": "r", "at": at})
	_, jsErr = s.target.Call(t, "REMINDERS", u, "schedule", "r", at, 10, "")
	if jsErr == nil || jsErr.Name != "RangeError" {
		t.Errorf("schedule with every_ms 10: %v, want a RangeError", jsErr)
	}
	v, _ = s.target.Call(t, "REMINDERS", u, "list")
	equal(t, "list", v, []any{map[string]any{"id": "r", "at": at, "every_ms": 0.0, "text": "via rpc"}})
	s.waitFired(t, u, 1)
	v, _ = s.target.Call(t, "REMINDERS", u, "fired")
	if f, ok := v.([]any); !ok || len(f) != 1 || f[0].(map[string]any)["id"] != "r" {
		t.Errorf("fired = %v", v)
	}
	v, _ = s.target.Call(t, "REMINDERS", u, "cancel", "r")
	equal(t, "cancel of a fired reminder", v, false)
}

// remindersDelays schedules 20 reminders half a second to two seconds
// ahead and logs how late they fired: the figures, not a test of speed.
func (s *suite) remindersDelays(t *testing.T) {
	const u = "delays"
	for i := range 20 {
		s.reminder(t, u, fmt.Sprintf(`{"id":"d%02d","in_ms":%d,"text":"x"}`, i, 500+75*i), 201)
	}
	var delays []float64
	for _, f := range s.waitFired(t, u, 20) {
		d := f["fired_at"].(float64) - f["at"].(float64)
		if d < 0 {
			t.Errorf("%v fired %v ms early", f["id"], -d)
		}
		delays = append(delays, d)
	}
	sort.Float64s(delays)
	b, _ := json.Marshal(map[string]any{"runtime": s.target.Name(), "n": len(delays), "median_ms": delays[len(delays)/2], "max_ms": delays[len(delays)-1]})
	t.Logf("reminder delays: %s", b)
}
