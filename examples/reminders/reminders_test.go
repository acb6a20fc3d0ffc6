package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/godurable/godurable/durableobject/dotest"
	"github.com/godurable/godurable/worker"
)

// The contract on a manual clock: advancing it fires what is due before
// Advance returns.

var start = time.Date(2030, 1, 1, 9, 0, 0, 0, time.UTC)

func newWorker(t *testing.T) (*dotest.Worker, *dotest.ManualClock) {
	clock := dotest.NewManualClock(start)
	return dotest.New(t, &dotest.Options{Clock: clock}), clock
}

func ms(d time.Duration) int64 { return start.Add(d).UnixMilli() }

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

func pending(t *testing.T, w *dotest.Worker, user string) []Pending {
	t.Helper()
	var out []Pending
	do(t, w, "GET", "/users/"+user+"/reminders", "", 200, &out)
	return out
}

func fired(t *testing.T, w *dotest.Worker, user string) []Fired {
	t.Helper()
	var out []Fired
	do(t, w, "GET", "/users/"+user+"/fired", "", 200, &out)
	return out
}

func TestContract(t *testing.T) {
	w, clock := newWorker(t)
	var s Scheduled
	do(t, w, "POST", "/users/ann/reminders", `{"id":"r1","in_ms":1500,"text":"stand up"}`, 201, &s)
	if s != (Scheduled{"r1", ms(1500 * time.Millisecond)}) {
		t.Errorf("POST = %+v", s)
	}
	do(t, w, "POST", "/users/ann/reminders", fmt.Sprintf(`{"id":"r0","at":%d,"text":"first"}`, ms(time.Second)), 201, &s)
	if got := pending(t, w, "ann"); fmt.Sprint(got) != fmt.Sprint([]Pending{{"r0", ms(time.Second), 0, "first"}, {"r1", ms(1500 * time.Millisecond), 0, "stand up"}}) {
		t.Errorf("pending = %+v", got)
	}
	if got := pending(t, w, "bob"); len(got) != 0 {
		t.Errorf("another user's reminders = %+v", got)
	}

	clock.Advance(999 * time.Millisecond)
	if got := fired(t, w, "ann"); len(got) != 0 {
		t.Fatalf("fired before its time: %+v", got)
	}
	clock.Advance(time.Millisecond)
	clock.Advance(500 * time.Millisecond)
	got := fired(t, w, "ann")
	want := []Fired{{"r0", "first", ms(time.Second), ms(time.Second)}, {"r1", "stand up", ms(1500 * time.Millisecond), ms(1500 * time.Millisecond)}}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("fired = %+v, want %+v", got, want)
	}
	if got := pending(t, w, "ann"); len(got) != 0 {
		t.Errorf("a one-shot reminder stays pending after it fired: %+v", got)
	}

	var c map[string]bool
	do(t, w, "DELETE", "/users/ann/reminders/r1", "", 404, &c)
	if c["cancelled"] {
		t.Errorf("DELETE of a fired reminder = %v", c)
	}
	do(t, w, "POST", "/users/ann/reminders", `{"id":"later","in_ms":60000,"text":"x"}`, 201, nil)
	do(t, w, "DELETE", "/users/ann/reminders/later", "", 200, &c)
	if !c["cancelled"] {
		t.Errorf("DELETE of a pending reminder = %v", c)
	}
	clock.Advance(2 * time.Minute)
	if got := fired(t, w, "ann"); len(got) != 2 {
		t.Errorf("a cancelled reminder fired: %+v", got)
	}
}

func TestReplace(t *testing.T) {
	w, clock := newWorker(t)
	do(t, w, "POST", "/users/u/reminders", `{"id":"r","in_ms":1000,"text":"old"}`, 201, nil)
	do(t, w, "POST", "/users/u/reminders", `{"id":"r","in_ms":3000,"text":"new"}`, 201, nil)
	if got := pending(t, w, "u"); len(got) != 1 || got[0].Text != "new" || got[0].At != ms(3*time.Second) {
		t.Errorf("pending after a replacement = %+v", got)
	}
	clock.Advance(2 * time.Second)
	if got := fired(t, w, "u"); len(got) != 0 {
		t.Errorf("the replaced reminder fired: %+v", got)
	}
	clock.Advance(time.Second)
	if got := fired(t, w, "u"); len(got) != 1 || got[0].Text != "new" {
		t.Errorf("fired = %+v", got)
	}
}

func TestRepeat(t *testing.T) {
	w, clock := newWorker(t)
	do(t, w, "POST", "/users/u/reminders", `{"id":"tick","in_ms":1000,"every_ms":2000,"text":"t"}`, 201, nil)
	for i := 0; i < 3; i++ {
		clock.Advance(time.Second)
		clock.Advance(time.Second)
	}
	// Fired at 1 s, 3 s and 5 s; next at 7 s.
	got := fired(t, w, "u")
	var ats []int64
	for _, f := range got {
		ats = append(ats, f.At)
	}
	if fmt.Sprint(ats) != fmt.Sprint([]int64{ms(time.Second), ms(3 * time.Second), ms(5 * time.Second)}) {
		t.Errorf("occurrences = %v", ats)
	}
	if p := pending(t, w, "u"); len(p) != 1 || p[0].At != ms(7*time.Second) || p[0].EveryMs != 2000 {
		t.Errorf("pending = %+v", p)
	}
	// Missed occurrences collapse into one: 10 s later, one occurrence
	// fires (that of 7 s) and the next is the first one in the future.
	w.Restart()
	clock.Advance(10 * time.Second)
	got = fired(t, w, "u")
	if len(got) != 4 || got[3].At != ms(7*time.Second) || got[3].FiredAt != ms(16*time.Second) {
		t.Errorf("after 10 s: %+v", got)
	}
	if p := pending(t, w, "u"); len(p) != 1 || p[0].At != ms(17*time.Second) {
		t.Errorf("pending after 10 s = %+v", p)
	}
}

