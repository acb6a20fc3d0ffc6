package alarm_test

import (
	"context"
	"fmt"
	"io"
	"log"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/godurable/godurable/alarm"
	"github.com/godurable/godurable/durableobject"
	"github.com/godurable/godurable/durableobject/dotest"
	"github.com/godurable/godurable/worker"
)

// Session expires a login session an hour after its last use, with the
// object's one alarm.
type Session struct{ state *durableobject.State }

// Touch records a use of the session and moves its expiry.
func (s *Session) Touch(ctx context.Context) error {
	return alarm.Set(ctx, time.Now().Add(time.Hour))
}

// Alarm implements alarm.Handler: workerd calls it an hour after the last
// Touch, waking the object if it was evicted, and retries it if it fails.
func (s *Session) Alarm(ctx context.Context, info alarm.Info) error {
	return s.state.Storage.DeleteAll()
}

func ExampleSet() {
	durableobject.Register("Session", func(state *durableobject.State, env *worker.Env) (*Session, error) {
		return &Session{state: state}, nil
	})
}

// Digest sends each user's digest every morning, and one-off reminders,
// from one Scheduler.
type Digest struct {
	state *durableobject.State
	sched *alarm.Scheduler[Job]
}

// Job is the payload of a scheduled event.
type Job struct {
	Kind string `json:"kind"`
	Text string `json:"text,omitempty"`
}

func newDigest(state *durableobject.State, env *worker.Env) (*Digest, error) {
	d := &Digest{state: state}
	var err error
	d.sched, err = alarm.NewScheduler(&state.Storage, d.run, nil)
	return d, err
}

// run handles one event; it may run more than once for the same
// occurrence, so it is idempotent.
func (d *Digest) run(ctx context.Context, ev alarm.Event[Job]) error {
	log.Printf("%s at %s: %s %s", ev.Name, ev.At.Format(time.RFC3339), ev.Payload.Kind, ev.Payload.Text)
	return nil
}

// Alarm gives the object's alarm to the scheduler.
func (d *Digest) Alarm(ctx context.Context, info alarm.Info) error { return d.sched.Run(ctx, info) }

// Start schedules the daily digest and a reminder in ten minutes.
func (d *Digest) Start(ctx context.Context) error {
	tomorrow := time.Now().Truncate(24 * time.Hour).Add(24*time.Hour + 7*time.Hour)
	if _, err := d.sched.At(ctx, "digest", tomorrow, Job{Kind: "digest"}, alarm.Every(24*time.Hour)); err != nil {
		return err
	}
	_, err := d.sched.After(ctx, "call-mom", 10*time.Minute, Job{Kind: "reminder", Text: "call mom"})
	return err
}

func ExampleNewScheduler() {
	durableobject.Register("Digest", newDigest)
}

// The reminders example (examples/reminders) runs on a Scheduler; on a
// manual clock, a test sees a reminder fire when the clock passes its time.
func ExampleScheduler() {
	clock := dotest.NewManualClock(time.Date(2030, 1, 1, 9, 0, 0, 0, time.UTC))
	w, err := dotest.Start(&dotest.Options{Package: "../examples/reminders", Clock: clock})
	if err != nil {
		log.Fatal(err)
	}
	defer w.Close()

	w.Fetch(httptest.NewRequest("POST", "/users/ann/reminders", strings.NewReader(`{"id":"r1","in_ms":1500,"text":"stand up"}`)))
	clock.Advance(1500 * time.Millisecond)
	resp := w.Fetch(httptest.NewRequest("GET", "/users/ann/fired", nil))
	body, _ := io.ReadAll(resp.Body)
	fmt.Print(string(body))
	// Output: [{"id":"r1","text":"stand up","at":1893488401500,"fired_at":1893488401500}]
}
