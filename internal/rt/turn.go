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

// BlockConcurrencyWhile runs fn, keeping the Durable Object's turn while
// fn waits on I/O as well, so that no other event of the object runs until
// fn returns (workerd's blockConcurrencyWhile); it returns fn's error.
func BlockConcurrencyWhile(ctx context.Context, fn func(ctx context.Context) error) error {
	e := eventFrom(ctx)
	if e == nil {
		return ErrNoEvent
	}
	if e.obj == nil {
		return ErrNoObject
	}
	e.mu.Lock()
	e.blocking++
	e.mu.Unlock()
	defer func() {
		e.mu.Lock()
		if e.blocking > 0 {
			e.blocking--
		}
		e.mu.Unlock()
	}()
	return fn(ctx)
}
