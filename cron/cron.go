package cron

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"github.com/godurable/godurable/internal/abi"
	"github.com/godurable/godurable/internal/rt"
)

// Event is a run of the Worker's scheduled handler, for one of the cron
// triggers of its configuration ([triggers] crons): what workerd's
// ScheduledController tells a JavaScript handler.
type Event struct {
	// Cron is the trigger's expression, as the configuration spells it
	// ("*/5 * * * *"): compare it with the configuration's to tell the
	// triggers apart.
	Cron string
	// ScheduledTime is when the trigger was due (UTC, whole
	// milliseconds), which may be a little before the handler runs.
	ScheduledTime time.Time

	noRetry atomic.Bool
}

// NoRetry asks the runtime not to retry this event if the handler fails:
// workerd's controller.noRetry(). It holds whatever the handler does
// next, a panic included. (Whether and when Cloudflare retries a failed
// scheduled event it does not document; wrangler dev and dotest never
// retry one.)
func (e *Event) NoRetry() { e.noRetry.Store(true) }

var (
	scheduledMu      sync.Mutex
	scheduledHandler func(context.Context, *Event) error
)

// Handle registers h as the Worker's scheduled handler, which runs when
// one of its cron triggers fires. Call it once, from an init function.
// An error, or a panic, fails the event.
func Handle(h func(ctx context.Context, e *Event) error) {
	if h == nil {
		panic("cron: Handle(nil)")
	}
	scheduledMu.Lock()
	defer scheduledMu.Unlock()
	if scheduledHandler != nil {
		panic("cron: Handle called twice")
	}
	scheduledHandler = h
}

func scheduled() func(context.Context, *Event) error {
	scheduledMu.Lock()
	defer scheduledMu.Unlock()
	return scheduledHandler
}

func init() {
	rt.HandleEvent(abi.EventScheduled, rt.EventSpec{
		Registered: func() bool { return scheduled() != nil },
		Run:        runScheduled,
	})
}

// runScheduled runs the handler and completes the event with whether it
// called NoRetry and its error, a panic's included (abi.ScheduledResult).
func runScheduled(ctx context.Context, e *rt.Event, payload []byte) {
	var in abi.ScheduledInfo
	if err := abi.Unmarshal(payload, &in); err != nil {
		e.FailWith(&abi.Error{Name: "TypeError", Message: "godurable: malformed scheduled event: " + err.Error()})
		return
	}
	ev := &Event{Cron: in.Cron, ScheduledTime: time.UnixMilli(int64(in.ScheduledTime)).UTC()}
	var res abi.ScheduledResult
	func() {
		defer func() {
			if v := recover(); v != nil {
				res.Error = e.PanicError(v)
			}
		}()
		if err := scheduled()(ctx, ev); err != nil {
			res.Error = rt.ToABI(err)
		}
	}()
	res.NoRetry = ev.noRetry.Load()
	out, err := abi.Marshal(&res)
	if err != nil {
		e.Fail(err)
		return
	}
	e.Finish(out)
}
