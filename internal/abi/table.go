package abi

import (
	"fmt"
	"reflect"
)

// The table of the boundary: every event a host may send and every
// operation a guest may ask of its host, once. A new capability adds rows
// here; internal/shim generates the shim's tables from them, and tests fail
// until the shim (internal/shim/js) and the wazero host
// (internal/workerd) each have a case for every row and none for a name
// the table lacks.

// EventKind says what an event asks of the guest.
type EventKind uint8

const (
	// EventWorkerFetch is an HTTP request to the stateless Worker.
	EventWorkerFetch EventKind = 1
	// EventObjectFetch is an HTTP request to a Durable Object.
	EventObjectFetch EventKind = 2
	// EventObjectCall is an RPC call of a Durable Object method.
	EventObjectCall EventKind = 3
	// EventAlarm is a Durable Object's alarm.
	EventAlarm EventKind = 4
	// EventWebSocketMessage is a message on a hibernatable WebSocket.
	EventWebSocketMessage EventKind = 5
	// EventWebSocketClose is the close of a hibernatable WebSocket.
	EventWebSocketClose EventKind = 6
	// EventWebSocketError is an error of a hibernatable WebSocket.
	EventWebSocketError EventKind = 7
)

// Target says whom an event is for.
type Target uint8

const (
	// TargetWorker is the stateless Worker (the module's default export).
	TargetWorker Target = 1
	// TargetObject is a Durable Object; the event names its handle.
	TargetObject Target = 2
)

// EventInfo describes one kind of event.
type EventInfo struct {
	Kind EventKind
	// Name is the JavaScript handler the event comes from: fetch, alarm,
	// webSocketMessage, ...; "call" for RPC calls. It is unique among the
	// events of one Target.
	Name   string
	Target Target
	// Capability reports that a class (or the Worker) receives the event
	// only if it implements the Go interface a feature package registered
	// for it. The manifest lists the capabilities of each class, and the
	// shim emits a handler for each. RPC calls are not a capability: every
	// class has its methods.
	Capability bool
	// Arg says what the event's arg parameter carries; "" if it is 0.
	Arg string
	// Payload and Result are the message types staged with the event and
	// completed with it; nil means empty.
	Payload, Result reflect.Type
	// Cancelable reports that the host cancels the event (ExportCancel)
	// when its client goes away: workerd aborts an incoming request's
	// signal.
	Cancelable bool
}

var events = []EventInfo{
	{Kind: EventWorkerFetch, Name: "fetch", Target: TargetWorker, Capability: true, Cancelable: true,
		Payload: reflect.TypeFor[Request](), Result: reflect.TypeFor[Response]()},
	{Kind: EventObjectFetch, Name: "fetch", Target: TargetObject, Capability: true, Cancelable: true,
		Payload: reflect.TypeFor[Request](), Result: reflect.TypeFor[Response]()},
	{Kind: EventObjectCall, Name: "call", Target: TargetObject, Arg: "the index of the method in the class's Methods",
		Payload: reflect.TypeFor[Value](), Result: reflect.TypeFor[Value]()},
	{Kind: EventAlarm, Name: "alarm", Target: TargetObject, Capability: true,
		Payload: reflect.TypeFor[AlarmInfo]()},
	{Kind: EventWebSocketMessage, Name: "webSocketMessage", Target: TargetObject, Capability: true,
		Payload: reflect.TypeFor[WSMessage]()},
	{Kind: EventWebSocketClose, Name: "webSocketClose", Target: TargetObject, Capability: true,
		Payload: reflect.TypeFor[WSClose]()},
	{Kind: EventWebSocketError, Name: "webSocketError", Target: TargetObject, Capability: true,
		Payload: reflect.TypeFor[WSError]()},
}

// Events returns the table of events, ordered by kind.
func Events() []EventInfo { return append([]EventInfo(nil), events...) }

// Info returns the description of k, and false if k is not in the table.
func (k EventKind) Info() (EventInfo, bool) {
	for _, e := range events {
		if e.Kind == k {
			return e, true
		}
	}
	return EventInfo{}, false
}

