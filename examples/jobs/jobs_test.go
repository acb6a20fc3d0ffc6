package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/godurable/godurable/durableobject/dotest"
)

// The contract on a manual clock: the queues deliver when the test
// advances it (a batch that is not full after max_batch_timeout, 1 s;
// retries come back into the queue at once, and wait for the next batch),
// so a job's whole life takes no time.

func newWorker(t *testing.T) (*dotest.Worker, *dotest.ManualClock) {
	clock := dotest.NewManualClock(time.Date(2030, 1, 1, 9, 0, 0, 0, time.UTC))
	return dotest.New(t, &dotest.Options{Clock: clock}), clock
}

func do(t *testing.T, w *dotest.Worker, method, path, body string, wantStatus int, into any) {
	t.Helper()
	var r *http.Request
	if body == "" {
		r = httptest.NewRequest(method, path, nil)
	} else {
		r = httptest.NewRequest(method, path, strings.NewReader(body))
	}
	resp := w.Fetch(r)
	defer resp.Body.Close()
	var buf bytes.Buffer
	buf.ReadFrom(resp.Body)
	if resp.StatusCode != wantStatus {
		t.Fatalf("%s %s %s: status %d, want %d: %s", method, path, body, resp.StatusCode, wantStatus, buf.String())
	}
	if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("%s %s: Content-Type %q", method, path, ct)
	}
	if into != nil {
		if err := json.Unmarshal(buf.Bytes(), into); err != nil {
			t.Fatalf("%s %s: %v: %s", method, path, err, buf.String())
		}
	}
}

func job(t *testing.T, w *dotest.Worker, id string) JobState {
	t.Helper()
	var s JobState
	do(t, w, "GET", "/jobs/"+id, "", 200, &s)
	return s
}

func stats(t *testing.T, w *dotest.Worker) Stats {
	t.Helper()
	var s Stats
	do(t, w, "GET", "/stats", "", 200, &s)
	return s
}

// settle advances the clock a second at a time until no job is queued,
// for at most a minute of the clock, and returns the seconds it took.
func settle(t *testing.T, w *dotest.Worker, clock *dotest.ManualClock) int {
	t.Helper()
	for s := 1; s <= 60; s++ {
		clock.Advance(time.Second)
		if stats(t, w).Queued == 0 {
			return s
		}
	}
	t.Fatalf("jobs still queued after a minute: %+v", stats(t, w))
	return 0
}

func TestJob(t *testing.T) {
	w, clock := newWorker(t)
	var created map[string]string
	do(t, w, "POST", "/jobs", `{"id":"j1","fail_times":2}`, 202, &created)
	if created["id"] != "j1" || created["status"] != "queued" || len(created) != 2 {
		t.Errorf("POST /jobs = %v", created)
	}
	if s := job(t, w, "j1"); s != (JobState{ID: "j1", Status: "queued"}) {
		t.Errorf("before any delivery: %+v", s)
	}
	settle(t, w, clock)
	if s := job(t, w, "j1"); s != (JobState{ID: "j1", Status: "done", Attempts: 3}) {
		t.Errorf("settled: %+v, want done after 3 attempts", s)
	}
	if s := stats(t, w); s != (Stats{Done: 1}) {
		t.Errorf("stats = %+v", s)
	}
	// Each delivery retried j1 alone, in a batch of its own.
	var attempts []int
	for _, run := range w.QueueRuns() {
		for i, m := range run.Messages {
			attempts = append(attempts, m.Attempts)
			if r := run.Result.Messages[i]; r.Retried != (m.Attempts < 3) || r.Acked != (m.Attempts == 3) {
				t.Errorf("attempt %d: %+v", m.Attempts, r)
			}
		}
	}
	if fmt.Sprint(attempts) != "[1 2 3]" {
		t.Errorf("deliveries %v, want attempts 1, 2, 3", attempts)
	}
	do(t, w, "GET", "/jobs/nope", "", 404, nil)
}

// TestFailTimes: each fail_times ends as the contract says, a batch of
// them too, the dead ones through the dead-letter queue.
func TestFailTimes(t *testing.T) {
	w, clock := newWorker(t)
	var jobs []string
	for i := range 100 {
		jobs = append(jobs, fmt.Sprintf(`{"id":"b%d","fail_times":%d}`, i, i%7))
	}
	var queued map[string]int
	do(t, w, "POST", "/jobs/batch", "["+strings.Join(jobs, ",")+"]", 202, &queued)
	if queued["queued"] != 100 {
		t.Fatalf("POST /jobs/batch = %v", queued)
	}
	settle(t, w, clock)
	want := Stats{}
	for i := range 100 {
		ft := i % 7
		s := job(t, w, fmt.Sprintf("b%d", i))
		if ft <= 3 && (s.Status != "done" || s.Attempts != int64(ft)+1) || ft >= 4 && (s.Status != "dead" || s.Attempts != 4) {
			t.Errorf("fail_times %d: %+v", ft, s)
		}
		if ft <= 3 {
			want.Done++
		} else {
			want.Dead++
		}
	}
	if s := stats(t, w); s != want {
		t.Errorf("stats = %+v, want %+v", s, want)
	}
	for _, run := range w.QueueRuns() {
		if len(run.Messages) > 10 {
			t.Errorf("a batch of %d messages of %s, more than max_batch_size", len(run.Messages), run.Queue)
		}
		if run.Queue == "jobs-dead" {
			for _, m := range run.Messages {
				if m.Attempts != 1 {
					t.Errorf("the dead-letter queue got attempts %d", m.Attempts)
				}
			}
		}
	}
}

