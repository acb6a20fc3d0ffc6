package abi

import "reflect"

// The operations on JavaScript values (package jsbridge), codes 70–79:
// every binding without an event of its own (Workers KV, R2, Queues'
// producers, Workers AI, ...) is reached through them, so that it needs
// no operation of its own.
const (
	CallJSBinding CallOp = 70
	CallJSGlobal  CallOp = 71
	CallJSGet     CallOp = 72
	CallJSSet     CallOp = 73
	CallJSCall    CallOp = 74
	CallJSNew     CallOp = 75
	CallJSType    CallOp = 76

	AsyncJSAwait AsyncOp = 70
)

var jsCallOps = []OpInfo{
	{Code: int32(CallJSBinding), Name: "js.binding",
		Request: reflect.TypeFor[string](), Result: reflect.TypeFor[Value](),
		Doc: "the binding of the environment with the request's name, by reference (ExtJSValue); an error with CodeNoBinding when the Worker has none"},
	{Code: int32(CallJSGlobal), Name: "js.global",
		Request: reflect.TypeFor[string](), Result: reflect.TypeFor[Value](),
		Doc: "the global (globalThis's property) with the request's name, by reference (ExtJSValue)"},
	{Code: int32(CallJSGet), Name: "js.get",
		Request: reflect.TypeFor[JSOp](), Result: reflect.TypeFor[Value](),
		Doc: "a property of a value, crossing as As says (an ExtJSPromise if it is a promise)"},
	{Code: int32(CallJSSet), Name: "js.set",
		Request: reflect.TypeFor[JSOp](),
		Doc:     "set a property of a value to the value in Args"},
	{Code: int32(CallJSCall), Name: "js.call",
		Request: reflect.TypeFor[JSOp](), Result: reflect.TypeFor[Value](),
		Doc: "call a method of a value (or the value itself, with no Name) with Args; its result crossing as As says, or an ExtJSPromise"},
	{Code: int32(CallJSNew), Name: "js.new",
		Request: reflect.TypeFor[JSOp](), Result: reflect.TypeFor[Value](),
		Doc: "construct with a value (new v(...Args)); the new object crossing as As says"},
	{Code: int32(CallJSType), Name: "js.type",
		Request: reflect.TypeFor[JSOp](), Result: reflect.TypeFor[JSType](),
		Doc: "what typeof says of the Target, and its constructor's name"},
}

var jsAsyncOps = []OpInfo{
	{Code: int32(AsyncJSAwait), Name: "js.await",
		Request: reflect.TypeFor[JSAwait](), Result: reflect.TypeFor[Value](),
		Doc: "await a promise a synchronous operation returned (ExtJSPromise), in the I/O context of the event; its value crossing as As says"},
}

func init() {
	callOps = append(callOps, jsCallOps...)
	asyncOps = append(asyncOps, jsAsyncOps...)
}