// String returns "object.fetch", "worker.fetch", ... or "event N".
func (k EventKind) String() string {
	if e, ok := k.Info(); ok {
		return e.Target.String() + "." + e.Name
	}
	return fmt.Sprintf("event %d", k)
}

// String returns "worker" or "object".
func (t Target) String() string {
	switch t {
	case TargetWorker:
		return "worker"
	case TargetObject:
		return "object"
	}
	return fmt.Sprintf("target %d", t)
}

// CallOp names a synchronous host operation (the call import).
type CallOp int32

const (
	CallEnv             CallOp = 1
	CallKVGet           CallOp = 2
	CallKVPut           CallOp = 3
	CallKVDelete        CallOp = 4
	CallKVList          CallOp = 5
	CallSQLExec         CallOp = 6
	CallIDFromName      CallOp = 7
	CallNewUniqueID     CallOp = 8
	CallSQLDatabaseSize CallOp = 9
	CallDeleteAll       CallOp = 10
	CallTransactionSync CallOp = 11
	CallWaitUntil       CallOp = 12
	CallWaitUntilDone   CallOp = 13
	CallAbort           CallOp = 14
	CallKVGetMany       CallOp = 15
	CallKVPutMany       CallOp = 16
	CallKVDeleteMany    CallOp = 17
	CallBodyWrite       CallOp = 18
	CallBodyClose       CallOp = 19

	CallWSAccept           CallOp = 20
	CallWSSend             CallOp = 21
	CallWSClose            CallOp = 22
	CallWSList             CallOp = 23
	CallWSTags             CallOp = 24
	CallWSAttachment       CallOp = 25
	CallWSSetAttachment    CallOp = 26
	CallWSReadyState       CallOp = 27
	CallWSSetAutoResponse  CallOp = 28
	CallWSAutoResponse     CallOp = 29
	CallWSAutoResponseTime CallOp = 30
	CallWSSetEventTimeout  CallOp = 31
	CallWSEventTimeout     CallOp = 32

	CallBodyCancel CallOp = 33

	CallSocketConnect CallOp = 40
	CallSocketSend    CallOp = 41
	CallSocketClose   CallOp = 42

	// Durable Object IDs beyond idFromName and newUniqueId.
	CallIDFromString CallOp = 50
	CallJurisdiction CallOp = 51
	CallStubRelease  CallOp = 52
)

// AsyncOp names an asynchronous host operation (the start import).
type AsyncOp int32

const (
	AsyncFetch     AsyncOp = 1
	AsyncStubFetch AsyncOp = 2
	AsyncStubCall  AsyncOp = 3
	AsyncAlarmGet  AsyncOp = 4
	AsyncAlarmSet  AsyncOp = 5
	AsyncAlarmDel  AsyncOp = 6
	AsyncSync      AsyncOp = 7
	// Point-in-time recovery.
	AsyncCurrentBookmark AsyncOp = 8
	AsyncBookmarkForTime AsyncOp = 9
	AsyncRestoreBookmark AsyncOp = 10
	AsyncBodyDrain       AsyncOp = 11
	AsyncBodyRead        AsyncOp = 12
	AsyncSleep           AsyncOp = 13
	AsyncEnter           AsyncOp = 14

	AsyncSocketReceive AsyncOp = 40

	// D1 databases.
	AsyncD1Query AsyncOp = 60
	AsyncD1Exec  AsyncOp = 61
)

// OpInfo describes one host operation.
type OpInfo struct {
	// Code is the CallOp or AsyncOp.
	Code int32
	// Name is the operation's key in every host's table: "kv.get".
	Name string
	// Object reports that the operation acts on the Durable Object named
	// by the call's object parameter (its storage); others take 0.
	Object bool
	// Request and Result are the message types; nil means empty.
	Request, Result reflect.Type
	// Fault is the label under which a test harness may make the operation
	// fail ("kv.get"), or "" if it cannot be made to fail.
	Fault string
	// Doc says what the operation does, for the reader of the table.
	Doc string
}

