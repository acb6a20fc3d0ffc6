// Command reminders is a Worker whose Durable Objects, one per user, keep
// reminders and fire them on time with an alarm.Scheduler. JSON
// everywhere, times in Unix milliseconds:
//
//	POST   /users/{user}/reminders        {"id":"r1","in_ms":1500,"text":"stand up"}
//	                                      (or "at":<ms> instead of "in_ms"; optional "every_ms")
//	                                      201 {"id":"r1","at":<ms>}; the same id replaces the reminder
//	GET    /users/{user}/reminders        200 [{"id","at","every_ms","text"}], by at then id
//	DELETE /users/{user}/reminders/{id}   200 {"cancelled":true} or 404 {"cancelled":false}
//	GET    /users/{user}/fired            200 [{"id","text","at","fired_at"}], in firing order
//
// Bad input gets 400 {"error":"..."}. The class's RPC methods schedule(id,
// atMs, everyMs, text), cancel(id), list() and fired() do the same for
// JavaScript and Go callers.
package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"
	"unicode/utf8"

	"github.com/godurable/godurable/alarm"
	"github.com/godurable/godurable/durableobject"
	"github.com/godurable/godurable/worker"
)

func main() {}

func init() {
	durableobject.Register("Reminders", newReminders)
	worker.Handle(http.HandlerFunc(route))
}

// Reminders are the reminders of one user.
type Reminders struct {
	state *durableobject.State
	sched *alarm.Scheduler[Reminder]
	mux   *http.ServeMux
}

// Reminder is the payload of a scheduled reminder.
type Reminder struct {
	Text string `json:"text"`
}

// Pending is a reminder as the list shows it.
type Pending struct {
	ID      string `json:"id"`
	At      int64  `json:"at"`
	EveryMs int64  `json:"every_ms"`
	Text    string `json:"text"`
}

// Fired is one occurrence of a reminder that has fired.
type Fired struct {
	ID      string `json:"id"`
	Text    string `json:"text"`
	At      int64  `json:"at"`
	FiredAt int64  `json:"fired_at"`
}

// Scheduled is the answer to a new reminder.
type Scheduled struct {
	ID string `json:"id"`
	At int64  `json:"at"`
}

func newReminders(state *durableobject.State, env *worker.Env) (*Reminders, error) {
	// Each occurrence is recorded once however often it is delivered (the
	// scheduler delivers at least once); deliveries counts them.
	_, err := state.Storage.SQL.Exec(`CREATE TABLE IF NOT EXISTS fired (
		seq INTEGER PRIMARY KEY AUTOINCREMENT,
		id TEXT NOT NULL, at INTEGER NOT NULL, text TEXT NOT NULL, fired_at INTEGER NOT NULL,
		deliveries INTEGER NOT NULL DEFAULT 1,
		UNIQUE (id, at))`)
	if err != nil {
		return nil, fmt.Errorf("creating the fired table: %w", err)
	}
	r := &Reminders{state: state}
	if r.sched, err = alarm.NewScheduler(&state.Storage, r.fire, nil); err != nil {
		return nil, err
	}
	r.mux = r.routes()
	return r, nil
}

// fire records one occurrence of a reminder.
func (r *Reminders) fire(ctx context.Context, ev alarm.Event[Reminder]) error {
	_, err := r.state.Storage.SQL.Exec(`INSERT INTO fired (id, at, text, fired_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (id, at) DO UPDATE SET deliveries = deliveries + 1`,
		ev.Name, ev.At.UnixMilli(), ev.Payload.Text, time.Now().UnixMilli())
	return err
}

// Alarm implements alarm.Handler: the scheduler owns the alarm.
func (r *Reminders) Alarm(ctx context.Context, info alarm.Info) error {
	return r.sched.Run(ctx, info)
}

// Limits of a reminder.
const (
	maxText    = 1000 // characters
	minEveryMs = 1000
)

// badInput is a RangeError for RPC callers and a 400 for HTTP clients.
func badInput(format string, args ...any) error {
	return &worker.Error{Name: "RangeError", Message: fmt.Sprintf(format, args...)}
}

// Schedule schedules the reminder id at atMs, repeating every everyMs
// milliseconds unless that is 0, and returns its id and time.
func (r *Reminders) Schedule(ctx context.Context, id string, atMs, everyMs int64, text string) (Scheduled, error) {
	switch {
	case id == "":
		return Scheduled{}, badInput("id must not be empty")
	case everyMs != 0 && everyMs < minEveryMs:
		return Scheduled{}, badInput("every_ms must be 0 or at least %d, got %d", minEveryMs, everyMs)
	case utf8.RuneCountInString(text) > maxText:
		return Scheduled{}, badInput("text must be at most %d characters, got %d", maxText, utf8.RuneCountInString(text))
	}
	var opts []alarm.ScheduleOption
	if everyMs > 0 {
		opts = append(opts, alarm.Every(time.Duration(everyMs)*time.Millisecond))
	}
	ev, err := r.sched.At(ctx, id, time.UnixMilli(atMs), Reminder{Text: text}, opts...)
	if errors.Is(err, alarm.ErrBadName) || errors.Is(err, alarm.ErrPayloadTooLarge) || errors.Is(err, alarm.ErrBadRepeat) {
		return Scheduled{}, badInput("%v", err)
	}
	if err != nil {
		return Scheduled{}, err
	}
	return Scheduled{ID: id, At: ev.At.UnixMilli()}, nil
}

// Cancel cancels the reminder id and reports whether it existed.
func (r *Reminders) Cancel(id string) (bool, error) { return r.sched.Cancel(id) }

// List returns the pending reminders, by time then id.
func (r *Reminders) List() ([]Pending, error) {
	evs, err := r.sched.List()
	if err != nil {
		return nil, err
	}
	out := make([]Pending, len(evs))
	for i, ev := range evs {
		out[i] = Pending{ID: ev.Name, At: ev.At.UnixMilli(), EveryMs: ev.Every.Milliseconds(), Text: ev.Payload.Text}
	}
	return out, nil
}

// Fired returns the reminders that have fired, in firing order.
func (r *Reminders) Fired() ([]Fired, error) {
	cur, err := r.state.Storage.SQL.Exec(`SELECT id, text, at, fired_at FROM fired ORDER BY seq`)
	if err != nil {
		return nil, err
	}
	out := []Fired{}
	for cur.Next() {
		var f Fired
		if err := cur.Scan(&f.ID, &f.Text, &f.At, &f.FiredAt); err != nil {
			return nil, err
		}
		out = append(out, f)
	}
	return out, nil
}

func (r *Reminders) ServeHTTP(w http.ResponseWriter, req *http.Request) { r.mux.ServeHTTP(w, req) }
