package dotest

import (
	"context"
	"time"
)

// Scheduled runs the Worker's scheduled handler (cron.Handle)
// now, as the cron trigger cron due at at, and returns the handler's
// error, as the *worker.Error that JavaScript would catch; vitest's
// createScheduledController followed by the Worker's scheduled(), or
// wrangler dev's /cdn-cgi/local/scheduled?cron=...&time=.... cron need
// not be one of the configuration's. Without a scheduled handler, it
// returns workerd's "Handler does not export a scheduled() function".
// The run is recorded (ScheduledRuns), and never retried.
func (w *Worker) Scheduled(ctx context.Context, cron string, at time.Time) error {
	ctx, cancel := w.eventContext(ctx)
	defer cancel()
	return guestError(w.iso.Scheduled(ctx, cron, at).Err)
}

// ScheduledRun is one run of the Worker's scheduled handler, by a cron
// trigger of the configuration or by Scheduled.
type ScheduledRun struct {
	// Cron and ScheduledTime are what the handler got (ScheduledTime in
	// UTC, whole milliseconds).
	Cron          string
	ScheduledTime time.Time
	// Err is the handler's error (a *worker.Error), or nil.
	Err error
	// NoRetry reports that the handler called NoRetry (workerd also asks
	// for no retry when the Worker has no scheduled handler).
	NoRetry bool
}

// ScheduledRuns returns every run of the scheduled handler so far, in
// the order they finished.
func (w *Worker) ScheduledRuns() []ScheduledRun {
	var out []ScheduledRun
	for _, r := range w.iso.ScheduledRuns() {
		out = append(out, ScheduledRun{Cron: r.Cron, ScheduledTime: r.ScheduledTime, Err: guestError(r.Err), NoRetry: r.NoRetry})
	}
	return out
}