// TestRefused: bad input is refused, and nothing of a refused batch is
// queued.
func TestRefused(t *testing.T) {
	w, _ := newWorker(t)
	do(t, w, "POST", "/jobs", `{"id":"dup"}`, 202, nil)
	long := strings.Repeat("é", 65)
	for _, c := range []struct {
		path, body string
		status     int
	}{
		{"/jobs", `not json`, 400},
		{"/jobs", `{"id":"a"} {"id":"b"}`, 400},
		{"/jobs", `[]`, 400},
		{"/jobs", `{"fail_times":1}`, 400},
		{"/jobs", `{"id":""}`, 400},
		{"/jobs", `{"id":null}`, 400},
		{"/jobs", `{"id":7}`, 400},
		{"/jobs", `{"id":"` + long + `"}`, 400},
		{"/jobs", `{"id":"x","fail_times":-1}`, 400},
		{"/jobs", `{"id":"x","fail_times":1.5}`, 400},
		{"/jobs", `{"id":"x","fail_times":"2"}`, 400},
		{"/jobs", `{"id":"x","fail_times":null}`, 400},
		{"/jobs", `{"id":"dup"}`, 409},
		{"/jobs/batch", `{"id":"x"}`, 400},
		{"/jobs/batch", `[]`, 400},
		{"/jobs/batch", `[{"id":"x"},{"id":"y","fail_times":-2}]`, 400},
		{"/jobs/batch", `[{"id":"x"},{"id":"x"}]`, 400},
		{"/jobs/batch", `[{"id":"x"},{"id":"dup"}]`, 409},
		{"/jobs/batch", "[" + strings.Repeat(`{"id":"m"},`, 100) + `{"id":"n"}]`, 400},
	} {
		var e map[string]string
		do(t, w, "POST", c.path, c.body, c.status, &e)
		if e["error"] == "" || len(e) != 1 {
			t.Errorf("POST %s %.40s: %v, want {\"error\": ...}", c.path, c.body, e)
		}
	}
	do(t, w, "POST", "/jobs", `{"id":"`+strings.Repeat("é", 64)+`","fail_times":2.0}`, 202, nil)
	do(t, w, "GET", "/jobs/x", "", 404, nil)
	do(t, w, "GET", "/jobs", "", 405, nil)
	do(t, w, "GET", "/nowhere", "", 404, nil)
	if s := stats(t, w); s != (Stats{Queued: 2}) {
		t.Errorf("stats = %+v, want the two jobs accepted", s)
	}
	if n := w.QueueBacklog("jobs"); n != 2 {
		t.Errorf("%d messages in the queue, want 2", n)
	}
}

// TestAtLeastOnce: a batch delivered twice (as at-least-once delivery
// allows), or a delivery after a job settled, counts nothing twice.
func TestAtLeastOnce(t *testing.T) {
	w, clock := newWorker(t)
	do(t, w, "POST", "/jobs/batch", `[{"id":"a","fail_times":1},{"id":"b"}]`, 202, nil)
	first := dotest.QueueMessage{ID: "m-a", Attempts: 1, Body: Job{ID: "a", FailTimes: 1}}
	second := dotest.QueueMessage{ID: "m-b", Attempts: 1, Body: Job{ID: "b"}}
	for range 2 {
		res, err := w.Queue(context.Background(), "jobs", first, second)
		if err != nil {
			t.Fatal(err)
		}
		if got := res.Redelivered(); len(got) != 1 || got[0] != "m-a" {
			t.Errorf("redelivered %v, want a's message alone", got)
		}
	}
	if s := job(t, w, "a"); s.Attempts != 1 || s.Status != "queued" {
		t.Errorf("a after its first delivery, twice: %+v", s)
	}
	if s := job(t, w, "b"); s.Attempts != 1 || s.Status != "done" {
		t.Errorf("b after its first delivery, twice: %+v", s)
	}
	settle(t, w, clock) // the queue's own deliveries: a fails once more, then is done
	a := job(t, w, "a")
	// A late delivery of a settled job, and one to the dead-letter queue.
	w.Queue(context.Background(), "jobs", dotest.QueueMessage{Attempts: 9, Body: Job{ID: "a"}})
	w.Queue(context.Background(), "jobs-dead", dotest.QueueMessage{Body: Job{ID: "a"}})
	if s := job(t, w, "a"); s != a || s.Status != "done" {
		t.Errorf("a after late deliveries: %+v, was %+v", s, a)
	}
	if s := stats(t, w); s != (Stats{Done: 2}) {
		t.Errorf("stats = %+v", s)
	}
}
