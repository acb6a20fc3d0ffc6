// Package abi defines the boundary between a godurable guest (Go compiled to
// a wasip1 reactor) and its hosts: the JavaScript shim that runs it in
// workerd, and the Go host that runs it under wazero in tests.
//
// Everything that both sides must agree on lives here and nowhere else: the
// version, the names of imports and exports, the status codes, the table of
// events and operations (table.go), the MessagePack messages that cross
// (messages.go), and the few laid out by hand for the hottest paths: a
// hibernatable socket's messages (wsframe.go) and kv.get, kv.put and
// sql.exec (storagelayout.go). The JS constants of the shim are generated from this
// package, and tests check that the shim and the wazero host implement
// every entry of the table and nothing else, so the three cannot drift.
//
// # Calling convention
//
// Host to guest (exports, called only when no other export is running):
//
//	godurable_abi_version() i32            the Version this guest speaks
//	godurable_manifest() i64               ptr<<32|len of the Manifest
//	godurable_object(handle, size i32) i32 a new object; its ObjectRef is staged
//	godurable_drop(handle i32)             the host no longer holds the object
//	godurable_event(event, kind, object, arg, size i32) i32
//	                                       a new event; its payload is staged
//	godurable_resume(op, status, size i32) i32  an async operation settled
//	godurable_tick(event, object i32) i32  Go timers are due; the host runs
//	                                       them on behalf of event (of object,
//	                                       or 0 for the Worker)
//
// An event names its kind (an EventKind), the handle of its object (0 for
// the stateless Worker; declared before with godurable_object), and a small
// argument whose meaning the kind gives (the index of the RPC method, say),
// so that the guest dispatches it without decoding a message. Each of
// event, resume and tick runs the Go scheduler until every goroutine has
// parked or finished, then returns 0 (or a negative result if the call
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
// # I/O contexts
//
// workerd performs I/O on behalf of one I/O context at a time (one per
// Durable Object, one per event of the stateless Worker), and a host calls
// every export in the context of an event: godurable_event in the new
// event's, godurable_resume in that of the event that started the
// operation, godurable_tick in that of the event it names, godurable_cancel
// in that of the event it cancels. The guest keeps track of it, and before
// a synchronous operation on an object (OpInfo.Object) from another
// context it enters the object's with AsyncEnter; a host refuses such an
// operation, as workerd does ("Cannot perform I/O on behalf of a different
// Durable Object").
//
// # Idle detection
//
// The guest knows that every goroutine has parked when the Go scheduler
// polls the WASI file descriptor IdleFD in a blocking poll_oneoff. A host
// answers fd_read on IdleFD with EAGAIN until such a poll, and reports the
// clock timeout of that poll as the time of the next Go timer.
package abi

// Version is the ABI version. Bump it on any incompatible change to the
// names, codes, table or messages in this package.
const Version = 7

// ImportModule is the wasm import module of every godurable host function.
const ImportModule = "godurable"

// Export names.
const (
	ExportABIVersion = "godurable_abi_version"
	ExportManifest   = "godurable_manifest"
	ExportObject     = "godurable_object"
	ExportDrop       = "godurable_drop"
	ExportEvent      = "godurable_event"
	ExportResume     = "godurable_resume"
	ExportTick       = "godurable_tick"
	// ExportTransaction runs the guest's transaction function with the
	// given ID and returns 0 if it succeeded (commit), 1 if it failed
	// (roll back). The host calls it from inside CallTransactionSync, while
	// that import is still running: the one export called reentrantly.
	ExportTransaction = "godurable_transaction"
	// ExportCancel cancels the context of a cancelable event in flight
	// (its client went away); parked operations of the event return
	// context.Canceled. An unknown or finished event is ignored.
	ExportCancel = "godurable_cancel"
)

// ManifestSection is the name of the custom section in which wasmbuild
// stores a module's manifest (MessagePack, as ExportManifest reports it),
// so that a host can check a module against its shim, and a tool read
// what it registers, without running it. A module without the section
// (a plain go build) is asked through ExportManifest.
const ManifestSection = "godurable.manifest"

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

// Negative results of the object, event, resume and tick exports.
const (
	// ResultBadPayload: the staged payload could not be decoded.
	ResultBadPayload = -1
	// ResultUnknownOp: resume named an operation the guest is not waiting for.
	ResultUnknownOp = -2
)

// Error codes that the hosts and the guest give their own errors, so that
// they are recognized by code, not by their message.
const (
	// CodeCrashed marks the error of an event that was in flight when the
	// Go instance crashed.
	CodeCrashed = "ERR_GODURABLE_CRASHED"
	// CodeOrphaned marks the error of an async operation whose event had
	// finished before the operation could start.
	CodeOrphaned = "ERR_GODURABLE_ORPHANED"
)

// MaxErrorCauses bounds how deep a chain of causes crosses the boundary,
// in either direction.
const MaxErrorCauses = 8

// ReservedRPCNames are the names workerd refuses to call over RPC on a
// Durable Object ("'fetch' is a reserved method and cannot be called over
// RPC."), read from workerd's worker-rpc.c++.
var ReservedRPCNames = []string{
	"fetch", "connect", "alarm", "webSocketMessage", "webSocketClose", "webSocketError", "dup", "constructor",
}

// UnreachableRPCNames are further names no RPC method may have: the Durable
// Object's own properties (ctx, env), which workerd does not expose over
// RPC; then, which would make every stub a thenable that await resolves;
// and the methods of Object.prototype, which workerd never calls.
var UnreachableRPCNames = []string{
	"ctx", "env", "then",
	"toString", "toLocaleString", "valueOf", "hasOwnProperty", "isPrototypeOf", "propertyIsEnumerable",
	"__proto__", "__defineGetter__", "__defineSetter__", "__lookupGetter__", "__lookupSetter__",
}

// IsReservedRPCName reports whether workerd refuses to call the JS method
// name over RPC.
func IsReservedRPCName(jsName string) bool {
	for _, n := range ReservedRPCNames {
		if n == jsName {
			return true
		}
	}
	return false
}
