package rt

import (
	"context"
	"sync"

	"github.com/godurable/godurable/internal/hostcall"
)

// The events of one Durable Object take turns, as JavaScript code between
// two awaits never interleaves with another event's. An event holds its
// object's turn while its code runs and gives it up:
//
//   - while it waits on the host (Await: a fetch, a stub call, an alarm
//     operation, worker.Sleep), taking it back when the wait ends;
//   - while it waits on Go (a channel, a lock, a Go timer) and another
//     event of the object wants the turn, once the instance has nothing
//     left to run (yieldTurns): the wait could otherwise last for ever,
//     when what it waits for is that other event. Such a displaced event
//     takes the turn back when its next wait on the host ends.
//
// BlockConcurrencyWhile (and an object's construction) keeps the turn
// through every wait, as workerd's blockConcurrencyWhile does. See
// RATIONALE.md, "Why does a Go wait give up the object's turn?".

// turn is a Durable Object's turn. Its fields, and the turn fields of
// every Event, are guarded by turnsMu.
type turn struct {
	holder  *Event        // the event whose code may run; nil when free
	waiters []*turnWaiter // the events that want it, in arrival order
	// entering counts the enter calls in progress in the object's I/O
	// context: the turn stays where it is until they are over, so that a
	// storage call never becomes a wait on which the turn moves.
	entering int
}

type turnWaiter struct {
	e     *Event
	ready chan struct{} // closed when e holds the turn
}

var (
	turnsMu sync.Mutex
	// contended are the objects whose turn some event waits for.
	contended = map[*object]struct{}{}
)

// acquireTurn waits until e holds its object's turn.
func (e *Event) acquireTurn() {
	o := e.obj
	turnsMu.Lock()
	if o.turn.holder == nil && len(o.turn.waiters) == 0 {
		o.turn.holder = e
		e.displaced = false
		turnsMu.Unlock()
		return
	}
	w := &turnWaiter{e: e, ready: make(chan struct{})}
	o.turn.waiters = append(o.turn.waiters, w)
	contended[o] = struct{}{}
	turnsMu.Unlock()
	<-w.ready
}

// releaseTurn gives up the object's turn if e holds it and is not
// blocking concurrency, and reports whether it did; the caller then takes
// it back with acquireTurn.
func (e *Event) releaseTurn() bool {
	if e.obj == nil {
		return false
	}
	turnsMu.Lock()
	defer turnsMu.Unlock()
	if e.obj.turn.holder != e || e.blocking > 0 {
		return false
	}
	e.obj.passTurn()
	return true
}

// passTurn gives o's turn to the event that has waited longest for it, or
// frees it. turnsMu is held.
func (o *object) passTurn() {
	if len(o.turn.waiters) == 0 {
		o.turn.holder = nil
		return
	}
	w := o.turn.waiters[0]
	o.turn.waiters[0] = nil
	o.turn.waiters = o.turn.waiters[1:]
	if len(o.turn.waiters) == 0 {
		o.turn.waiters = nil
		delete(contended, o)
	}
	o.turn.holder = w.e
	w.e.displaced = false
	close(w.ready)
}

// takeDisplaced reports whether e lost its turn while it waited on Go
// (yieldTurns), and forgets it: the caller takes the turn back.
func (e *Event) takeDisplaced() bool {
	turnsMu.Lock()
	defer turnsMu.Unlock()
	d := e.displaced
	e.displaced = false
	return d
}

// yieldTurns is called when every goroutine has parked: the holder of a
// contended turn is waiting on Go, and may be waiting for one of the
// events that want the turn (a channel that another event fills, a lock
// another event holds across a wait). Each such turn passes to its first
// waiter, unless its holder blocks concurrency or an enter is in progress
// in its object's context. It reports whether a turn moved, in which case
// Go has work to run again.
func yieldTurns() bool {
	turnsMu.Lock()
	defer turnsMu.Unlock()
	moved := false
	for o := range contended {
		h := o.turn.holder
		if h == nil || h.blocking > 0 || o.turn.entering > 0 {
			continue
		}
		h.displaced = true
		o.passTurn()
		moved = true
	}
	return moved
}

// runUntilIdle runs Go until every goroutine has parked and no turn can
// move: what every export that runs events does before it returns.
func runUntilIdle() {
	for {
		hostcall.WaitIdle()
		if !yieldTurns() {
			return
		}
	}
}

// WithoutTurn runs wait, a wait on the host, with the Durable Object's
// turn released, so that other events of the object may run meanwhile,
// and takes the turn back before returning (also when the event lost it
// to yieldTurns before). Outside an object's event, and with an
// OwnerContext, it just runs wait.
func WithoutTurn(ctx context.Context, wait func()) {
	if IsOwnerContext(ctx) { // the caller is not known (OwnerContext)
		wait()
		return
	}
	e := eventFrom(ctx)
	if e == nil || e.obj == nil {
		wait()
		return
	}
	released := e.releaseTurn()
	defer func() {
		if released || e.takeDisplaced() {
			e.acquireTurn()
		}
	}()
	wait()
}

// BlockConcurrencyWhile runs fn, keeping the Durable Object's turn while
// fn waits too, so that no other event of the object runs until fn
// returns (workerd's blockConcurrencyWhile); it returns fn's error.
func BlockConcurrencyWhile(ctx context.Context, fn func(ctx context.Context) error) error {
	e := eventFrom(ctx)
	if e == nil {
		return ErrNoEvent
	}
	if e.obj == nil {
		return ErrNoObject
	}
	if e.takeDisplaced() {
		e.acquireTurn()
	}
	e.blockConcurrency()
	defer e.unblockConcurrency()
	return fn(ctx)
}

func (e *Event) blockConcurrency() {
	turnsMu.Lock()
	e.blocking++
	turnsMu.Unlock()
}

func (e *Event) unblockConcurrency() {
	turnsMu.Lock()
	if e.blocking > 0 {
		e.blocking--
	}
	turnsMu.Unlock()
}
