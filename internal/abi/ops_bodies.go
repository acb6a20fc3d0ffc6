package abi

import "reflect"

// The operations on bodies that stream, from the guest (an event's
// response, a request's BodyWriter) and into it (Request.BodyReader).
// Codes: the first block, and 33–39.

// The codes of the synchronous operations (the call import), as the
// rows below describe them.
const (
	CallBodyWrite  CallOp = 18
	CallBodyClose  CallOp = 19
	CallBodyCancel CallOp = 33
)

// The codes of the asynchronous operations (the start import), as the
// rows below describe them.
const (
	AsyncBodyDrain AsyncOp = 11
	AsyncBodyRead  AsyncOp = 12
)

// The descriptors of the operations above, with the types of their
// requests and results (rt.Do, rt.AwaitOp).
var (
	// OpBodyWrite is the descriptor of body.write.
	OpBodyWrite = Sync[BodyChunk, int]{Code: CallBodyWrite}
	// OpBodyClose is the descriptor of body.close.
	OpBodyClose = Sync[BodyEnd, Empty]{Code: CallBodyClose}
	// OpBodyCancel is the descriptor of body.cancel.
	OpBodyCancel = Sync[int32, Empty]{Code: CallBodyCancel}
	// OpBodyDrain is the descriptor of body.drain.
	OpBodyDrain = Async[BodyRef, bool]{Code: AsyncBodyDrain}
	// OpBodyRead is the descriptor of body.read.
	OpBodyRead = Async[int32, Raw]{Code: AsyncBodyRead}
)

// bodyOps are the rows of the table for the operations above.
func bodyOps() feature {
	return feature{
		name:  "bodies",
		codes: blockBodies,
		calls: []OpInfo{
			{Code: int32(CallBodyWrite), Name: "body.write", Request: reflect.TypeFor[BodyChunk](), Result: reflect.TypeFor[int](),
				Doc: "more of a body that streams from the guest (an event's response, or a request's BodyWriter); the bytes the host holds that its reader has not read yet"},
			{Code: int32(CallBodyClose), Name: "body.close", Request: reflect.TypeFor[BodyEnd](),
				Doc: "end a body that streams from the guest, with an error if it was cut short"},
			{Code: int32(CallBodyCancel), Name: "body.cancel", Request: reflect.TypeFor[int32](),
				Doc: "give up the body that streams from the host under the request's reader ID (Request.BodyReader): the host cancels it"},
		},
		asyncs: []OpInfo{
			{Code: int32(AsyncBodyDrain), Name: "body.drain", Request: reflect.TypeFor[BodyRef](), Result: reflect.TypeFor[bool](),
				Doc: "wait until the reader of a body that streams from the guest has read most of what the host holds; true if the reader went away"},
			{Code: int32(AsyncBodyRead), Name: "body.read", Request: reflect.TypeFor[int32](), Result: reflect.TypeFor[Raw](),
				Doc: "the next bytes of the body that streams from the host under the request's reader ID (Request.BodyReader); none at its end"},
		},
	}
}
