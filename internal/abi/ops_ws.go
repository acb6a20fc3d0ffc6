package abi

import "reflect"

// Hibernatable WebSockets: ctx.acceptWebSocket and the rest of the
// hibernation API. A socket is named by the ID the host gave it when it
// accepted it, which it keeps across hibernation. Codes: 20–32, and
// 80–89 for those added after the first block filled.

// The codes of the synchronous operations (the call import), as the
// rows below describe them.
const (
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
	CallWSBroadcast        CallOp = 80
)

// The descriptors of the operations above, with the types of their
// requests and results (rt.Do, rt.AwaitOp).
var (
	// OpWSAccept is the descriptor of ws.accept.
	OpWSAccept = Sync[WSAccept, string]{Code: CallWSAccept}
	// OpWSSend is the descriptor of ws.send.
	OpWSSend = Sync[WSFrame, Empty]{Code: CallWSSend}
	// OpWSClose is the descriptor of ws.close.
	OpWSClose = Sync[WSClose, Empty]{Code: CallWSClose}
	// OpWSList is the descriptor of ws.list.
	OpWSList = Sync[WSList, []string]{Code: CallWSList}
	// OpWSTags is the descriptor of ws.tags.
	OpWSTags = Sync[WSSocket, []string]{Code: CallWSTags}
	// OpWSAttachment is the descriptor of ws.attachment.
	OpWSAttachment = Sync[WSSocket, Raw]{Code: CallWSAttachment}
	// OpWSSetAttachment is the descriptor of ws.setAttachment.
	OpWSSetAttachment = Sync[WSAttachment, Empty]{Code: CallWSSetAttachment}
	// OpWSReadyState is the descriptor of ws.readyState.
	OpWSReadyState = Sync[WSSocket, int]{Code: CallWSReadyState}
	// OpWSSetAutoResponse is the descriptor of ws.setAutoResponse.
	OpWSSetAutoResponse = Sync[WSAutoResponse, Empty]{Code: CallWSSetAutoResponse}
	// OpWSAutoResponse is the descriptor of ws.autoResponse.
	OpWSAutoResponse = Sync[Empty, *WSAutoResponse]{Code: CallWSAutoResponse}
	// OpWSAutoResponseTime is the descriptor of ws.autoResponseTime.
	OpWSAutoResponseTime = Sync[WSSocket, *float64]{Code: CallWSAutoResponseTime}
	// OpWSSetEventTimeout is the descriptor of ws.setEventTimeout.
	OpWSSetEventTimeout = Sync[*float64, Empty]{Code: CallWSSetEventTimeout}
	// OpWSEventTimeout is the descriptor of ws.eventTimeout.
	OpWSEventTimeout = Sync[Empty, *float64]{Code: CallWSEventTimeout}
	// OpWSBroadcast is the descriptor of ws.broadcast.
	OpWSBroadcast = Sync[WSBroadcastFrame, int]{Code: CallWSBroadcast}
)

// wsOps are the rows of the table for the operations above.
func wsOps() feature {
	return feature{
		name:  "ws",
		codes: blockWS,
		calls: []OpInfo{
			{Code: int32(CallWSAccept), Name: "ws.accept", Object: true,
				Request: reflect.TypeFor[WSAccept](), Result: reflect.TypeFor[string](),
				Doc: "accept the WebSocket of the event's upgrade request as hibernatable, with tags; the socket's ID, which the response names in WebSocketHeader"},
			{Code: int32(CallWSSend), Name: "ws.send", Object: true,
				Request: reflect.TypeFor[WSFrame](),
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
		},
	}
}

// wsMoreOps are the rows of the WebSocket operations in the second block.
func wsMoreOps() feature {
	return feature{
		name:  "ws (continued)",
		codes: blockWSMore,
		calls: []OpInfo{
			{Code: int32(CallWSBroadcast), Name: "ws.broadcast", Object: true,
				Request: reflect.TypeFor[WSBroadcastFrame](), Result: reflect.TypeFor[int](),
				Doc: "send one message to every open socket of the object, or those with a tag, but the sockets the frame leaves out; how many it was sent to"},
		},
	}
}
