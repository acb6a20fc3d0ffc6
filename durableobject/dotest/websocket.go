package dotest

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/godurable/godurable/internal/abi"
	"github.com/godurable/godurable/internal/workerd"
	"github.com/godurable/godurable/ws"
)

// Socket is the client end of a WebSocket that a test opened with
// DialWebSocket: what a browser holds. Its methods are safe for
// concurrent use; messages arrive in the order the object sent them.
type Socket struct {
	peer *workerd.Peer
}

// CloseError is the error Receive returns once the object has closed the
// socket (or answered the test's close).
type CloseError = ws.CloseError

// DialWebSocket opens a WebSocket to the Worker at path (e.g.
// "/rooms/a/ws?name=ann"), as a browser does: a GET with "Upgrade:
// websocket" and header, through the Worker's handler. It returns the
// socket and the 101 response, or, if the Worker did not upgrade, the
// response it gave and an error wrapping ws.ErrNotWebSocket.
func (w *Worker) DialWebSocket(ctx context.Context, path string, header http.Header) (*Socket, *http.Response, error) {
	req := httptest.NewRequest(http.MethodGet, path, nil).WithContext(ctx)
	for k, vs := range header {
		req.Header[k] = vs
	}
	req.Header.Set("Upgrade", "websocket")
	req.Header.Set("Connection", "Upgrade")
	req.Header.Set("Sec-WebSocket-Version", "13")
	in, err := workerd.RequestToGo(req)
	if err != nil {
		return nil, nil, err
	}
	ctx, cancel := w.eventContext(ctx)
	defer cancel()
	out, err := w.iso.Fetch(ctx, in)
	if err != nil {
		return nil, nil, guestError(err)
	}
	var id string
	for _, h := range out.Headers {
		if strings.EqualFold(h[0], abi.WebSocketHeader) {
			id = h[1]
		}
	}
	out.Headers = withoutHeader(out.Headers, abi.WebSocketHeader)
	resp := workerd.ResponseFromGo(out, req)
	if out.Status != http.StatusSwitchingProtocols {
		return nil, resp, fmt.Errorf("%w: %s answered %d", ws.ErrNotWebSocket, path, out.Status)
	}
	peer, ok := w.iso.TakeUpgrade(id)
	if !ok {
		return nil, resp, fmt.Errorf("dotest: %s answered 101 without a WebSocket; accept it with ws.Accept, or return the response of Stub.Fetch", path)
	}
	resp.Body = io.NopCloser(strings.NewReader(""))
	return &Socket{peer: peer}, resp, nil
}

// ID returns the socket's ID, the one the object's ws.Conn has.
func (s *Socket) ID() string { return s.peer.ID() }

// Send sends m to the object.
func (s *Socket) Send(m ws.Message) error {
	msg := abi.WSMessage{IsText: m.Type == ws.Text, Binary: m.Data}
	if msg.IsText {
		msg.Text, msg.Binary = string(m.Data), nil
	}
	if err := s.peer.Send(msg); err != nil {
		return fmt.Errorf("dotest: send: %w", err)
	}
	return nil
}

// SendText sends a text message.
func (s *Socket) SendText(text string) error { return s.Send(ws.TextMessage(text)) }

// SendBinary sends a binary message.
func (s *Socket) SendBinary(b []byte) error { return s.Send(ws.BinaryMessage(b)) }

// Receive returns the next message from the object, waiting until ctx is
// done (use context.WithTimeout). Once the socket has closed, it returns
// a *CloseError with the code and reason.
func (s *Socket) Receive(ctx context.Context) (ws.Message, error) {
	f, err := s.peer.Receive(ctx)
	if err != nil {
		return ws.Message{}, fmt.Errorf("dotest: receive: %w", err)
	}
	if f.Close != nil {
		return ws.Message{}, &CloseError{Code: f.Close.Code, Reason: f.Close.Reason, WasClean: f.Close.WasClean}
	}
	if f.Message.IsText {
		return ws.TextMessage(f.Message.Text), nil
	}
	return ws.BinaryMessage(f.Message.Binary), nil
}

// Close closes the socket with code (0 for none) and reason: the object's
// webSocketClose handler runs, and workerd's answering close arrives in
// Receive.
func (s *Socket) Close(code int, reason string) error { return s.peer.Close(code, reason) }
