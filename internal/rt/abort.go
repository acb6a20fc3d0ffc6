package rt

import (
	"context"
	"fmt"

	"github.com/godurable/godurable/internal/abi"
)

// aborted is what Abort panics with: the event fails with the reason
// rather than with a panic's message.
type aborted struct{ reason string }

// Abort resets the Durable Object of ctx's event, as workerd's
// ctx.abort(reason) does: the event fails with reason, the object's other
// events in flight fail, and the next event builds the object anew from
// its storage. It does not return.
func Abort(ctx context.Context, reason string) {
	e := eventFrom(ctx)
	if e == nil || e.obj == nil {
		panic(fmt.Sprintf("godurable: Abort(%q) outside a Durable Object's event", reason))
	}
	if _, err := Do(objectConn(e.obj.handle), abi.OpAbort, &reason); err != nil {
		panic(fmt.Sprintf("godurable: Abort(%q): %v", reason, err))
	}
	panic(aborted{reason})
}
