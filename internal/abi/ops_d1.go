package abi

import "reflect"

// D1 databases. Codes: 60–69.

// The codes of the asynchronous operations (the start import), as the
// rows below describe them.
const (
	AsyncD1Query AsyncOp = 60
	AsyncD1Exec  AsyncOp = 61
)

// The descriptors of the operations above, with the types of their
// requests and results (rt.Do, rt.AwaitOp).
var (
	// OpD1Query is the descriptor of d1.query.
	OpD1Query = Async[D1Query, []D1Result]{Code: AsyncD1Query}
	// OpD1Exec is the descriptor of d1.exec.
	OpD1Exec = Async[D1Exec, D1ExecResult]{Code: AsyncD1Exec}
)

// d1Ops are the rows of the table for the operations above.
func d1Ops() feature {
	return feature{
		name:  "d1",
		codes: blockD1,
		asyncs: []OpInfo{
			{Code: int32(AsyncD1Query), Name: "d1.query",
				Request: reflect.TypeFor[D1Query](), Result: reflect.TypeFor[[]D1Result](),
				Doc: "run statements on a D1 database binding: one with all(), raw() or run(), or a list with batch() (atomic); a result per statement"},
			{Code: int32(AsyncD1Exec), Name: "d1.exec",
				Request: reflect.TypeFor[D1Exec](), Result: reflect.TypeFor[D1ExecResult](),
				Doc: "exec() on a D1 database binding: the statements of a text, one per line, without parameters"},
		},
	}
}
