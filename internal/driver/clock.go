package driver

import "time"

// Clock is the time a guest sees and the timers its host arms.
type Clock interface {
	Now() time.Time
	// AfterFunc calls f in its own goroutine after d; stop cancels it
	// and reports whether it did so before f was called.
	AfterFunc(d time.Duration, f func()) (stop func() bool)
}

type realClock struct{}

// RealClock returns the system clock.
func RealClock() Clock { return realClock{} }

func (realClock) Now() time.Time { return time.Now() }

func (realClock) AfterFunc(d time.Duration, f func()) func() bool {
	return time.AfterFunc(d, f).Stop
}
