package abi

import "reflect"

// The operations on the event in flight: keep it alive after its result
// (workerd's ctx.waitUntil), resume Go in its I/O context, sleep in it.
// Their codes are in the first block.

// The codes of the synchronous operations (the call import), as the
// rows below describe them.
const (
	CallWaitUntil     CallOp = 12
	CallWaitUntilDone CallOp = 13
)

// The codes of the asynchronous operations (the start import), as the
// rows below describe them.
const (
	AsyncSleep AsyncOp = 13
	AsyncEnter AsyncOp = 14
)

// The descriptors of the operations above, with the types of their
// requests and results (rt.Do, rt.AwaitOp).
var (
	// OpWaitUntil is the descriptor of event.waitUntil.
	OpWaitUntil = Sync[int32, Empty]{Code: CallWaitUntil}
	// OpWaitUntilDone is the descriptor of event.waitUntilDone.
	OpWaitUntilDone = Sync[int32, Empty]{Code: CallWaitUntilDone}
	// OpSleep is the descriptor of timer.sleep.
	OpSleep = Async[float64, Empty]{Code: AsyncSleep}
	// OpEnter is the descriptor of event.enter.
	OpEnter = Async[Empty, Empty]{Code: AsyncEnter}
)

// eventOps are the rows of the table for the operations above.
func eventOps() feature {
	return feature{
		name:  "events",
		codes: codeRange{},
		calls: []OpInfo{
			{Code: int32(CallWaitUntil), Name: "event.waitUntil", Request: reflect.TypeFor[int32](),
				Doc: "keep the event with the request's ID alive after its result (workerd's ctx.waitUntil) until a matching event.waitUntilDone; its operations go on starting in its I/O context"},
			{Code: int32(CallWaitUntilDone), Name: "event.waitUntilDone", Request: reflect.TypeFor[int32](),
				Doc: "end one event.waitUntil of the event with the request's ID"},
		},
		asyncs: []OpInfo{
			{Code: int32(AsyncSleep), Name: "timer.sleep", Request: reflect.TypeFor[float64](),
				Doc: "settle after the request's milliseconds (setTimeout in the event's own I/O context, so that what the guest does next is on that event's behalf)"},
			{Code: int32(AsyncEnter), Name: "event.enter",
				Doc: "settle at once, in the I/O context of the event that starts it: the guest resumes on that event's behalf (a goroutine that a Go timer, a channel or a lock woke inside a call into Go for another context, before it uses its own object's storage)"},
		},
	}
}
