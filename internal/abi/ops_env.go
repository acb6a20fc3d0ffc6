package abi

import "reflect"

// The Worker's environment: its variables, secrets and bindings.

// The codes of the synchronous operations (the call import), as the
// rows below describe them.
const (
	CallEnv CallOp = 1
)

// The descriptors of the operations above, with the types of their
// requests and results (rt.Do, rt.AwaitOp).
var (
	// OpEnv is the descriptor of env.
	OpEnv = Sync[Empty, Env]{Code: CallEnv}
)

// envOps are the rows of the table for the operations above.
func envOps() feature {
	return feature{
		name:  "env",
		codes: codeRange{},
		calls: []OpInfo{
			{Code: int32(CallEnv), Name: "env", Result: reflect.TypeFor[Env](),
				Doc: "the Worker's variables, secrets and bindings"},
		},
	}
}
