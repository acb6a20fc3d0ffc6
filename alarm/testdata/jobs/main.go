// Command jobs is the Worker the alarm package's tests run: a class Jobs
// whose scheduler's handler fails, panics or succeeds as each job asks.
package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/godurable/godurable/alarm"
	"github.com/godurable/godurable/durableobject"
	"github.com/godurable/godurable/worker"
)

func main() {}

func init() {
	durableobject.Register("Jobs", newJobs)
}

// Job is a scheduled job's payload.
type Job struct {
	Fail  int    `json:"fail"` // fail this many attempts, then succeed
	Panic bool   `json:"panic"`
	Big   string `json:"big,omitempty"`
}

// Jobs runs jobs and records each delivery.
type Jobs struct {
	state *durableobject.State
	sched *alarm.Scheduler[Job]
}

func newJobs(state *durableobject.State, env *worker.Env) (*Jobs, error) {
	if _, err := state.Storage.SQL.Exec(`CREATE TABLE IF NOT EXISTS deliveries (seq INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT, at INTEGER, attempt INTEGER, ok INTEGER)`); err != nil {
		return nil, err
	}
	j := &Jobs{state: state}
	var err error
	j.sched, err = alarm.NewScheduler(&state.Storage, j.run, &alarm.SchedulerOptions{MaxAttempts: 3})
	return j, err
}

func (j *Jobs) run(ctx context.Context, ev alarm.Event[Job]) error {
	ok := ev.Attempts >= ev.Payload.Fail && !ev.Payload.Panic
	if _, err := j.state.Storage.SQL.Exec(`INSERT INTO deliveries (name, at, attempt, ok) VALUES (?, ?, ?, ?)`, ev.Name, ev.At.UnixMilli(), ev.Attempts, ok); err != nil {
		return err
	}
	if ev.Payload.Panic {
		panic("job " + ev.Name + " panics")
	}
	if !ok {
		return fmt.Errorf("job %s fails attempt %d", ev.Name, ev.Attempts)
	}
	return nil
}

// Alarm implements alarm.Handler.
func (j *Jobs) Alarm(ctx context.Context, info alarm.Info) error { return j.sched.Run(ctx, info) }

// Add schedules a job inMs from now, repeating every everyMs unless 0.
func (j *Jobs) Add(ctx context.Context, name string, inMs int64, job Job, everyMs int64) error {
	var opts []alarm.ScheduleOption
	if everyMs != 0 {
		opts = append(opts, alarm.Every(time.Duration(everyMs)*time.Millisecond))
	}
	_, err := j.sched.After(ctx, name, time.Duration(inMs)*time.Millisecond, job, opts...)
	return err
}

// AddBig schedules a job whose payload has n bytes of text.
func (j *Jobs) AddBig(ctx context.Context, name string, n int) error {
	_, err := j.sched.After(ctx, name, time.Second, Job{Big: strings.Repeat("x", n)})
	return err
}

// ErrorKind names which sentinel error err is, for the tests.
func ErrorKind(err error) string {
	switch {
	case errors.Is(err, alarm.ErrBadName):
		return "ErrBadName"
	case errors.Is(err, alarm.ErrPayloadTooLarge):
		return "ErrPayloadTooLarge"
	case errors.Is(err, alarm.ErrBadRepeat):
		return "ErrBadRepeat"
	}
	return ""
}

// TryAdd is Add, returning the kind of error instead of the error.
func (j *Jobs) TryAdd(ctx context.Context, name string, inMs int64, everyMs int64, bigBytes int) (string, error) {
	var opts []alarm.ScheduleOption
	if everyMs != 0 {
		opts = append(opts, alarm.Every(time.Duration(everyMs)*time.Millisecond))
	}
	_, err := j.sched.After(ctx, name, time.Duration(inMs)*time.Millisecond, Job{Big: strings.Repeat("x", bigBytes)}, opts...)
	if err == nil {
		return "", nil
	}
	if kind := ErrorKind(err); kind != "" {
		return kind + ": " + err.Error(), nil
	}
	return "", err
}

// NilHandler reports what NewScheduler says of a nil handler.
func (j *Jobs) NilHandler() string {
	_, err := alarm.NewScheduler[Job](&j.state.Storage, nil, nil)
	return fmt.Sprint(err)
}

// Pending lists the pending jobs.
func (j *Jobs) Pending() ([]alarm.Event[Job], error) { return j.sched.List() }

// DeadJobs lists the dead jobs.
func (j *Jobs) DeadJobs() ([]alarm.Event[Job], error) { return j.sched.Dead() }

// Cancel cancels a job.
func (j *Jobs) Cancel(name string) (bool, error) { return j.sched.Cancel(name) }

// Delivery is one delivery of a job.
type Delivery struct {
	Name    string `json:"name"`
	At      int64  `json:"at"`
	Attempt int    `json:"attempt"`
	OK      bool   `json:"ok"`
}

// Deliveries lists the deliveries in order.
func (j *Jobs) Deliveries() ([]Delivery, error) {
	cur, err := j.state.Storage.SQL.Exec(`SELECT name, at, attempt, ok FROM deliveries ORDER BY seq`)
	if err != nil {
		return nil, err
	}
	out := []Delivery{}
	for cur.Next() {
		var d Delivery
		if err := cur.Scan(&d.Name, &d.At, &d.Attempt, &d.OK); err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, nil
}
