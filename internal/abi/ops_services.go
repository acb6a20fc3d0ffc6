package abi

import "reflect"

// The operations of service bindings and Worker entrypoints. Codes:
// 90–99. A call or a fetch through a service binding is a stub's
// (stub.call, stub.fetch, with StubTarget.Service); what is left is
// reading the props of the event in flight.

// The codes of the operations, as the rows below describe them.
const (
	CallEventProps CallOp = 90
)

// The descriptors of the operations above, with the types of their
// requests and results (rt.Do).
var (
	// OpEventProps is the descriptor of event.props.
	OpEventProps = Sync[int32, Value]{Code: CallEventProps}
)

// serviceOps are the rows of the table for the operations above.
func serviceOps() feature {
	return feature{
		name:  "services",
		codes: blockSvc,
		calls: []OpInfo{
			{Code: int32(CallEventProps), Name: "event.props", Request: reflect.TypeFor[int32](), Result: reflect.TypeFor[Value](),
				Doc: "the props (ctx.props) of the Worker's event with the request's ID, as one value; empty when it has none (an event of a Durable Object)"},
		},
	}
}

// EntrypointArg is the arg of an EventWorkerCall: the entrypoint's index
// in Manifest.Entrypoints in the high 16 bits, the method's index in its
// Methods in the low 16.
func EntrypointArg(entrypoint, method int) uint32 {
	return uint32(entrypoint)<<16 | uint32(method)&0xffff
}

// SplitEntrypointArg returns the entrypoint's and the method's index of an
// EventWorkerCall's arg.
func SplitEntrypointArg(arg uint32) (entrypoint, method int) {
	return int(arg >> 16), int(arg & 0xffff)
}
