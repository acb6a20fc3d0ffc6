package workerd

// workerd performs I/O on behalf of one I/O context at a time: one per
// Durable Object (all its events share it), one per request of the
// stateless Worker. An I/O object used while another context is current
// fails, with one of two messages depending on whether the current
// context is an object's (io-context.c++, throwNotCurrentJsError; measured
// with wrangler 4.164: an object's storage from another object's fetch,
// and from the Worker's). The model checks the same: the driver knows on
// whose behalf the call into Go in progress runs.

// ioContext names an I/O context: the object's handle, or for the
// stateless Worker (object 0) the event's ID.
type ioContext struct {
	object uint32
	event  int32
}

// The I/O types workerd names in its message: an object's storage, and a
// WebSocket.
const (
	ioStorage = "ActorCacheInterface"
	ioSocket  = "Native"
)

// ioContext returns the I/O context of the call into Go in progress; ok
// is false when it runs on behalf of no event. Only host calls may ask.
func (iso *Isolate) ioContext() (c ioContext, ok bool) {
	inst := iso.current()
	if inst == nil {
		return ioContext{}, false
	}
	object, event, ok := inst.IOContext()
	if object != 0 {
		event = 0
	}
	return ioContext{object: object, event: event}, ok
}

// requireContext fails as workerd does when an I/O object of type ioType
// that belongs to owner is used while another context is current. (An
// operation made while no instance runs is the model's own, as a unit
// test makes it: nothing to check.)
func (iso *Isolate) requireContext(owner ioContext, ioType string) error {
	if iso.current() == nil {
		return nil
	}
	cur, ok := iso.ioContext()
	if ok && cur == owner {
		return nil
	}
	if ok && cur.object != 0 {
		return NewJSError("Error", "Cannot perform I/O on behalf of a different Durable Object. I/O objects (such as streams, request/response bodies, and others) created in the context of one Durable Object cannot be accessed from a different Durable Object in the same isolate. This is a limitation of Cloudflare Workers which allows us to improve overall performance. (I/O type: "+ioType+")")
	}
	return NewJSError("Error", "Cannot perform I/O on behalf of a different request. I/O objects (such as streams, request/response bodies, and others) created in the context of one request handler cannot be accessed from a different request's handler. This is a limitation of Cloudflare Workers which allows us to improve overall performance. (I/O type: "+ioType+")")
}
