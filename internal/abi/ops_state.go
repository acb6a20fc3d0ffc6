package abi

import "reflect"

// The object's own state: workerd's ctx.abort. Its code is in the first
// block.

// The codes of the synchronous operations (the call import), as the
// rows below describe them.
const (
	CallAbort CallOp = 14
)

// The descriptors of the operations above, with the types of their
// requests and results (rt.Do, rt.AwaitOp).
var (
	// OpAbort is the descriptor of state.abort.
	OpAbort = Sync[string, Empty]{Code: CallAbort}
)

// stateOps are the rows of the table for the operations above.
func stateOps() feature {
	return feature{
		name:  "state",
		codes: codeRange{},
		calls: []OpInfo{
			{Code: int32(CallAbort), Name: "state.abort", Object: true, Request: reflect.TypeFor[string](),
				Doc: "reset the object (workerd's ctx.abort(reason)) once the current call into the guest has returned: its events in flight fail, the next one builds it anew"},
		},
	}
}
