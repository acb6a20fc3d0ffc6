package ws

import (
	"context"
	"reflect"

	"github.com/godurable/godurable/internal/abi"
	"github.com/godurable/godurable/internal/rt"
)

// MessageHandler is implemented by a Durable Object class that receives
// the messages of its hibernatable sockets (workerd's webSocketMessage).
// An error it returns is reported as an uncaught exception of the event,
// as a JavaScript handler's throw is; the socket stays open.
type MessageHandler interface {
	WebSocketMessage(ctx context.Context, c *Conn, m Message) error
}

// CloseHandler is implemented by a class that wants to know when a socket
// closes (workerd's webSocketClose). workerd has answered the peer's close
// already; the socket is gone from List when the handler returns.
type CloseHandler interface {
	WebSocketClose(ctx context.Context, c *Conn, code int, reason string, wasClean bool) error
}

// ErrorHandler is implemented by a class that wants to know of a socket's
// errors (workerd's webSocketError).
type ErrorHandler interface {
	WebSocketError(ctx context.Context, c *Conn, err error) error
}

func init() {
	rt.HandleEvent(abi.EventWebSocketMessage, rt.EventSpec{
		Interface: reflect.TypeFor[MessageHandler](),
		Method:    "WebSocketMessage",
		Run: func(ctx context.Context, e *rt.Event, payload []byte) {
			// The frame is the event's own: the message's data is its bytes.
			socket, isText, data, err := abi.WSFrame(payload).Parse()
			if err != nil {
				malformed(e, err)
				return
			}
			m := Message{Type: Binary, Data: data}
			if isText {
				m.Type = Text
			}
			c, _ := rt.ConnFromContext(ctx)
			finish(e, e.Value().(MessageHandler).WebSocketMessage(ctx, &Conn{conn: c, id: socket}, m))
		},
	})
	rt.HandleEvent(abi.EventWebSocketClose, rt.EventSpec{
		Interface: reflect.TypeFor[CloseHandler](),
		Method:    "WebSocketClose",
		Run: func(ctx context.Context, e *rt.Event, payload []byte) {
			var m abi.WSClose
			if c, ok := socketEvent(ctx, e, payload, &m); ok {
				attachments.forget(c, m.Socket)
				finish(e, e.Value().(CloseHandler).WebSocketClose(ctx, &Conn{conn: c, id: m.Socket}, m.Code, m.Reason, m.WasClean))
			}
		},
	})
	rt.HandleEvent(abi.EventWebSocketError, rt.EventSpec{
		Interface: reflect.TypeFor[ErrorHandler](),
		Method:    "WebSocketError",
		Run: func(ctx context.Context, e *rt.Event, payload []byte) {
			var m abi.WSError
			if c, ok := socketEvent(ctx, e, payload, &m); ok {
				finish(e, e.Value().(ErrorHandler).WebSocketError(ctx, &Conn{conn: c, id: m.Socket}, rt.ErrorFromABI(&m.Error)))
			}
		},
	})
}

// socketEvent decodes the payload into msg and returns the operations of
// the event's object, for its Conn.
func socketEvent(ctx context.Context, e *rt.Event, payload []byte, msg any) (rt.Conn, bool) {
	if err := abi.Unmarshal(payload, msg); err != nil {
		malformed(e, err)
		return nil, false
	}
	c, _ := rt.ConnFromContext(ctx)
	return c, true
}

func malformed(e *rt.Event, err error) {
	e.FailWith(&abi.Error{Name: "TypeError", Message: "godurable: malformed WebSocket event: " + err.Error()})
}

func finish(e *rt.Event, err error) {
	if err != nil {
		e.Fail(err)
		return
	}
	e.Finish(nil)
}
