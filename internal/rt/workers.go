package rt

import "sync/atomic"

// Events run on a pool of goroutines rather than a new goroutine each: a
// new goroutine starts with a small stack, and most events (MessagePack
// decoding by reflection, SQL results) grow it several times, which cost a
// sixth of an event's CPU time in a profile. A pooled goroutine keeps its
// grown stack for the next event.

// maxIdleWorkers bounds the goroutines kept waiting for work.
const maxIdleWorkers = 64

var (
	work        = make(chan func()) // unbuffered: a send succeeds only if a worker waits
	idleWorkers atomic.Int32
)

// spawn runs f on an idle pooled goroutine, or on a new one.
func spawn(f func()) {
	select {
	case work <- f:
	default:
		go worker(f)
	}
}

func worker(f func()) {
	for {
		f()
		if idleWorkers.Add(1) > maxIdleWorkers {
			idleWorkers.Add(-1)
			return
		}
		f = <-work
		idleWorkers.Add(-1)
	}
}
