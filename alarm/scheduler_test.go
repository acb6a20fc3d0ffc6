package alarm_test

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/godurable/godurable/alarm"
	"github.com/godurable/godurable/durableobject/dotest"
)

// The Scheduler's contract, on testdata/jobs and a manual clock.

var start = time.Date(2030, 6, 1, 12, 0, 0, 0, time.UTC)

type job struct {
	Fail  int  `json:"fail"`
	Panic bool `json:"panic"`
}

type delivery struct {
	Name    string `json:"name"`
	At      int64  `json:"at"`
	Attempt int    `json:"attempt"`
	OK      bool   `json:"ok"`
}

func jobs(t *testing.T) (*dotest.Object, *dotest.ManualClock) {
	o, clock, _ := jobsWithOutput(t)
	return o, clock
}

// jobsWithOutput is jobs whose guest output the test reads.
func jobsWithOutput(t *testing.T) (*dotest.Object, *dotest.ManualClock, *lockedBuffer) {
	clock := dotest.NewManualClock(start)
	out := &lockedBuffer{}
	w := dotest.New(t, &dotest.Options{Package: "./testdata/jobs", Config: "-", Bindings: map[string]string{"JOBS": "Jobs"}, Clock: clock, Output: out})
	return w.Object("JOBS", "j"), clock, out
}

type lockedBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func call(t *testing.T, o *dotest.Object, method string, result any, args ...any) {
	t.Helper()
	if err := o.Call(t.Context(), method, result, args...); err != nil {
		t.Fatalf("%s%v: %v", method, args, err)
	}
}

func deliveries(t *testing.T, o *dotest.Object) string {
	t.Helper()
	var ds []delivery
	call(t, o, "deliveries", &ds)
	var parts []string
	for _, d := range ds {
		parts = append(parts, fmt.Sprintf("%s@%d#%d:%v", d.Name, (d.At-start.UnixMilli())/1000, d.Attempt, d.OK))
	}
	return strings.Join(parts, " ")
}

// A failing event is retried with backoff while the others go on, and
// kept as dead after MaxAttempts (3 here) attempts; scheduling it again
// revives it.
func TestRetriesAndDead(t *testing.T) {
	o, clock, out := jobsWithOutput(t)
	call(t, o, "add", nil, "flaky", 1000, job{Fail: 1}, 0)
	call(t, o, "add", nil, "broken", 1000, job{Fail: 99}, 0)
	call(t, o, "add", nil, "fine", 2000, job{}, 0)
	clock.Advance(time.Second)     // flaky and broken fail; retried at 3 s
	clock.Advance(time.Second)     // fine runs
	clock.Advance(time.Second)     // flaky succeeds, broken fails again; retried 4 s later
	clock.Advance(4 * time.Second) // broken fails a third time: dead
	want := "broken@1#0:false flaky@1#0:false fine@2#0:true broken@1#1:false flaky@1#1:true broken@1#2:false"
	if got := deliveries(t, o); got != want {
		t.Errorf("deliveries:\n got %s\nwant %s", got, want)
	}
	var pending, dead []alarm.Event[job]
	call(t, o, "pending", &pending)
	call(t, o, "deadJobs", &dead)
	if len(pending) != 0 || len(dead) != 1 || dead[0].Name != "broken" || dead[0].Attempts != 3 ||
		dead[0].LastError != "job broken fails attempt 2" || !dead[0].Dead {
		t.Fatalf("pending %+v, dead %+v", pending, dead)
	}
	if _, ok, _ := o.Alarm(); ok {
		t.Error("the alarm is set with only a dead event")
	}
	logged := `alarm: the scheduled event "broken" (table godurable_scheduled_events) is dead after 3 attempts, kept for Scheduler.Dead until it is scheduled again; its last error: job broken fails attempt 2`
	if !strings.Contains(out.String(), logged) {
		t.Errorf("the guest's output does not say the event went dead:\n%s", out.String())
	}
	// Scheduled again, it runs again.
	call(t, o, "add", nil, "broken", 1000, job{}, 0)
	clock.Advance(time.Second)
	call(t, o, "deadJobs", &dead)
	if len(dead) != 0 || !strings.HasSuffix(deliveries(t, o), "broken@8#0:true") {
		t.Errorf("after reviving: dead %+v, deliveries %s", dead, deliveries(t, o))
	}
}

// A handler's panic is a failure of its event alone.
func TestPanicFailsOneEvent(t *testing.T) {
	o, clock := jobs(t)
	call(t, o, "add", nil, "a-panics", 1000, job{Panic: true}, 0)
	call(t, o, "add", nil, "b-fine", 1000, job{}, 0)
	clock.Advance(time.Second)
	if got := deliveries(t, o); got != "a-panics@1#0:false b-fine@1#0:true" {
		t.Errorf("deliveries = %s", got)
	}
	var pending []alarm.Event[job]
	call(t, o, "pending", &pending)
	if len(pending) != 1 || pending[0].Attempts != 1 || !strings.Contains(pending[0].LastError, "panicked: job a-panics panics") {
		t.Errorf("pending = %+v", pending)
	}
}

func TestRepeatAndCancel(t *testing.T) {
	o, clock := jobs(t)
	call(t, o, "add", nil, "every", 1000, job{}, 1000)
	for range 3 {
		clock.Advance(time.Second)
	}
	var cancelled bool
	call(t, o, "cancel", &cancelled, "every")
	clock.Advance(5 * time.Second)
	if got := deliveries(t, o); !cancelled || got != "every@1#0:true every@2#0:true every@3#0:true" {
		t.Errorf("cancelled %v, deliveries %s", cancelled, got)
	}
	call(t, o, "cancel", &cancelled, "every")
	if cancelled {
		t.Error("cancelling twice reports the event existed")
	}
}

func TestBadInput(t *testing.T) {
	o, _ := jobs(t)
	for _, tc := range []struct {
		name      string
		every     int64
		big       int
		wantError string
	}{
		{"", 0, 0, "ErrBadName: alarm: bad event name: empty"},
		{strings.Repeat("n", alarm.MaxNameBytes+1), 0, 0, "ErrBadName: alarm: bad event name: 257 bytes, at most 256"},
		{"neg", -1000, 0, "ErrBadRepeat: alarm: bad repeat interval: -1s for \"neg\"; use no Every for an event that fires once"},
		{"big", 0, alarm.MaxPayloadBytes, "ErrPayloadTooLarge: alarm: payload too large: \"big\": 65559 bytes, at most 65536"},
		{strings.Repeat("n", alarm.MaxNameBytes), 0, alarm.MaxPayloadBytes - 100, ""},
	} {
		var got string
		call(t, o, "tryAdd", &got, tc.name, 1000, tc.every, tc.big)
		if got != tc.wantError {
			t.Errorf("%.20q: %q, want %q", tc.name, got, tc.wantError)
		}
	}
	var msg string
	call(t, o, "nilHandler", &msg)
	if msg != "alarm: NewScheduler: nil handler" {
		t.Errorf("nil handler: %q", msg)
	}
}
