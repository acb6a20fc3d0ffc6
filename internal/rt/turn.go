package rt

import "context"

// WithoutTurn runs wait with the Durable Object's turn released, so that
// other events of the object may run meanwhile, and takes the turn back
// before returning. Outside an object's event it just runs wait.
func WithoutTurn(ctx context.Context, wait func()) {
	ev := eventFrom(ctx)
	if ev == nil {
		wait()
		return
	}
	released := ev.releaseTurn()
	defer func() {
		if released {
			ev.acquireTurn()
		}
	}()
	wait()
}
