package workerd

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/coder/websocket"

	"github.com/godurable/godurable/internal/abi"
	"github.com/godurable/godurable/internal/driver"
)

// Outbound WebSockets: a guest's fetch with "Upgrade: websocket" dials the
// server for real (a loopback server of the test) with coder/websocket,
// and the socket.* operations use the connection, as the shim uses the
// WebSocket of the response.

type outboundSocket struct {
	conn    *websocket.Conn
	mu      sync.Mutex // one receive at a time
	closed  *abi.WSClose
	closing atomic.Pointer[chan *abi.WSClose] // the close the guest sent, once coder/websocket has its answer
	owner   ioContext                         // the I/O context it belongs to
}

// isUpgrade reports whether a guest's request asks for a WebSocket.
func isUpgrade(r *abi.Request) bool {
	for _, h := range r.Headers {
		if strings.EqualFold(h[0], "upgrade") && strings.EqualFold(h[1], "websocket") {
			return true
		}
	}
	return false
}

// dialOutbound opens the socket a fetch asks for and answers the guest
// with the 101 that names it.
func (iso *Isolate) dialOutbound(ctx context.Context, in *abi.Request) ([]byte, error) {
	url := in.URL
	header := http.Header{}
	for _, h := range in.Headers {
		switch strings.ToLower(h[0]) {
		case "upgrade", "connection", "sec-websocket-key", "sec-websocket-version", "sec-websocket-extensions":
		default:
			header.Add(h[0], h[1])
		}
	}
	conn, resp, err := websocket.Dial(ctx, url, &websocket.DialOptions{HTTPHeader: header})
	if err != nil {
		if resp != nil {
			// Not upgraded: the guest gets the server's response.
			return iso.responseToGo(resp)
		}
		return nil, NewJSError("TypeError", "fetch failed: "+err.Error())
	}
	conn.SetReadLimit(wsMaxMessage)
	id := newSocketID()
	iso.ws.mu.Lock()
	iso.ws.outbound[id] = &outboundSocket{conn: conn}
	iso.ws.mu.Unlock()
	headers := JSHeaders(resp.Header)
	headers = append(headers, [2]string{abi.WebSocketHeader, id})
	return mustMarshal(&abi.Response{Status: http.StatusSwitchingProtocols, Headers: headers, Body: []byte{}}), nil
}

func (iso *Isolate) outbound(id string) (*outboundSocket, error) {
	iso.ws.mu.Lock()
	defer iso.ws.mu.Unlock()
	s := iso.ws.outbound[id]
	if s == nil {
		return nil, NewJSError("Error", fmt.Sprintf("godurable: no outbound WebSocket %s; it has closed", id))
	}
	return s, nil
}

// The model's operations on outbound sockets, as the shim's
// features/sockets.js.
func init() {
	register(syncOps, map[abi.CallOp]syncOp{
		abi.CallSocketConnect: func(iso *Isolate, _ *objectStorage, req []byte) ([]byte, error) {
			var c abi.WSConnect
			if err := decodeRequest(req, &c); err != nil {
				return nil, err
			}
			s, err := iso.outbound(c.Upgrade)
			if err != nil {
				return nil, NewJSError("TypeError", "godurable: no upgraded response of this event has that WebSocket")
			}
			s.owner, _ = iso.ioContext() // the socket is an I/O object of the context that accepts it
			return jsEncode(c.Upgrade)
		},
		abi.CallSocketSend: func(iso *Isolate, _ *objectStorage, req []byte) ([]byte, error) {
			var m abi.WSMessage
			if err := decodeRequest(req, &m); err != nil {
				return nil, err
			}
			s, err := iso.outbound(m.Socket)
			if err != nil {
				return nil, err
			}
			if err := iso.requireContext(s.owner, ioSocket); err != nil {
				return nil, err
			}
			typ, data := websocket.MessageBinary, m.Binary
			if m.IsText {
				typ, data = websocket.MessageText, []byte(m.Text)
			}
			if err := s.conn.Write(context.Background(), typ, data); err != nil {
				return []byte{}, nil // a send after the peer went is ignored, as in workerd
			}
			return []byte{}, nil
		},
		abi.CallSocketClose: func(iso *Isolate, _ *objectStorage, req []byte) ([]byte, error) {
			var c abi.WSClose
			if err := decodeRequest(req, &c); err != nil {
				return nil, err
			}
			s, err := iso.outbound(c.Socket)
			if err != nil {
				return nil, err
			}
			if err := iso.requireContext(s.owner, ioSocket); err != nil {
				return nil, err
			}
			code := websocket.StatusCode(c.Code)
			if c.Code == 0 {
				code = websocket.StatusNoStatusRcvd
			}
			done := make(chan *abi.WSClose, 1)
			s.closing.Store(&done)
			go func() {
				// coder/websocket's Close returns once the server has answered,
				// which an echoing server does with the same code and reason.
				err := s.conn.Close(code, c.Reason)
				done <- &abi.WSClose{Code: int(code), Reason: c.Reason, WasClean: err == nil}
			}()
			return []byte{}, nil
		},
	})
	register(asyncOps, map[abi.AsyncOp]asyncOp{
		abi.AsyncSocketReceive: func(iso *Isolate, _ *objectStorage, req []byte) ([]byte, error) {
			var r abi.WSSocket
			if err := decodeRequest(req, &r); err != nil {
				return nil, err
			}
			return iso.receive(context.Background(), r.Socket)
		},
	})
}

// receive is the socket.receive operation: the next message, or the
// close.
func (iso *Isolate) receive(ctx context.Context, id string) ([]byte, error) {
	s, err := iso.outbound(id)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed != nil {
		return mustMarshal(&abi.WSReceived{Closed: s.closed}), nil
	}
	typ, data, err := s.conn.Read(ctx)
	if err != nil {
		closed := &abi.WSClose{Code: 1006, Reason: err.Error()}
		var ce websocket.CloseError
		switch {
		case errors.As(err, &ce):
			closed = &abi.WSClose{Code: int(ce.Code), Reason: ce.Reason, WasClean: true}
		case s.closing.Load() != nil:
			closed = <-*s.closing.Load() // the guest closed it: the answer is the close
		}
		s.closed = closed
		return mustMarshal(&abi.WSReceived{Closed: closed}), nil
	}
	if typ == websocket.MessageText {
		return mustMarshal(&abi.WSReceived{WSMessage: abi.WSMessage{IsText: true, Text: driver.DecodeUTF8(data)}}), nil
	}
	return mustMarshal(&abi.WSReceived{WSMessage: abi.WSMessage{Binary: data}}), nil
}
