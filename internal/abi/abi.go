// Package abi defines the boundary between a godurable guest (Go compiled to
// a wasip1 reactor) and its hosts: the JavaScript shim that runs it in
// workerd, and the Go host that runs it under wazero in tests.
//
// Everything that both sides must agree on lives here and nowhere else: the
// version, the names of imports and exports, the status codes, the kinds of
// events and operations, and the MessagePack messages that cross. The JS
// constants of the shim are generated from this package, so the two cannot
// drift.
//
// # Calling convention
//
// Host to guest (exports, called only when no other export is running):
//
//	godurable_abi_version() i32            the Version this guest speaks
//	godurable_manifest() i64               ptr<<32|len of the Manifest
//	godurable_event(event, size i32) i32   a new event; payload staged
//	godurable_resume(op, status, size i32) i32  an async operation settled
//	godurable_tick() i32                   Go timers are due
//
// Each of event, resume and tick runs the Go scheduler until every goroutine
// has parked or finished, then returns 0 (or a negative Status if the call
// itself was malformed). A payload the host stages for the guest is copied
// into guest memory with the take import.
//
// Guest to host (imports of module ImportModule, all synchronous):
//
//	take(ptr i32)                           copy the staged payload to ptr
//	call(op, object, req, reqLen, resp, respCap i32) i32   a sync operation
//	start(op, event, req, reqLen i32) i32   start an async operation
//	complete(event, status, ptr, len i32)   an event has finished
//
// call returns r >= 0 for success with a result of r bytes, or r < 0 for an
// error whose Error message has -(r+1) bytes. If the result fits in respCap
// bytes it is already at resp; otherwise it is staged and the guest takes it
// into a buffer of the right size.
//
// # Idle detection
//
// The guest knows that every goroutine has parked when the Go scheduler
// polls the WASI file descriptor IdleFD in a blocking poll_oneoff. A host
// answers fd_read on IdleFD with EAGAIN until such a poll, and reports the
// clock timeout of that poll as the time of the next Go timer.
package abi

// Version is the ABI version. Bump it on any incompatible change to the
// names, codes or messages in this package.
const Version = 1

// ImportModule is the wasm import module of every godurable host function.
const ImportModule = "godurable"

// Export names.
const (
	ExportABIVersion = "godurable_abi_version"
	ExportManifest   = "godurable_manifest"
	ExportEvent      = "godurable_event"
	ExportResume     = "godurable_resume"
	ExportTick       = "godurable_tick"
)

// Import names (module ImportModule).
const (
	ImportTake     = "take"
	ImportCall     = "call"
	ImportStart    = "start"
	ImportComplete = "complete"
)

// IdleFD is the WASI file descriptor the guest polls to learn that it is
// idle. It is far above the preopened directories a host might offer.
const IdleFD = 1 << 20

// Status is the outcome of an event, an async operation or an export call.
type Status int32

const (
	// StatusOK: the payload is the result.
	StatusOK Status = 0
	// StatusError: the payload is an Error.
	StatusError Status = 1
)

// Negative results of the event, resume and tick exports.
const (
	// ResultBadPayload: the staged payload could not be decoded.
	ResultBadPayload = -1
	// ResultUnknownOp: resume named an operation the guest is not waiting for.
	ResultUnknownOp = -2
)

// EventKind says what an event asks of the guest.
type EventKind uint8

const (
	// EventWorkerFetch is an HTTP request to the stateless Worker.
	EventWorkerFetch EventKind = 1
	// EventObjectFetch is an HTTP request to a Durable Object.
	EventObjectFetch EventKind = 2
	// EventObjectCall is an RPC call of a Durable Object method.
	EventObjectCall EventKind = 3
)

// CallOp names a synchronous host operation (the call import).
type CallOp int32

const (
	// CallEnv returns the Env of the Worker. Request: empty.
	CallEnv CallOp = 1
	// CallKVGet returns the stored bytes of a key, or an empty result when
	// the key is absent. Request: KVKey.
	CallKVGet CallOp = 2
	// CallKVPut stores a value. Request: KVPut. Result: empty.
	CallKVPut CallOp = 3
	// CallKVDelete deletes a key. Request: KVKey. Result: Bool, whether it existed.
	CallKVDelete CallOp = 4
	// CallKVList lists keys in order. Request: KVList. Result: KVEntries.
	CallKVList CallOp = 5
	// CallSQLExec runs one SQL statement. Request: SQLQuery. Result: SQLResult.
	CallSQLExec CallOp = 6
	// CallIDFromName derives a Durable Object ID. Request: StubTarget with
	// Name. Result: a string, the ID in hex.
	CallIDFromName CallOp = 7
	// CallNewUniqueID makes a new Durable Object ID. Request: StubTarget
	// with only Binding. Result: a string, the ID in hex.
	CallNewUniqueID CallOp = 8
	// CallSQLDatabaseSize returns the size in bytes of the object's SQLite
	// database. Request: empty. Result: an integer.
	CallSQLDatabaseSize CallOp = 9
)

// AsyncOp names an asynchronous host operation (the start import).
type AsyncOp int32

const (
	// AsyncFetch is an outbound HTTP request. Request: Request. Result: Response.
	AsyncFetch AsyncOp = 1
	// AsyncStubFetch sends an HTTP request to a Durable Object. Request:
	// StubFetch. Result: Response.
	AsyncStubFetch AsyncOp = 2
	// AsyncStubCall calls an RPC method of a Durable Object. Request:
	// StubCall. Result: the method's result, one MessagePack value.
	AsyncStubCall AsyncOp = 3
)
