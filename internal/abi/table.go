package abi

import (
	"cmp"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"sync"
)

// The table of the boundary: every event a host may send and every
// operation a guest may ask of its host, once: the events here, the
// operations in the file of their feature (ops_*.go). A new capability
// adds rows; internal/shim generates the shim's tables from them, and tests fail
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
	// EventScheduled is a cron trigger's event of the stateless Worker
	// (its scheduled handler).
	EventScheduled EventKind = 8
	// EventWorkerCall is an RPC call of a method of one of the Worker's
	// entrypoints (a WorkerEntrypoint class: the default export or a
	// named one), through a service binding.
	EventWorkerCall EventKind = 9
	// EventQueue is a batch of messages of a queue the Worker consumes
	// (its queue handler).
	EventQueue EventKind = 10
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
	// Cancelable reports that the host cancels the event (ExportCancel)
	// when its client goes away: workerd aborts an incoming request's
	// signal.
	Cancelable bool
}

var events = []EventInfo{
	{Kind: EventWorkerFetch, Name: "fetch", Target: TargetWorker, Capability: true, Cancelable: true,
		Arg: "0 for the default export, else 1 + the index of the named entrypoint in Manifest.Entrypoints"},
	{Kind: EventObjectFetch, Name: "fetch", Target: TargetObject, Capability: true, Cancelable: true},
	{Kind: EventObjectCall, Name: "call", Target: TargetObject, Arg: "the index of the method in the class's Methods"},
	{Kind: EventAlarm, Name: "alarm", Target: TargetObject, Capability: true},
	{Kind: EventWebSocketMessage, Name: "webSocketMessage", Target: TargetObject, Capability: true},
	{Kind: EventWebSocketClose, Name: "webSocketClose", Target: TargetObject, Capability: true},
	{Kind: EventWebSocketError, Name: "webSocketError", Target: TargetObject, Capability: true},
	{Kind: EventScheduled, Name: "scheduled", Target: TargetWorker, Capability: true},
	{Kind: EventWorkerCall, Name: "call", Target: TargetWorker, Arg: "EntrypointArg: the entrypoint's index in Manifest.Entrypoints and the method's in its Methods"},
	{Kind: EventQueue, Name: "queue", Target: TargetWorker, Capability: true},
}

