package conformance

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"
)

// RunJobs checks the contract of examples/jobs against target, from
// outside, as its clients see it: jobs accepted (202), refused (400,
// 409), and a batch of 100 jobs with mixed fail_times that settles, each
// job done after fail_times + 1 attempts or, from 4 failures on, dead
// after 4, counted once in /stats. The wait for the queue is bounded (a
// minute), not measured.
func RunJobs(t *testing.T, target Target) {
	s := &suite{target: target}
	send := func(t *testing.T, path, body string, status int) map[string]any {
		t.Helper()
		out, _ := decodeJSON(t, expectStatus(t, s.do(t, "POST", path, "application/json", []byte(body)), status)).(map[string]any)
		return out
	}
	equal(t, "POST /jobs", send(t, "/jobs", `{"id":"j1","fail_times":2}`, 202), map[string]any{"id": "j1", "status": "queued"})
	for _, c := range []struct{ path, body string }{
		{"/jobs", `not json`}, {"/jobs", `{"id":""}`}, {"/jobs", `{"id":"` + strings.Repeat("x", 65) + `"}`},
		{"/jobs", `{"id":"x","fail_times":-1}`}, {"/jobs", `{"id":"x","fail_times":0.5}`},
		{"/jobs/batch", `[]`}, {"/jobs/batch", `[{"id":"x"},{"id":"x"}]`}, {"/jobs/batch", `[{"id":"x"},{"id":""}]`},
	} {
		if e := send(t, c.path, c.body, 400); len(e) != 1 || e["error"] == nil {
			t.Errorf("POST %s %s: %v, want {\"error\"}", c.path, c.body, e)
		}
	}
	if e := send(t, "/jobs", `{"id":"j1"}`, 409); e["error"] == nil {
		t.Errorf("a known id: %v", e)
	}
	send(t, "/jobs/batch", `[{"id":"new"},{"id":"j1"}]`, 409)
	expectStatus(t, s.get(t, "/jobs/new"), 404) // nothing of the refused batch

	var jobs []string
	for i := range 100 {
		jobs = append(jobs, fmt.Sprintf(`{"id":"b%d","fail_times":%d}`, i, i%7))
	}
	equal(t, "POST /jobs/batch", send(t, "/jobs/batch", "["+strings.Join(jobs, ",")+"]", 202), map[string]any{"queued": 100.0})

	deadline := time.Now().Add(time.Minute)
	for {
		st := s.getJSON(t, "/stats", 200).(map[string]any)
		if st["queued"] == 0.0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("jobs still queued after a minute: %v", st)
		}
		time.Sleep(250 * time.Millisecond)
	}
	want := map[string]any{"queued": 0.0, "done": 1.0, "dead": 0.0}
	for i := range 100 {
		ft := i % 7
		got := s.getJSON(t, fmt.Sprintf("/jobs/b%d", i), 200)
		w := map[string]any{"id": fmt.Sprintf("b%d", i), "status": "done", "attempts": float64(ft + 1)}
		if ft >= 4 {
			w["status"], w["attempts"] = "dead", 4.0
		}
		want[w["status"].(string)] = want[w["status"].(string)].(float64) + 1
		equal(t, fmt.Sprintf("job b%d (fail_times %d)", i, ft), got, w)
	}
	equal(t, "j1", s.getJSON(t, "/jobs/j1", 200), map[string]any{"id": "j1", "status": "done", "attempts": 3.0})
	equal(t, "stats", s.getJSON(t, "/stats", 200), want)
	r := expectStatus(t, s.get(t, "/jobs/nope"), 404)
	var e map[string]any
	if json.Unmarshal(r.Body, &e) != nil || e["error"] == nil {
		t.Errorf("GET /jobs/nope: %s", r.Body)
	}
}
