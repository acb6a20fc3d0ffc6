package rt

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"

	"github.com/godurable/godurable/internal/abi"
	"github.com/godurable/godurable/internal/hostcall"
)

// workerd runs JavaScript on behalf of one I/O context at a time: one per
// Durable Object, which all its events share, and one per event of the
// stateless Worker. An I/O object (an object's storage and sockets, an
// outbound socket, a JavaScript value a request made) may be used only
// while the context that owns it is current; otherwise workerd throws
// "Cannot perform I/O on behalf of a different Durable Object" (or "...
// different request").
//
// Go code does not always run in its own context: a goroutine woken by a
// Go timer, a channel or a lock runs inside whichever call into Go is in
// progress, which may be another object's. So every synchronous operation
// on an I/O object checks the current context first and, if it is not the
// operation's, enters that context: the goroutine asks the host to call
// Go back on behalf of an event of that context (abi.OpEnter), and
// carries on there. (Asynchronous operations need no such step: the host
// starts each in the context of the event it names.) See RATIONALE.md,
// "How does Go code woken in another I/O context reach its own?".

// ioContext names an I/O context: a Durable Object's handle (> 0), or the
// negated ID of an event of the stateless Worker (< 0); 0 is none.
type ioContext int64

func objectContext(handle uint32) ioContext { return ioContext(handle) }

// ioContext returns the I/O context e runs in.
func (e *Event) ioContext() ioContext {
	if e.obj != nil {
		return objectContext(e.obj.handle)
	}
	return ioContext(-int64(e.id))
}

// currentContext is the I/O context of the call into Go in progress,
// which each export sets from what the host tells it.
var currentContext atomic.Int64

func setContext(c ioContext) { currentContext.Store(int64(c)) }

func inContext(c ioContext) bool { return ioContext(currentContext.Load()) == c }

// ErrNoEventInFlight is returned by an operation on a Durable Object's
// storage or sockets, or on an I/O object of an event, when no event it
// could run on behalf of is in flight: code that outlived its event (a
// goroutine of its own, a timer that fired after the response) cannot
// reach storage, as JavaScript cannot after its request has ended. Keep
// the event alive with worker.WaitUntil for work after the response.
var ErrNoEventInFlight = errors.New("godurable: no event that owns this I/O is in flight, and workerd performs I/O only on behalf of one; do the work inside an event, or keep the event alive with worker.WaitUntil")

// enter makes c the current I/O context for the calling goroutine, by
// parking it until the host resumes it on behalf of an event of c. It
// fails with ErrNoEventInFlight when c has no event in flight, and with
// ErrTransactionWait inside a transaction's function, which cannot wait.
func enter(c ioContext) error {
	if inContext(c) {
		return nil
	}
	txMu.Lock()
	inTx := len(txActive) > 0
	txMu.Unlock()
	if inTx {
		return ErrTransactionWait
	}
	var o *object
	if c > 0 {
		objectsMu.Lock()
		o = objects[uint32(c)]
		objectsMu.Unlock()
		if o == nil {
			return fmt.Errorf("godurable: object %d is not in this instance: %w", c, ErrNoEventInFlight)
		}
		turnsMu.Lock()
		o.turn.entering++
		turnsMu.Unlock()
		defer func() {
			turnsMu.Lock()
			o.turn.entering--
			turnsMu.Unlock()
		}()
	}
	// The candidates are tried in turn: the host refuses an event that has
	// finished meanwhile, or orphans the operation if it finishes before
	// the operation starts.
	for _, id := range eventsOf(c, o) {
		ch := make(chan opResult, 1)
		opsMu.Lock()
		h := hostcall.Start(abi.OpEnter.Code, id, nil)
		if h >= 0 {
			ops[h] = pendingOp{ch: ch, ctx: c}
		}
		opsMu.Unlock()
		if h < 0 {
			continue
		}
		if res := <-ch; res.status == abi.StatusOK && inContext(c) {
			return nil
		}
	}
	return ErrNoEventInFlight
}

// eventsOf returns the IDs of the events on whose behalf the host may run
// Go in context c (whose object, if it is one, is o): the event of a
// Worker's context; the events of an object in flight, the holder of its
// turn first.
func eventsOf(c ioContext, o *object) []int32 {
	if c < 0 {
		return []int32{int32(-c)}
	}
	turnsMu.Lock()
	defer turnsMu.Unlock()
	ids := make([]int32, 0, len(o.live)+1)
	if h := o.turn.holder; h != nil {
		ids = append(ids, h.id)
	}
	for e := range o.live {
		if e != o.turn.holder {
			ids = append(ids, e.id)
		}
	}
	return ids
}

// addLive and dropLive keep the events of an object in flight, which
// enter may run on behalf of (WaitUntil work counts as one of its event).
func (o *object) addLive(e *Event) {
	turnsMu.Lock()
	if o.live == nil {
		o.live = map[*Event]struct{}{}
	}
	o.live[e] = struct{}{}
	turnsMu.Unlock()
}

func (o *object) dropLive(e *Event) {
	turnsMu.Lock()
	delete(o.live, e)
	turnsMu.Unlock()
}

// eventConn performs the synchronous operations on I/O objects that
// belong to an event (an outbound socket it opened) in that event's
// context.
type eventConn ioContext

func (c eventConn) Call(op abi.CallOp, req []byte) ([]byte, error) {
	if !hostcall.Available() {
		return nil, ErrNoHost
	}
	if err := enter(ioContext(c)); err != nil {
		return nil, err
	}
	return call(op, 0, req)
}

// EventConn returns the Conn of operations on the I/O objects that belong
// to the event of ctx, which run in its I/O context (that of its Durable
// Object, for an object's event) whatever call into Go is in progress.
func EventConn(ctx context.Context) (Conn, error) {
	e := eventFrom(ctx)
	if e == nil {
		return nil, ErrNoEvent
	}
	return eventConn(e.ioContext()), nil
}
