package alarm_test

import (
	"context"
)

// DeadJob is what an RPC method reports of an event that went dead.
type DeadJob struct {
	Name      string `json:"name"`
	Attempts  int    `json:"attempts"`
	LastError string `json:"lastError"`
}

// DeadJobs is an RPC method that lists the events that failed
// MaxAttempts times, with the error of their last attempt. The Scheduler
// keeps them (and logs each as it goes dead): a page of an admin tool
// could show them.
func (d *Digest) DeadJobs(ctx context.Context) ([]DeadJob, error) {
	dead, err := d.sched.Dead()
	if err != nil {
		return nil, err
	}
	out := make([]DeadJob, len(dead))
	for i, ev := range dead {
		out[i] = DeadJob{Name: ev.Name, Attempts: ev.Attempts, LastError: ev.LastError}
	}
	return out, nil
}

// Retry schedules a dead event again, now: scheduling its name revives it.
func (d *Digest) Retry(ctx context.Context, name string) error {
	ev, ok, err := d.sched.Get(name)
	if err != nil || !ok {
		return err
	}
	_, err = d.sched.After(ctx, name, 0, ev.Payload)
	return err
}

func ExampleScheduler_Dead() {
	var d *Digest  // an object made by newDigest (see NewScheduler's example)
	_ = d.DeadJobs // JavaScript calls stub.deadJobs()
	_ = d.Retry
}