func TestBadInput(t *testing.T) {
	w, _ := newWorker(t)
	for _, body := range []string{
		`not json`,
		`[1]`,
		`{"id":"","in_ms":1}`,
		`{"id":"r","text":"x"}`,
		`{"id":"r","at":1,"in_ms":1}`,
		`{"id":"r","in_ms":-1}`,
		`{"id":"r","in_ms":1.5}`,
		`{"id":"r","in_ms":1,"every_ms":999}`,
		`{"id":"r","in_ms":1,"every_ms":-1000}`,
		`{"id":"r","in_ms":1,"text":"` + strings.Repeat("é", 1001) + `"}`,
		`{"id":"` + strings.Repeat("x", 257) + `","in_ms":1}`,
	} {
		var e struct{ Error string }
		do(t, w, "POST", "/users/u/reminders", body, 400, &e)
		if e.Error == "" {
			t.Errorf("%.40s: no error message", body)
		}
	}
	do(t, w, "POST", "/users/u/reminders", `{"id":"r","in_ms":1,"text":"`+strings.Repeat("é", 1000)+`","every_ms":1000}`, 201, nil)
	if p := pending(t, w, "u"); len(p) != 1 {
		t.Errorf("pending after bad input = %+v", p)
	}
}

func TestRPC(t *testing.T) {
	w, clock := newWorker(t)
	o := w.Object("REMINDERS", "rpc")
	var s Scheduled
	if err := o.Call(t.Context(), "schedule", &s, "a", ms(time.Second), 0, "from rpc"); err != nil || s.At != ms(time.Second) {
		t.Fatalf("schedule = %+v, %v", s, err)
	}
	var list []Pending
	if err := o.Call(t.Context(), "list", &list); err != nil || len(list) != 1 || list[0].Text != "from rpc" {
		t.Errorf("list = %+v, %v", list, err)
	}
	err := o.Call(t.Context(), "schedule", nil, "b", ms(time.Second), 10, "")
	var we *worker.Error
	if !errors.As(err, &we) || we.Name != "RangeError" {
		t.Errorf("schedule with every_ms 10: %v", err)
	}
	clock.Advance(time.Second)
	var f []Fired
	if err := o.Call(t.Context(), "fired", &f); err != nil || len(f) != 1 {
		t.Errorf("fired = %+v, %v", f, err)
	}
	var cancelled bool
	if err := o.Call(t.Context(), "cancel", &cancelled, "a"); err != nil || cancelled {
		t.Errorf("cancel of a fired reminder = %v, %v", cancelled, err)
	}
}

// TestSurvives: reminders fire across evictions, restarts and crashes,
// and a handler whose storage fails gets the event again.
func TestSurvives(t *testing.T) {
	w, clock := newWorker(t)
	o := w.Object("REMINDERS", "d")
	for i, d := range []time.Duration{time.Second, 2 * time.Second, 3 * time.Second, 4 * time.Second} {
		do(t, w, "POST", "/users/d/reminders", fmt.Sprintf(`{"id":"r%d","in_ms":%d,"text":"x"}`, i, d.Milliseconds()), 201, nil)
	}
	if at, ok, err := o.Alarm(); err != nil || !ok || !at.Equal(start.Add(time.Second)) {
		t.Errorf("the alarm is at %v, %v, %v; want the earliest reminder", at, ok, err)
	}
	o.Evict()
	clock.Advance(time.Second)
	w.Restart()
	clock.Advance(time.Second)
	w.Crash()
	clock.Advance(time.Second)

	failed := 0
	w.SetStorageFault(func(op dotest.StorageOp) error {
		if op.Op == "sql.exec" && strings.Contains(op.Query, "INSERT INTO fired") && failed == 0 {
			failed++
			return errors.New("disk hiccup")
		}
		return nil
	})
	clock.Advance(time.Second) // r3's handler fails: retried 2 s later
	if got := fired(t, w, "d"); len(got) != 3 {
		t.Fatalf("fired after the failure = %+v", got)
	}
	clock.Advance(2 * time.Second)
	if got := fired(t, w, "d"); len(got) != 4 || got[3].ID != "r3" || got[3].FiredAt != ms(6*time.Second) {
		t.Errorf("fired after the retry = %+v", got)
	}
	if _, ok, _ := o.Alarm(); ok {
		t.Error("the alarm is still set with nothing pending")
	}
}

func TestRunAlarm(t *testing.T) {
	w, _ := newWorker(t)
	o := w.Object("REMINDERS", "run")
	if ran, err := o.RunAlarm(t.Context()); ran || err != nil {
		t.Errorf("RunAlarm without an alarm = %v, %v", ran, err)
	}
	do(t, w, "POST", "/users/run/reminders", `{"id":"r","in_ms":3600000,"text":"x"}`, 201, nil)
	// RunAlarm runs the alarm now, as vitest's runDurableObjectAlarm: the
	// scheduler finds nothing due yet and keeps the alarm at the reminder.
	if ran, err := o.RunAlarm(t.Context()); !ran || err != nil {
		t.Errorf("RunAlarm = %v, %v", ran, err)
	}
	if got := fired(t, w, "run"); len(got) != 0 {
		t.Errorf("fired early: %+v", got)
	}
	if at, ok, _ := o.Alarm(); !ok || !at.Equal(start.Add(time.Hour)) {
		t.Errorf("alarm after RunAlarm = %v, %v", at, ok)
	}
}
