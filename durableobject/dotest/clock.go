package dotest

import (
	"time"

	"github.com/godurable/godurable/internal/workerd"
)

// The clock a test moves.

// ManualClock is a clock that a test moves: the guest's time.Now and its
// timers (worker.Sleep, time.After) follow it. Go timers fire only while
// an event is in flight, as in workerd.
type ManualClock struct{ c *workerd.ManualClock }

// NewManualClock returns a clock that reads start.
func NewManualClock(start time.Time) *ManualClock {
	return &ManualClock{c: workerd.NewManualClock(start)}
}

// Now returns the clock's time.
func (c *ManualClock) Now() time.Time { return c.c.Now() }

// Advance moves the clock by d, firing the guest's timers, the alarms and
// the cron triggers that fall due, in order of their time, while the clock
// reads its new time, as after a jump.
func (c *ManualClock) Advance(d time.Duration) { c.c.Advance(d) }

// Pending returns how many timers are armed on the clock: the guest's
// (Go timers, worker.Sleep), the alarms', the queues' next deliveries
// and, always, one for each cron trigger of the configuration.
func (c *ManualClock) Pending() int { return c.c.Pending() }
