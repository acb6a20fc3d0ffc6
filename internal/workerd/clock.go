package workerd

import (
	"sort"
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
// due. Each timer's function runs to completion before the next fires.
func (c *ManualClock) Set(t time.Time) int {
	c.mu.Lock()
	if t.After(c.now) {
		c.now = t
	}
	var due []*manualTimer
	keep := c.timers[:0]
	for _, x := range c.timers {
		if !x.at.After(c.now) {
			due = append(due, x)
		} else {
			keep = append(keep, x)
		}
	}
	c.timers = keep
	c.mu.Unlock()
	sort.Slice(due, func(i, j int) bool {
		if !due[i].at.Equal(due[j].at) {
			return due[i].at.Before(due[j].at)
		}
		return due[i].seq < due[j].seq
	})
	for _, x := range due {
		x.f()
	}
	return len(due)
}

// Pending returns the number of timers armed and not yet fired.
func (c *ManualClock) Pending() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.timers)
}