// Messages returns the message types staged with an event of kind k and
// completed with it; nil means empty. They are not in EventInfo, which a
// guest reads (its Name, Target, Capability): through the table a guest
// links none of them.
func (k EventKind) Messages() (payload, result reflect.Type) {
	switch k {
	case EventWorkerFetch, EventObjectFetch:
		return reflect.TypeFor[Request](), reflect.TypeFor[Response]()
	case EventObjectCall, EventWorkerCall:
		return reflect.TypeFor[Value](), reflect.TypeFor[Value]()
	case EventAlarm:
		return reflect.TypeFor[AlarmInfo](), nil
	case EventWebSocketMessage:
		return reflect.TypeFor[WSFrame](), nil
	case EventWebSocketClose:
		return reflect.TypeFor[WSClose](), nil
	case EventWebSocketError:
		return reflect.TypeFor[WSError](), nil
	case EventScheduled:
		return reflect.TypeFor[ScheduledInfo](), reflect.TypeFor[ScheduledResult]()
	case EventQueue:
		return reflect.TypeFor[QueueBatch](), reflect.TypeFor[QueueResult]()
	}
	return nil, nil
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

// AsyncOp names an asynchronous host operation (the start import).
type AsyncOp int32

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

// The operations of each feature are declared in a file of their own
// (ops_storage.go, ops_ws.go, ...): their codes, their rows, which the
// list features below joins into the tables, and their typed descriptors
// (Sync, Async), with which the guest calls them. A feature's codes are in the first block or in the
// block of its own; a code never changes (renumbering is a new ABI
// version). Calls and async operations have codes of their own, in the
// same blocks:
//
//	 1–19  the first ABI's operations, of several features: env, storage,
//	       ids, events, bodies, state, fetch, alarms (full: calls 1–19,
//	       async 1–14; a new operation of these features takes a block)
//	20–32  hibernatable WebSockets (ops_ws.go; full)
//	33–39  bodies (ops_bodies.go)
//	40–49  outbound WebSockets (ops_sockets.go)
//	50–59  Durable Object IDs and stubs (ops_ids.go)
//	60–69  D1 (ops_d1.go)
//	70–79  jsbridge: operations on JavaScript values (ops_jsbridge.go)
//	80–89  hibernatable WebSockets, continued (ops_ws.go)
//	90–99  service bindings and Worker entrypoints (ops_services.go)
//	100–   free: a block of ten for each new feature
var (
	firstCalls   = codeRange{1, 19}
	firstAsyncs  = codeRange{1, 14}
	blockWS      = codeRange{20, 32}
	blockBodies  = codeRange{33, 39}
	blockSockets = codeRange{40, 49}
	blockIDs     = codeRange{50, 59}
	blockD1      = codeRange{60, 69}
	blockJS      = codeRange{70, 79}
	blockWSMore  = codeRange{80, 89}
	blockSvc     = codeRange{90, 99}
)

// features are the operations of every feature; the tables are their
// rows, ordered by code (CallOps, AsyncOps). Each feature's rows are
// built by a function, and only by the table's readers (Info, CallOps,
// the hosts, the shim's generator): a guest, which needs a row's name
// and whether it acts on an object (opnames.go), links none of them, nor
// the message types and docs they name (RATIONALE.md, "Why does a
// guest not link the table of the boundary?").
var features = []func() feature{envOps, storageOps, eventOps, bodyOps, stateOps, fetchOps, idOps, wsOps, wsMoreOps, socketOps, alarmOps, d1Ops, jsOps, serviceOps}

var (
	featuresOnce sync.Once
	featureRows  []*feature
)

// allFeatures returns the rows of every feature, built once.
func allFeatures() []*feature {
	featuresOnce.Do(func() {
		for _, f := range features {
			rows := f()
			featureRows = append(featureRows, &rows)
		}
	})
	return featureRows
}

// feature is the operations of one feature, as its file declares them.
type feature struct {
	name string
	// codes is the feature's block of codes, for calls and async
	// operations alike; zero if its codes are all in the first block.
	codes         codeRange
	calls, asyncs []OpInfo
}

// codeRange is the codes from From to To, both included.
type codeRange struct{ From, To int32 }

func (r codeRange) has(code int32) bool { return r.From <= code && code <= r.To }

// calls and asyncs pick a feature's rows of one kind.
func calls(f *feature) []OpInfo  { return f.calls }
func asyncs(f *feature) []OpInfo { return f.asyncs }

// joinRows returns the rows of one kind of every feature, ordered by code.
func joinRows(rows func(*feature) []OpInfo) []OpInfo {
	var out []OpInfo
	for _, f := range allFeatures() {
		out = append(out, rows(f)...)
	}
	slices.SortFunc(out, func(a, b OpInfo) int { return cmp.Compare(a.Code, b.Code) })
	return out
}

// CallOps returns the table of synchronous operations, ordered by code.
func CallOps() []OpInfo { return joinRows(calls) }

// AsyncOps returns the table of asynchronous operations, ordered by code.
func AsyncOps() []OpInfo { return joinRows(asyncs) }

// Info returns the description of op, and false if op is not in the table.
func (op CallOp) Info() (OpInfo, bool) { return find(calls, int32(op)) }

// Info returns the description of op, and false if op is not in the table.
func (op AsyncOp) Info() (OpInfo, bool) { return find(asyncs, int32(op)) }

// String returns the operation's name, or "call N" for one not in the table.
func (op CallOp) String() string { return name(callNames[:], int32(op), "call") }

// String returns the operation's name, or "async N" for one not in the table.
func (op AsyncOp) String() string { return name(asyncNames[:], int32(op), "async") }

// Object reports whether op acts on the Durable Object the call names (its
// row's Object), without the rows (opnames.go).
func (op AsyncOp) Object() bool {
	return op >= 0 && int(op) < len(asyncObjects) && asyncObjects[op]
}

// find returns the row of one kind with code: the features' rows are
// searched where they are.
func find(rows func(*feature) []OpInfo, code int32) (OpInfo, bool) {
	for _, f := range allFeatures() {
		for _, o := range rows(f) {
			if o.Code == code {
				return o, true
			}
		}
	}
	return OpInfo{}, false
}

// name returns the name of code in names (opnames.go), or "kind code".
func name(names []string, code int32, kind string) string {
	if code >= 0 && int(code) < len(names) && names[code] != "" {
		return names[code]
	}
	return kind + " " + strconv.Itoa(int(code))
}
