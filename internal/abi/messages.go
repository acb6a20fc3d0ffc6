package abi

import (
	"io"

	"github.com/vmihailenco/msgpack/v5"
)

// Manifest is what a guest reports about itself through ExportManifest. The
// shim generator builds the JS classes from it and the shim checks it at
// load time.
type Manifest struct {
	ABI       int    `msgpack:"abi"`
	GoVersion string `msgpack:"goVersion"`
	// Worker lists the capabilities of the stateless Worker (the names of
	// its TargetWorker events): ["fetch"] when worker.Handle was called.
	Worker  []string `msgpack:"worker"`
	Classes []Class  `msgpack:"classes"`
	// Entrypoints are the Worker's entrypoints with RPC methods (or a
	// fetch of their own), sorted by name: the default export's is named
	// "" and comes first. Capabilities lists "fetch" for a named one that
	// serves fetch (the default export's fetch is Worker's). The shim
	// declares a WorkerEntrypoint class for each.
	Entrypoints []Class `msgpack:"entrypoints,omitempty"`
	// Shape is the guest's own Shape of this manifest, which hosts compare
	// with the one they expect.
	Shape string `msgpack:"shape"`
}

// Class describes one registered Durable Object class.
type Class struct {
	Name string `msgpack:"name"`
	// Capabilities lists the TargetObject events the class receives
	// ("fetch", "alarm", ...), in the order of the event table.
	Capabilities []string `msgpack:"capabilities"`
	// GoType is the Go type of the objects, "*main.Counter", or "" when
	// generated code cannot name it.
	GoType string `msgpack:"goType,omitempty"`
	// Methods are the RPC methods, sorted by Go name; an EventObjectCall
	// names one by its index here.
	Methods []Method `msgpack:"methods"`
	// Skipped lists exported methods that are not RPC methods, each with
	// the reason, so that tools can warn about them.
	Skipped []string `msgpack:"skipped,omitempty"`
	// Hidden lists RPC methods the class keeps off RPC (those of
	// well-known interfaces such as fmt.Stringer, and those its
	// registration hides), each with the reason; the shim does not
	// declare them and the guest does not dispatch them.
	Hidden []string `msgpack:"hidden,omitempty"`
}

// Method describes one RPC method of a class.
type Method struct {
	Name   string   `msgpack:"name"`   // Go name, e.g. Increment
	JSName string   `msgpack:"jsName"` // JS name, e.g. increment
	Params []string `msgpack:"params"` // Go types of the parameters after ctx
	Result string   `msgpack:"result,omitempty"`
	// Context and Error report that the method's first parameter is a
	// context.Context and its last result an error: with Params and
	// Result, the shape of the call that wasmbuild generates.
	Context bool `msgpack:"context,omitempty"`
	Error   bool `msgpack:"error,omitempty"`
	// Stubs reports that the result's type can hold a Durable Object stub
	// (an ExtStub; see MayHoldStub): a Go caller gets it through
	// JavaScript values, not as the bytes Go wrote.
	Stubs bool `msgpack:"stubs,omitempty"`
}

// ObjectRef is the payload of ExportObject: the Durable Object a handle
// stands for. A handle is the host's name for one JS object; it is never
// reused within one isolate.
type ObjectRef struct {
	Class string `msgpack:"class"`
	ID    string `msgpack:"id"`
	Name  string `msgpack:"name,omitempty"`
}

// Request is an HTTP request crossing the boundary.
type Request struct {
	Method  string      `msgpack:"method"`
	URL     string      `msgpack:"url"`
	Headers [][2]string `msgpack:"headers"`
	Body    []byte      `msgpack:"body"`
	// BodyReader, when not 0, names a body that streams from the host:
	// the guest reads it, after Body, with AsyncBodyRead until an empty
	// chunk, or gives it up with CallBodyCancel.
	BodyReader int32 `msgpack:"bodyReader,omitempty"`
	// BodyWriter, when not 0, names the body of a request the guest sends
	// that streams from the guest: after Body, its chunks follow through
	// CallBodyWrite (BodyChunk.Stream BodyWriter) until CallBodyClose.
	BodyWriter int32 `msgpack:"bodyWriter,omitempty"`
	// Rest is, on a host, the body of a request to stream into the guest;
	// it does not cross the boundary.
	Rest io.ReadCloser `msgpack:"-"`
}

// Response is an HTTP response crossing the boundary.
type Response struct {
	Status  int         `msgpack:"status"`
	Headers [][2]string `msgpack:"headers"`
	Body    []byte      `msgpack:"body"`
	// Stream reports that Body is only the start of the body: the rest
	// follows through CallBodyWrite until CallBodyClose.
	Stream bool `msgpack:"stream,omitempty"`
	// BodyReader is as for a Request: the body of a response to the
	// guest's fetch that streams from the host.
	BodyReader int32 `msgpack:"bodyReader,omitempty"`
	// Rest is, on a host, the rest of a body that streams, from the guest
	// (Stream) or into it (BodyReader); it does not cross the boundary.
	Rest io.ReadCloser `msgpack:"-"`
}

