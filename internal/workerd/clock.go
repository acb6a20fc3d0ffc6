package workerd

import (
	"sync"
	"time"
)

// ManualClock is a driver.Clock that moves only when told to: timers fire when
// Advance or Set passes their time.
type ManualClock struct {
	mu     sync.Mutex
	now    time.Time
	timers []*manualTimer
	seq    int
}

type manualTimer struct {
	at    time.Time
	seq   int
	f     func()
	fired bool
}

// NewManualClock returns a ManualClock that reads start.
func NewManualClock(start time.Time) *ManualClock { return &ManualClock{now: start} }

// Now returns the clock's time.
func (c *ManualClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// AfterFunc arms a timer that fires once the clock reaches Now()+d.
func (c *ManualClock) AfterFunc(d time.Duration, f func()) func() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.seq++
	t := &manualTimer{at: c.now.Add(d), seq: c.seq, f: f}
	if d <= 0 {
		t.fired = true
		go f()
		return func() bool { return false }
	}
	c.timers = append(c.timers, t)
	return func() bool {
		c.mu.Lock()
		defer c.mu.Unlock()
		for i, x := range c.timers {
			if x == t {
				c.timers = append(c.timers[:i], c.timers[i+1:]...)
				return true
			}
		}
		return false
	}
}

// Advance moves the clock forward by d and fires the timers that are due,
// in order of their time. It returns how many fired.
func (c *ManualClock) Advance(d time.Duration) int {
	c.mu.Lock()
	to := c.now.Add(d)
	c.mu.Unlock()
	return c.Set(to)
}

// Set moves the clock to t (never backwards) and fires the timers that are
// due, one at a time in order of their time, each run to completion
// before the next: the clock reads each timer's time while its function
// runs, and a timer armed meanwhile that falls due before t fires too (a
// cron trigger's next run, an alarm's retry). It returns how many fired.
func (c *ManualClock) Set(t time.Time) int {
	fired := 0
	for {
		c.mu.Lock()
		i := c.earliestDue(t)
		if i < 0 {
			if t.After(c.now) {
				c.now = t
			}
			c.mu.Unlock()
			return fired
		}
		x := c.timers[i]
		c.timers = append(c.timers[:i], c.timers[i+1:]...)
		if x.at.After(c.now) {
			c.now = x.at
		}
		c.mu.Unlock()
		x.f()
		fired++
	}
}

// earliestDue returns the index of the timer due first at or before t
// (the first armed among those due at once), or -1. It holds mu.
func (c *ManualClock) earliestDue(t time.Time) int {
	best := -1
	for i, x := range c.timers {
		if x.at.After(t) {
			continue
		}
		if best < 0 || x.at.Before(c.timers[best].at) || x.at.Equal(c.timers[best].at) && x.seq < c.timers[best].seq {
			best = i
		}
	}
	return best
}

// Pending returns the number of timers armed and not yet fired.
func (c *ManualClock) Pending() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.timers)
}
