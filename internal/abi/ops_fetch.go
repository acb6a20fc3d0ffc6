package abi

import "reflect"

// Outbound HTTP with the runtime's fetch. Its code is in the first block.

// The codes of the asynchronous operations (the start import), as the
// rows below describe them.
const (
	AsyncFetch AsyncOp = 1
)

// The descriptors of the operations above, with the types of their
// requests and results (rt.Do, rt.AwaitOp).
var (
	// OpFetch is the descriptor of fetch.
	OpFetch = Async[Request, Response]{Code: AsyncFetch}
)

// fetchOps are the rows of the table for the operations above.
func fetchOps() feature {
	return feature{
		name:  "fetch",
		codes: codeRange{},
		asyncs: []OpInfo{
			{Code: int32(AsyncFetch), Name: "fetch",
				Request: reflect.TypeFor[Request](), Result: reflect.TypeFor[Response](),
				Doc: "an outbound HTTP request with the runtime's fetch"},
		},
	}
}