// BodyRef names a body that streams from the guest: the response of the
// event with ID Event (Stream 0), or the body of a request it sends
// (Stream: the request's BodyWriter).
type BodyRef struct {
	Event  int32 `msgpack:"event"`
	Stream int32 `msgpack:"stream,omitempty"`
}

// BodyChunk is the request of CallBodyWrite: more of a streamed body.
type BodyChunk struct {
	Event  int32  `msgpack:"event"`
	Stream int32  `msgpack:"stream,omitempty"`
	Data   []byte `msgpack:"data"`
}

// BodyEnd is the request of CallBodyClose: the end of a streamed body,
// with the error that cut it short, if any.
type BodyEnd struct {
	Event  int32  `msgpack:"event"`
	Stream int32  `msgpack:"stream,omitempty"`
	Error  string `msgpack:"error,omitempty"`
}

// Error is an error crossing the boundary, in either direction.
type Error struct {
	Name    string `msgpack:"name"`
	Message string `msgpack:"message"`
	Code    string `msgpack:"code,omitempty"`
	Stack   string `msgpack:"stack,omitempty"`
	Cause   *Error `msgpack:"cause,omitempty"`
}

// Env is the result of CallEnv.
type Env struct {
	// Vars holds the text and JSON variables and the secrets, by name.
	Vars map[string]any `msgpack:"vars"`
	// Bindings maps the name of every other binding to its kind, e.g.
	// "DurableObjectNamespace".
	Bindings map[string]string `msgpack:"bindings"`
}

// KVKey is the request of CallKVDelete.
type KVKey struct {
	Key string `msgpack:"key"`
}

// KVList is the request of CallKVList; it mirrors the options of workerd's
// ctx.storage.kv.list. Limit 0 means no limit.
type KVList struct {
	Prefix     string `msgpack:"prefix,omitempty"`
	Start      string `msgpack:"start,omitempty"`
	StartAfter string `msgpack:"startAfter,omitempty"`
	End        string `msgpack:"end,omitempty"`
	Limit      int    `msgpack:"limit,omitempty"`
	Reverse    bool   `msgpack:"reverse,omitempty"`
}

// KVEntry is one key and its stored bytes.
type KVEntry struct {
	_msgpack struct{} `msgpack:",as_array"`
	Key      string
	Value    []byte
}

// SQLQuery is a statement of a D1Query. Args hold nil, int64, float64,
// string or []byte.
type SQLQuery struct {
	Query string `msgpack:"query"`
	Args  []any  `msgpack:"args"`
}

// SQLResult is the result of CallSQLExec, as SQLExecResult lays it out.
type SQLResult struct {
	Columns     []string `msgpack:"columns"`
	Rows        [][]any  `msgpack:"rows"`
	RowsRead    int64    `msgpack:"rowsRead"`
	RowsWritten int64    `msgpack:"rowsWritten"`
}

// D1 modes: which method of D1PreparedStatement runs a single statement.
const (
	// D1All is all(): rows as objects (the shim lists their keys as the
	// columns) and the meta.
	D1All = "all"
	// D1Raw is raw({columnNames: true}): the columns as SQLite names them,
	// duplicates included, and the rows; no meta.
	D1Raw = "raw"
	// D1Run is run(): the meta only.
	D1Run = "run"
)

// D1Query is the request of AsyncD1Query: statements to run on the D1
// database bound as Binding. Without Batch there is one statement, run as
// Mode says; with Batch, db.batch() runs them all in one transaction, and
// each result is all()'s.
type D1Query struct {
	Binding    string     `msgpack:"binding"`
	Mode       string     `msgpack:"mode,omitempty"`
	Batch      bool       `msgpack:"batch,omitempty"`
	Statements []SQLQuery `msgpack:"statements"`
}

// D1Result is the result of one statement of AsyncD1Query. Rows hold nil,
// numbers, strings and []byte (a blob). Meta is nil for D1Raw.
type D1Result struct {
	Columns []string `msgpack:"columns"`
	Rows    [][]any  `msgpack:"rows"`
	Meta    *D1Meta  `msgpack:"meta"`
}

// D1Meta is D1's meta of a statement's result, as local workerd gives it.
type D1Meta struct {
	ServedBy        string  `msgpack:"served_by"`
	ServedByPrimary bool    `msgpack:"served_by_primary"`
	Duration        float64 `msgpack:"duration"`
	Changes         int64   `msgpack:"changes"`
	LastRowID       int64   `msgpack:"last_row_id"`
	ChangedDB       bool    `msgpack:"changed_db"`
	SizeAfter       int64   `msgpack:"size_after"`
	RowsRead        int64   `msgpack:"rows_read"`
	RowsWritten     int64   `msgpack:"rows_written"`
}

// D1Exec is the request of AsyncD1Exec.
type D1Exec struct {
	Binding string `msgpack:"binding"`
	Query   string `msgpack:"query"`
}

// D1ExecResult is the result of AsyncD1Exec: exec()'s count of statements
// and their duration in ms.
type D1ExecResult struct {
	Count    int64   `msgpack:"count"`
	Duration float64 `msgpack:"duration"`
}