// Raw marks a request or result that is bytes as they are, not a message.
type Raw []byte

// Value marks a request or result that is one MessagePack value as
// EncodeValue or a JavaScript peer writes it (an RPC argument list, a
// result).
type Value []byte

var callOps = []OpInfo{
	{Code: int32(CallEnv), Name: "env", Result: reflect.TypeFor[Env](),
		Doc: "the Worker's variables, secrets and bindings"},
	{Code: int32(CallKVGet), Name: "kv.get", Object: true, Fault: "kv.get",
		Request: reflect.TypeFor[KVKey](), Result: reflect.TypeFor[Raw](),
		Doc: "the stored bytes of a key; an empty result when the key is absent"},
	{Code: int32(CallKVPut), Name: "kv.put", Object: true, Fault: "kv.put",
		Request: reflect.TypeFor[KVPut](),
		Doc:     "store a value"},
	{Code: int32(CallKVDelete), Name: "kv.delete", Object: true, Fault: "kv.delete",
		Request: reflect.TypeFor[KVKey](), Result: reflect.TypeFor[bool](),
		Doc: "delete a key; whether it existed"},
	{Code: int32(CallKVList), Name: "kv.list", Object: true, Fault: "kv.list",
		Request: reflect.TypeFor[KVList](), Result: reflect.TypeFor[[]KVEntry](),
		Doc: "keys and values in key order"},
	{Code: int32(CallSQLExec), Name: "sql.exec", Object: true, Fault: "sql.exec",
		Request: reflect.TypeFor[SQLQuery](), Result: reflect.TypeFor[SQLResult](),
		Doc: "run one SQL statement"},
	{Code: int32(CallIDFromName), Name: "id.fromName",
		Request: reflect.TypeFor[StubTarget](), Result: reflect.TypeFor[ObjectID](),
		Doc: "idFromName: the ID of the object with a name (StubTarget with Binding, Jurisdiction and Name)"},
	{Code: int32(CallNewUniqueID), Name: "id.newUnique",
		Request: reflect.TypeFor[NewUniqueID](), Result: reflect.TypeFor[ObjectID](),
		Doc: "newUniqueId({jurisdiction}): the ID of a new object"},
	{Code: int32(CallSQLDatabaseSize), Name: "sql.databaseSize", Object: true, Fault: "sql.databaseSize",
		Result: reflect.TypeFor[int64](),
		Doc:    "the size of the object's database in bytes"},
	{Code: int32(CallDeleteAll), Name: "storage.deleteAll", Object: true, Fault: "storage.deleteAll",
		Doc: "delete all of the object's storage: KV, SQL tables and the alarm"},
	{Code: int32(CallTransactionSync), Name: "storage.transactionSync", Object: true, Fault: "storage.transactionSync",
		Request: reflect.TypeFor[int32](),
		Doc:     "workerd's transactionSync around ExportTransaction(the request's ID): the writes the guest's function makes commit together, or roll back together when it fails"},
	{Code: int32(CallWaitUntil), Name: "event.waitUntil", Request: reflect.TypeFor[int32](),
		Doc: "keep the event with the request's ID alive after its result (workerd's ctx.waitUntil) until a matching event.waitUntilDone; its operations go on starting in its I/O context"},
	{Code: int32(CallWaitUntilDone), Name: "event.waitUntilDone", Request: reflect.TypeFor[int32](),
		Doc: "end one event.waitUntil of the event with the request's ID"},
	{Code: int32(CallKVGetMany), Name: "kv.getMany", Object: true, Fault: "kv.getMany",
		Request: reflect.TypeFor[[]string](), Result: reflect.TypeFor[[]KVEntry](),
		Doc: "the entries of the keys that exist, in the order asked"},
	{Code: int32(CallKVPutMany), Name: "kv.putMany", Object: true, Fault: "kv.putMany",
		Request: reflect.TypeFor[[]KVEntry](),
		Doc:     "store every entry"},
	{Code: int32(CallKVDeleteMany), Name: "kv.deleteMany", Object: true, Fault: "kv.deleteMany",
		Request: reflect.TypeFor[[]string](), Result: reflect.TypeFor[int](),
		Doc: "delete the keys; how many existed"},
	{Code: int32(CallBodyWrite), Name: "body.write", Request: reflect.TypeFor[BodyChunk](), Result: reflect.TypeFor[int](),
		Doc: "more of a body that streams from the guest (an event's response, or a request's BodyWriter); the bytes the host holds that its reader has not read yet"},
	{Code: int32(CallBodyClose), Name: "body.close", Request: reflect.TypeFor[BodyEnd](),
		Doc: "end a body that streams from the guest, with an error if it was cut short"},
	{Code: int32(CallBodyCancel), Name: "body.cancel", Request: reflect.TypeFor[int32](),
		Doc: "give up the body that streams from the host under the request's reader ID (Request.BodyReader): the host cancels it"},
	{Code: int32(CallAbort), Name: "state.abort", Object: true, Request: reflect.TypeFor[string](),
		Doc: "reset the object (workerd's ctx.abort(reason)) once the current call into the guest has returned: its events in flight fail, the next one builds it anew"},
	{Code: int32(CallIDFromString), Name: "id.fromString",
		Request: reflect.TypeFor[StubTarget](), Result: reflect.TypeFor[ObjectID](),
		Doc: "idFromString: the ID a string names, checked (StubTarget with Binding, Jurisdiction and ID)"},
	{Code: int32(CallJurisdiction), Name: "ns.jurisdiction",
		Request: reflect.TypeFor[StubTarget](),
		Doc:     "check that the namespace has a jurisdictional sub-namespace (jurisdiction(Jurisdiction) of Binding)"},
	{Code: int32(CallStubRelease), Name: "stub.release", Request: reflect.TypeFor[[]uint32](),
		Doc: "forget the stubs the host keeps for the guest under these handles (ExtStub): the guest holds them no more"},

	// Hibernatable WebSockets: ctx.acceptWebSocket and the rest of the
	// hibernation API. A socket is named by the ID the host gave it when it
	// accepted it, which it keeps across hibernation.
	{Code: int32(CallWSAccept), Name: "ws.accept", Object: true,
		Request: reflect.TypeFor[WSAccept](), Result: reflect.TypeFor[string](),
		Doc: "accept the WebSocket of the event's upgrade request as hibernatable, with tags; the socket's ID, which the response names in WebSocketHeader"},
	{Code: int32(CallWSSend), Name: "ws.send", Object: true,
		Request: reflect.TypeFor[WSMessage](),
		Doc:     "send a message on a socket"},
	{Code: int32(CallWSClose), Name: "ws.close", Object: true,
		Request: reflect.TypeFor[WSClose](),
		Doc:     "close a socket with a code and a reason"},
	{Code: int32(CallWSList), Name: "ws.list", Object: true,
		Request: reflect.TypeFor[WSList](), Result: reflect.TypeFor[[]string](),
		Doc: "the IDs of the object's sockets, all or those with a tag (ctx.getWebSockets)"},
	{Code: int32(CallWSTags), Name: "ws.tags", Object: true,
		Request: reflect.TypeFor[WSSocket](), Result: reflect.TypeFor[[]string](),
		Doc: "the tags of a socket (ctx.getTags)"},
	{Code: int32(CallWSAttachment), Name: "ws.attachment", Object: true,
		Request: reflect.TypeFor[WSSocket](), Result: reflect.TypeFor[Raw](),
		Doc: "a socket's attachment as stored, empty if none (deserializeAttachment)"},
	{Code: int32(CallWSSetAttachment), Name: "ws.setAttachment", Object: true,
		Request: reflect.TypeFor[WSAttachment](),
		Doc:     "store a socket's attachment (serializeAttachment); nil removes it"},
	{Code: int32(CallWSReadyState), Name: "ws.readyState", Object: true,
		Request: reflect.TypeFor[WSSocket](), Result: reflect.TypeFor[int](),
		Doc: "a socket's readyState: 0 connecting, 1 open, 2 closing, 3 closed"},
	{Code: int32(CallWSSetAutoResponse), Name: "ws.setAutoResponse", Object: true,
		Request: reflect.TypeFor[WSAutoResponse](),
		Doc:     "answer a request message with a response without waking the object; empty both to remove"},
	{Code: int32(CallWSAutoResponse), Name: "ws.autoResponse", Object: true,
		Result: reflect.TypeFor[*WSAutoResponse](),
		Doc:    "the auto-response pair, or nil"},
	{Code: int32(CallWSAutoResponseTime), Name: "ws.autoResponseTime", Object: true,
		Request: reflect.TypeFor[WSSocket](), Result: reflect.TypeFor[*float64](),
		Doc: "when a socket was last auto-answered, in ms since the epoch, or nil"},
	{Code: int32(CallWSSetEventTimeout), Name: "ws.setEventTimeout", Object: true,
		Request: reflect.TypeFor[*float64](),
		Doc:     "bound the hibernatable WebSocket events' run time in ms; nil removes the bound"},
	{Code: int32(CallWSEventTimeout), Name: "ws.eventTimeout", Object: true,
		Result: reflect.TypeFor[*float64](),
		Doc:    "the hibernatable WebSocket events' bound in ms, or nil"},

	// Outbound WebSockets: a socket the Worker or object opened itself with
	// fetch, used by the event that opened it.
	{Code: int32(CallSocketConnect), Name: "socket.connect",
		Request: reflect.TypeFor[WSConnect](), Result: reflect.TypeFor[string](),
		Doc: "accept the WebSocket of an upgraded fetch response (named by WebSocketHeader); the socket's ID"},
	{Code: int32(CallSocketSend), Name: "socket.send",
		Request: reflect.TypeFor[WSMessage](),
		Doc:     "send a message on an outbound socket"},
	{Code: int32(CallSocketClose), Name: "socket.close",
		Request: reflect.TypeFor[WSClose](),
		Doc:     "close an outbound socket"},
}

