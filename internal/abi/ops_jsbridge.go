package abi

import "reflect"

// The operations on JavaScript values (package jsbridge). Codes: 70–79.
// Every binding without an event of its own (Workers KV, R2, Queues'
// producers, Workers AI, ...) is reached through them, so that it needs
// no operation of its own.

// The codes of the operations, as the rows below describe them.
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

// The descriptors of the operations above, with the types of their
// requests and results (rt.Do, rt.AwaitOp).
var (
	// OpJSBinding is js.binding.
	OpJSBinding = Sync[string, Raw]{Code: CallJSBinding}
	// OpJSGlobal is js.global.
	OpJSGlobal = Sync[string, Raw]{Code: CallJSGlobal}
	// OpJSGet is js.get.
	OpJSGet = Sync[JSOp, Raw]{Code: CallJSGet}
	// OpJSSet is js.set.
	OpJSSet = Sync[JSOp, Empty]{Code: CallJSSet}
	// OpJSCall is js.call.
	OpJSCall = Sync[JSOp, Raw]{Code: CallJSCall}
	// OpJSNew is js.new.
	OpJSNew = Sync[JSOp, Raw]{Code: CallJSNew}
	// OpJSType is js.type.
	OpJSType = Sync[JSOp, JSType]{Code: CallJSType}
	// OpJSAwait is js.await.
	OpJSAwait = Async[JSAwait, Raw]{Code: AsyncJSAwait}
)

// jsOps are the rows of the table for the operations above.
func jsOps() feature {
	return feature{name: "js", codes: blockJS, calls: jsCallOps(), asyncs: jsAsyncOps()}
}

func jsCallOps() []OpInfo {
	return []OpInfo{
		{Code: int32(CallJSBinding), Name: "js.binding",
			Request: reflect.TypeFor[string](), Result: reflect.TypeFor[Raw](),
			Doc: "the binding of the environment with the request's name, by reference (ExtJSValue); an error with CodeNoBinding when the Worker has none"},
		{Code: int32(CallJSGlobal), Name: "js.global",
			Request: reflect.TypeFor[string](), Result: reflect.TypeFor[Raw](),
			Doc: "the global (globalThis's property) with the request's name, by reference (ExtJSValue); for a module specifier (it has a colon: cloudflare:sockets), the namespace of that module, which the shim imports"},
		{Code: int32(CallJSGet), Name: "js.get",
			Request: reflect.TypeFor[JSOp](), Result: reflect.TypeFor[Raw](),
			Doc: "a property of a value, crossing as As says (an ExtJSPromise if it is a promise)"},
		{Code: int32(CallJSSet), Name: "js.set",
			Request: reflect.TypeFor[JSOp](),
			Doc:     "set a property of a value to the value in Args"},
		{Code: int32(CallJSCall), Name: "js.call",
			Request: reflect.TypeFor[JSOp](), Result: reflect.TypeFor[Raw](),
			Doc: "call a method of a value (or the value itself, with no Name) with Args; its result crossing as As says, or an ExtJSPromise"},
		{Code: int32(CallJSNew), Name: "js.new",
			Request: reflect.TypeFor[JSOp](), Result: reflect.TypeFor[Raw](),
			Doc: "construct with a value (new v(...Args)); the new object crossing as As says"},
		{Code: int32(CallJSType), Name: "js.type",
			Request: reflect.TypeFor[JSOp](), Result: reflect.TypeFor[JSType](),
			Doc: "what typeof says of the Target, and its constructor's name"},
	}
}

func jsAsyncOps() []OpInfo {
	return []OpInfo{
		{Code: int32(AsyncJSAwait), Name: "js.await",
			Request: reflect.TypeFor[JSAwait](), Result: reflect.TypeFor[Raw](),
			Doc: "await a promise a synchronous operation returned (ExtJSPromise), in the I/O context of the event; its value crossing as As says"},
	}
}