// StubTarget names a Durable Object through a namespace binding, or its
// jurisdictional sub-namespace (binding.jurisdiction(Jurisdiction)): by
// Name (idFromName), by ID (idFromString), or by both (idFromName, which
// must give ID: an ID made in another namespace is refused). For the ID
// operations it names the namespace and the name or ID; for a stub it
// names the object that get(id, {locationHint}) reaches. A Handle names
// instead a stub the host keeps for the guest (see ExtStub), and the rest
// is empty. Service names the binding itself, a service binding (a
// Fetcher: another Worker's entrypoint), and the rest is empty.
type StubTarget struct {
	Handle       uint32 `msgpack:"handle,omitempty"`
	Service      bool   `msgpack:"service,omitempty"`
	Binding      string `msgpack:"binding"`
	Name         string `msgpack:"name,omitempty"`
	ID           string `msgpack:"id,omitempty"`
	Jurisdiction string `msgpack:"jurisdiction,omitempty"`
	LocationHint string `msgpack:"locationHint,omitempty"`
}

// ObjectID is the result of the ID operations: a DurableObjectId as
// JavaScript has it (its toString(), name and jurisdiction; both "" when
// undefined).
type ObjectID struct {
	ID           string `msgpack:"id"`
	Name         string `msgpack:"name,omitempty"`
	Jurisdiction string `msgpack:"jurisdiction,omitempty"`
}

// NewUniqueID is the request of CallNewUniqueID:
// newUniqueId({jurisdiction}) of the namespace that Namespace names (its
// Binding and Jurisdiction).
type NewUniqueID struct {
	Namespace    StubTarget `msgpack:"namespace"`
	Jurisdiction string     `msgpack:"jurisdiction,omitempty"`
}

// StubFetch is the request of AsyncStubFetch.
type StubFetch struct {
	Target  StubTarget `msgpack:"target"`
	Request Request    `msgpack:"request"`
}

// StubCall is the request of AsyncStubCall.
type StubCall struct {
	Target StubTarget         `msgpack:"target"`
	Method string             `msgpack:"method"` // the JS name
	Args   msgpack.RawMessage `msgpack:"args"`   // an array
}

// AlarmInfo is the payload of EventAlarm: workerd's alarmInfo.
type AlarmInfo struct {
	// ScheduledTime is the alarm's time in ms since the epoch.
	ScheduledTime float64 `msgpack:"scheduledTime"`
	// RetryCount counts the earlier attempts of this alarm that failed.
	RetryCount int  `msgpack:"retryCount"`
	IsRetry    bool `msgpack:"isRetry"`
}

// WebSocketHeader is the response header by which a guest's 101 response
// names the WebSocket it returns (the ID of ws.accept, or the one a host
// gave an upgraded response of fetch). Hosts remove it before a client
// sees the response.
const WebSocketHeader = "x-godurable-websocket"

// WSAccept is the request of CallWSAccept.
type WSAccept struct {
	Event      int32    `msgpack:"event"` // the fetch event whose response upgrades
	Tags       []string `msgpack:"tags"`
	Attachment []byte   `msgpack:"attachment"` // nil for none
}

// WSSocket names a socket.
type WSSocket struct {
	Socket string `msgpack:"socket"`
}

// WSMessage is a WebSocket message: the request of CallSocketSend (a
// hibernatable socket's messages cross as a WSFrame).
type WSMessage struct {
	Socket string `msgpack:"socket"`
	IsText bool   `msgpack:"isText"`
	Text   string `msgpack:"text,omitempty"`
	Binary []byte `msgpack:"binary,omitempty"`
}

// WSClose is a close: the payload of EventWebSocketClose and the request
// of CallWSClose and CallSocketClose. Code 0 means none (1005 on the
// wire).
type WSClose struct {
	Socket   string `msgpack:"socket"`
	Code     int    `msgpack:"code"`
	Reason   string `msgpack:"reason"`
	WasClean bool   `msgpack:"wasClean"`
}

// WSError is the payload of EventWebSocketError.
type WSError struct {
	Socket string `msgpack:"socket"`
	Error  Error  `msgpack:"error"`
}

// WSAttachment is the request of CallWSSetAttachment.
type WSAttachment struct {
	Socket     string `msgpack:"socket"`
	Attachment []byte `msgpack:"attachment"`
}

// WSList is the request of CallWSList; an empty Tag lists every socket.
type WSList struct {
	Tag string `msgpack:"tag,omitempty"`
}

// WSAutoResponse is a request message and its automatic response.
type WSAutoResponse struct {
	Request  string `msgpack:"request"`
	Response string `msgpack:"response"`
}

// WSConnect is the request of CallSocketConnect.
type WSConnect struct {
	Event   int32  `msgpack:"event"`
	Upgrade string `msgpack:"upgrade"` // the response's WebSocketHeader
}

// WSReceived is the result of AsyncSocketReceive: a message, or the close
// (Closed set) after which nothing more comes.
type WSReceived struct {
	WSMessage `msgpack:",inline"`
	Closed    *WSClose `msgpack:"closed,omitempty"`
}
