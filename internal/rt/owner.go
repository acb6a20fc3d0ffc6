package rt

import (
	"context"
	"time"
)

// An I/O object that Go code uses without a context of its own (a socket
// behind a net.Conn, whose Read takes none) belongs, as workerd ties it,
// to the event that made it in the stateless Worker, or to the Durable
// Object in an object. Its operations run on behalf of its owner through
// an owner context (OwnerContext): a context.Context whose event is chosen
// when an operation asks for it (eventFrom), among the owner's events in
// flight.

type ownedKey struct{}

// ownerCtx is the context of OwnerContext.
type ownerCtx struct {
	parent context.Context // for Value; its cancellation is not inherited
	e      *Event          // the event that made the object
	done   <-chan struct{} // the event's, in the stateless Worker; nil in an object
}

// OwnerContext returns a context for the operations of an I/O object that
// the event of ctx makes and that code without a context uses later. Each
// operation runs on behalf of an event chosen when it starts: in the
// stateless Worker, that event itself (operations fail with
// ErrNoEventInFlight or ErrEventDone once it has finished, its WaitUntil
// work included, and a wait ends when its context does); in a Durable
// Object, the event that holds the object's turn, else the event of ctx
// if it is in flight, else any event of the object in flight. A wait on
// the host made with it leaves the object's turn alone (the caller is not
// known): for the turn it is a wait on Go, which yieldTurns may pass on.
// The context is never done in an object; bound waits otherwise.
func OwnerContext(ctx context.Context) (context.Context, error) {
	e := eventFrom(ctx)
	if e == nil {
		return nil, ErrNoEvent
	}
	o := &ownerCtx{parent: ctx, e: e}
	if e.obj == nil {
		o.done = e.ctx.Done()
	}
	return o, nil
}

// IsOwnerContext reports whether ctx is an OwnerContext.
func IsOwnerContext(ctx context.Context) bool {
	_, ok := ctx.Value(ownedKey{}).(*ownerCtx)
	return ok
}

func (o *ownerCtx) Deadline() (time.Time, bool) { return time.Time{}, false }
func (o *ownerCtx) Done() <-chan struct{}       { return o.done }
func (o *ownerCtx) String() string              { return "godurable owner context" }

func (o *ownerCtx) Err() error {
	if o.done == nil {
		return nil
	}
	return o.e.ctx.Err()
}

func (o *ownerCtx) Value(key any) any {
	switch key {
	case eventKey{}:
		return o.event()
	case ownedKey{}:
		return o
	}
	return o.parent.Value(key)
}

// event chooses the event an operation runs on behalf of.
func (o *ownerCtx) event() *Event {
	obj := o.e.obj
	if obj == nil {
		return o.e
	}
	turnsMu.Lock()
	defer turnsMu.Unlock()
	if h := obj.turn.holder; h != nil {
		return h
	}
	if _, ok := obj.live[o.e]; ok {
		return o.e
	}
	var first *Event
	for e := range obj.live {
		if first == nil || e.id < first.id {
			first = e
		}
	}
	if first == nil {
		return o.e // finished: its operations fail as such
	}
	return first
}

// RequestFinished reports whether ctx is an OwnerContext of an event of
// the stateless Worker that has finished (its WaitUntil work included):
// its I/O objects have ended with it.
func RequestFinished(ctx context.Context) bool {
	o, ok := ctx.Value(ownedKey{}).(*ownerCtx)
	if !ok || o.e.obj != nil {
		return false
	}
	liveMu.Lock()
	e := live[o.e.id]
	liveMu.Unlock()
	if e != nil {
		return false
	}
	o.e.mu.Lock()
	defer o.e.mu.Unlock()
	return o.e.done && o.done != nil // a WaitUntil context (done == nil) lives on
}