var asyncOps = []OpInfo{
	{Code: int32(AsyncFetch), Name: "fetch",
		Request: reflect.TypeFor[Request](), Result: reflect.TypeFor[Response](),
		Doc: "an outbound HTTP request with the runtime's fetch"},
	{Code: int32(AsyncStubFetch), Name: "stub.fetch",
		Request: reflect.TypeFor[StubFetch](), Result: reflect.TypeFor[Response](),
		Doc: "an HTTP request to a Durable Object"},
	{Code: int32(AsyncStubCall), Name: "stub.call",
		Request: reflect.TypeFor[StubCall](), Result: reflect.TypeFor[Value](),
		Doc: "a call of a Durable Object's RPC method; the result is one value, or empty for undefined"},
	// The alarm's operations are asynchronous because workerd's are: they
	// return promises, even for SQLite-backed objects.
	{Code: int32(AsyncAlarmGet), Name: "alarm.get", Object: true, Fault: "alarm.get",
		Result: reflect.TypeFor[*float64](),
		Doc:    "the time of the object's alarm in ms since the epoch, or nil when none is set"},
	{Code: int32(AsyncAlarmSet), Name: "alarm.set", Object: true, Fault: "alarm.set",
		Request: reflect.TypeFor[float64](),
		Doc:     "set the object's alarm to a time in ms since the epoch (a past time is now)"},
	{Code: int32(AsyncAlarmDel), Name: "alarm.delete", Object: true, Fault: "alarm.delete",
		Doc: "delete the object's alarm"},
	{Code: int32(AsyncSync), Name: "storage.sync", Object: true, Fault: "storage.sync",
		Doc: "wait until the object's writes so far are durable (workerd's storage.sync())"},
	{Code: int32(AsyncCurrentBookmark), Name: "storage.getCurrentBookmark", Object: true, Fault: "storage.getCurrentBookmark",
		Result: reflect.TypeFor[string](),
		Doc:    "a bookmark of the object's storage as it is now"},
	{Code: int32(AsyncBookmarkForTime), Name: "storage.getBookmarkForTime", Object: true, Fault: "storage.getBookmarkForTime",
		Request: reflect.TypeFor[float64](), Result: reflect.TypeFor[string](),
		Doc: "the bookmark of the object's storage at a time in ms since the epoch (within the last 30 days)"},
	{Code: int32(AsyncRestoreBookmark), Name: "storage.onNextSessionRestoreBookmark", Object: true, Fault: "storage.onNextSessionRestoreBookmark",
		Request: reflect.TypeFor[string](), Result: reflect.TypeFor[string](),
		Doc: "restore the object's storage to a bookmark when the object next starts; a bookmark that undoes it"},
	{Code: int32(AsyncBodyDrain), Name: "body.drain", Request: reflect.TypeFor[BodyRef](), Result: reflect.TypeFor[bool](),
		Doc: "wait until the reader of a body that streams from the guest has read most of what the host holds; true if the reader went away"},
	{Code: int32(AsyncBodyRead), Name: "body.read", Request: reflect.TypeFor[int32](), Result: reflect.TypeFor[Raw](),
		Doc: "the next bytes of the body that streams from the host under the request's reader ID (Request.BodyReader); none at its end"},
	{Code: int32(AsyncSleep), Name: "timer.sleep", Request: reflect.TypeFor[float64](),
		Doc: "settle after the request's milliseconds (setTimeout in the event's own I/O context, so that what the guest does next is on that event's behalf)"},
	{Code: int32(AsyncEnter), Name: "event.enter",
		Doc: "settle at once, in the I/O context of the event that starts it: the guest resumes on that event's behalf (a goroutine that a Go timer, a channel or a lock woke inside a call into Go for another context, before it uses its own object's storage)"},
	{Code: int32(AsyncSocketReceive), Name: "socket.receive",
		Request: reflect.TypeFor[WSSocket](), Result: reflect.TypeFor[WSReceived](),
		Doc: "the next message of an outbound socket, or its close"},
	{Code: int32(AsyncD1Query), Name: "d1.query",
		Request: reflect.TypeFor[D1Query](), Result: reflect.TypeFor[[]D1Result](),
		Doc: "run statements on a D1 database binding: one with all(), raw() or run(), or a list with batch() (atomic); a result per statement"},
	{Code: int32(AsyncD1Exec), Name: "d1.exec",
		Request: reflect.TypeFor[D1Exec](), Result: reflect.TypeFor[D1ExecResult](),
		Doc: "exec() on a D1 database binding: the statements of a text, one per line, without parameters"},
}

// CallOps returns the table of synchronous operations, ordered by code.
func CallOps() []OpInfo { return append([]OpInfo(nil), callOps...) }

// AsyncOps returns the table of asynchronous operations, ordered by code.
func AsyncOps() []OpInfo { return append([]OpInfo(nil), asyncOps...) }

// Info returns the description of op, and false if op is not in the table.
func (op CallOp) Info() (OpInfo, bool) { return find(callOps, int32(op)) }

// Info returns the description of op, and false if op is not in the table.
func (op AsyncOp) Info() (OpInfo, bool) { return find(asyncOps, int32(op)) }

// String returns the operation's name, or "call N" for one not in the table.
func (op CallOp) String() string { return name(callOps, int32(op), "call") }

// String returns the operation's name, or "async N" for one not in the table.
func (op AsyncOp) String() string { return name(asyncOps, int32(op), "async") }

func find(table []OpInfo, code int32) (OpInfo, bool) {
	for _, o := range table {
		if o.Code == code {
			return o, true
		}
	}
	return OpInfo{}, false
}

func name(table []OpInfo, code int32, kind string) string {
	if o, ok := find(table, code); ok {
		return o.Name
	}
	return fmt.Sprintf("%s %d", kind, code)
}
