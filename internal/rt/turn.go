package rt

import "context"

// WithoutTurn runs wait with the Durable Object's turn released, so that
// other events of the object may run meanwhile, and takes the turn back
// before returning. Outside an object's event it just runs wait.
func WithoutTurn(ctx context.Context, wait func()) {
	e := eventFrom(ctx)
	if e == nil {
		wait()
		return
	}
	released := e.releaseTurn()
	defer func() {
		if released {
			e.acquireTurn()
		}
	}()
	wait()
}
