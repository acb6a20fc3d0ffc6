package abi

import "reflect"

// Outbound WebSockets: a socket the Worker or an object opened itself with
// fetch, used by the event that opened it. Codes: 40–49.

// The codes of the synchronous operations (the call import), as the
// rows below describe them.
const (
	CallSocketConnect CallOp = 40
	CallSocketSend    CallOp = 41
	CallSocketClose   CallOp = 42
)

// The codes of the asynchronous operations (the start import), as the
// rows below describe them.
const (
	AsyncSocketReceive AsyncOp = 40
)

// The descriptors of the operations above, with the types of their
// requests and results (rt.Do, rt.AwaitOp).
var (
	// OpSocketConnect is the descriptor of socket.connect.
	OpSocketConnect = Sync[WSConnect, string]{Code: CallSocketConnect}
	// OpSocketSend is the descriptor of socket.send.
	OpSocketSend = Sync[WSMessage, Empty]{Code: CallSocketSend}
	// OpSocketClose is the descriptor of socket.close.
	OpSocketClose = Sync[WSClose, Empty]{Code: CallSocketClose}
	// OpSocketReceive is the descriptor of socket.receive.
	OpSocketReceive = Async[WSSocket, WSReceived]{Code: AsyncSocketReceive}
)

// socketOps are the rows of the table for the operations above.
func socketOps() feature {
	return feature{
		name:  "sockets",
		codes: blockSockets,
		calls: []OpInfo{
			{Code: int32(CallSocketConnect), Name: "socket.connect",
				Request: reflect.TypeFor[WSConnect](), Result: reflect.TypeFor[string](),
				Doc: "accept the WebSocket of an upgraded fetch response (named by WebSocketHeader); the socket's ID"},
			{Code: int32(CallSocketSend), Name: "socket.send",
				Request: reflect.TypeFor[WSMessage](),
				Doc:     "send a message on an outbound socket"},
			{Code: int32(CallSocketClose), Name: "socket.close",
				Request: reflect.TypeFor[WSClose](),
				Doc:     "close an outbound socket"},
		},
		asyncs: []OpInfo{
			{Code: int32(AsyncSocketReceive), Name: "socket.receive",
				Request: reflect.TypeFor[WSSocket](), Result: reflect.TypeFor[WSReceived](),
				Doc: "the next message of an outbound socket, or its close"},
		},
	}
}
