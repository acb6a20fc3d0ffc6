package workerd

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/godurable/godurable/internal/abi"
	"github.com/godurable/godurable/internal/crontrigger"
	"github.com/godurable/godurable/internal/driver"
)

// The Worker's scheduled events (cron triggers): on demand, as a test or
// wrangler dev's /cdn-cgi/local/scheduled sends one, and on the isolate's
// clock for each of Config.Crons, as Cloudflare fires them (wrangler dev
// never fires them by itself). As in workerd, a failed event is not
// retried: workerd reports whether the handler asked for no retry
// (controller.noRetry()) to what sent the event, and its local server
// does nothing with it.

// ScheduledRun is one run of the scheduled handler.
type ScheduledRun struct {
	Cron          string
	ScheduledTime time.Time
	// Err is the handler's error, a *driver.JSError as JavaScript would
	// throw it, or why the event could not run.
	Err error
	// NoRetry reports that the handler called NoRetry (or that there is
	// no handler: workerd asks for no retry then).
	NoRetry bool
}

// cronState is the isolate's cron triggers and its record of runs.
type cronState struct {
	mu     sync.Mutex
	stops  map[*crontrigger.Schedule]func() bool // each trigger's armed timer
	closed bool
	runs   []ScheduledRun
}

// Scheduled runs the Worker's scheduled handler for the trigger cron, due
// at at, and returns the run: what workerd's Fetcher.scheduled() reports
// as {outcome, noRetry}, and the error.
func (iso *Isolate) Scheduled(ctx context.Context, cron string, at time.Time) ScheduledRun {
	run := ScheduledRun{Cron: cron, ScheduledTime: at.UTC().Truncate(time.Millisecond)}
	run.NoRetry, run.Err = iso.scheduled(ctx, &run)
	iso.crons.mu.Lock()
	iso.crons.runs = append(iso.crons.runs, run)
	iso.crons.mu.Unlock()
	return run
}

func (iso *Isolate) scheduled(ctx context.Context, run *ScheduledRun) (noRetry bool, err error) {
	if !hasCapability(iso.Manifest().Worker, "scheduled") {
		iso.log("godurable: Received a ScheduledEvent but we lack a handler for ScheduledEvents (a.k.a. Cron Triggers). Did you remember to export a scheduled() function?")
		return true, NewJSError("Error", "Handler does not export a scheduled() function")
	}
	inst, err := iso.instance()
	if err != nil {
		return false, err
	}
	iso.mu.Lock()
	dropped := iso.takeDroppedLocked()
	iso.mu.Unlock()
	payload := mustMarshal(&abi.ScheduledInfo{Cron: run.Cron, ScheduledTime: float64(run.ScheduledTime.UnixMilli())})
	out, err := inst.Dispatch(ctx, &driver.Message{Kind: abi.EventScheduled, Payload: payload, Dropped: dropped,
		What: fmt.Sprintf("scheduled %q", run.Cron)})
	if err != nil {
		return false, err
	}
	var res abi.ScheduledResult
	if err := abi.Unmarshal(out, &res); err != nil {
		return false, fmt.Errorf("godurable: the guest sent a malformed scheduled result: %w", err)
	}
	if res.Error != nil {
		return res.NoRetry, &driver.JSError{Err: res.Error}
	}
	return res.NoRetry, nil
}

// ScheduledRuns returns the runs of the scheduled handler so far, in the
// order they finished.
func (iso *Isolate) ScheduledRuns() []ScheduledRun {
	iso.crons.mu.Lock()
	defer iso.crons.mu.Unlock()
	return append([]ScheduledRun(nil), iso.crons.runs...)
}

// startCrons arms each of the configuration's triggers for its next time
// after the clock's now.
func (iso *Isolate) startCrons() {
	iso.crons.stops = map[*crontrigger.Schedule]func() bool{}
	now := iso.cfg.Clock.Now()
	for _, c := range iso.cfg.Crons {
		iso.armCron(c, now)
	}
}

// armCron arms c for its first time after after. When the timer fires,
// c runs for that time and for every later one the clock has passed
// meanwhile (a manual clock advanced by a day passes 288 times of */5),
// in order, each with its own scheduledTime; the next time is armed
// before the handler runs, so that a slow handler on the real clock
// delays no later run, and runs may overlap, as on Cloudflare.
func (iso *Isolate) armCron(c *crontrigger.Schedule, after time.Time) {
	at := c.Next(after)
	if at.IsZero() {
		return // never again
	}
	iso.crons.mu.Lock()
	defer iso.crons.mu.Unlock()
	if iso.crons.closed {
		return
	}
	iso.crons.stops[c] = iso.cfg.Clock.AfterFunc(at.Sub(iso.cfg.Clock.Now()), func() {
		now := iso.cfg.Clock.Now()
		last := at
		for next := c.Next(at); !next.IsZero() && !next.After(now); next = c.Next(next) {
			last = next
		}
		iso.armCron(c, last)
		for t := at; !t.IsZero() && !t.After(last); t = c.Next(t) {
			iso.runCron(c, t)
		}
	})
}

// runCron runs c's scheduled event for the time at, and logs a failure.
func (iso *Isolate) runCron(c *crontrigger.Schedule, at time.Time) {
	ctx, cancel := context.WithTimeout(context.Background(), iso.timeout())
	defer cancel()
	if run := iso.Scheduled(ctx, c.String(), at); run.Err != nil {
		iso.log(fmt.Sprintf("godurable: the scheduled event of %q at %s failed: %v", run.Cron, at.Format(time.RFC3339), run.Err))
	}
}

// stopCrons disarms the triggers for good.
func (iso *Isolate) stopCrons() {
	iso.crons.mu.Lock()
	defer iso.crons.mu.Unlock()
	iso.crons.closed = true
	for _, stop := range iso.crons.stops {
		stop()
	}
	iso.crons.stops = nil
}
