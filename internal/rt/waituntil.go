package rt

import (
	"context"
	"fmt"
	"os"

	"github.com/godurable/godurable/internal/abi"
)

// WaitUntil runs fn on a goroutine of its own, with a context of the event
// in ctx that the event's end does not cancel, and has the host keep the
// event alive until fn returns (workerd's ctx.waitUntil): fn may go on
// starting I/O on the event's behalf after the event's result has been
// sent. In a Durable Object, fn takes the object's turn like an event.
// A panic in fn is reported and ends it.
func WaitUntil(ctx context.Context, fn func(ctx context.Context)) error {
	e := eventFrom(ctx)
	if e == nil {
		return ErrNoEvent
	}
	if fn == nil {
		return fmt.Errorf("godurable: WaitUntil: nil function")
	}
	if _, err := Do(NoObject, abi.OpWaitUntil, &e.id); err != nil {
		return fmt.Errorf("godurable: WaitUntil: %w", err)
	}
	bg := &Event{id: e.id, kind: e.kind, arg: e.arg, obj: e.obj, owner: e.owner, method: e.method + " (WaitUntil)"}
	bg.ctx = context.WithValue(context.WithoutCancel(ctx), eventKey{}, bg)
	if bg.obj != nil {
		bg.obj.addLive(bg) // now: the event may finish before fn starts
	}
	spawn(func() {
		defer func() {
			if v := recover(); v != nil {
				err := panicError(bg.what(), v)
				fmt.Fprintf(os.Stderr, "godurable: %s\n%s", err.Message, err.Stack)
			}
			if bg.obj != nil {
				bg.releaseTurn()
				bg.obj.dropLive(bg)
			}
			Do(NoObject, abi.OpWaitUntilDone, &bg.id)
		}()
		if bg.obj != nil {
			bg.acquireTurn()
		}
		fn(bg.ctx)
	})
	return nil
}
