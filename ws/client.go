package ws

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"

	"github.com/godurable/godurable/internal/abi"
	"github.com/godurable/godurable/internal/rt"
)

// Client is an outbound WebSocket: one a Worker or a Durable Object opened
// with Dial. It belongs to the event that dialed it (workerd ties I/O to
// the request that started it; in a Durable Object, to the object): use it
// while that event runs (or, in an object, any of its events).
type Client struct {
	id   string
	conn rt.Conn    // the I/O context of the event that dialed it
	mu   sync.Mutex // one Receive at a time
}

// CloseError is the error Receive returns once the socket has closed.
type CloseError struct {
	Code     int
	Reason   string
	WasClean bool
}

func (e *CloseError) Error() string {
	return fmt.Sprintf("ws: the WebSocket closed with code %d %q", e.Code, e.Reason)
}

// Dial opens a WebSocket to url (ws:, wss:, http: or https:) with
// workerd's fetch, on behalf of the event ctx belongs to, sending header
// with the upgrade request. It returns the upgrade's response too. A
// server that answers without upgrading gets an error wrapping
// ErrNotWebSocket.
func Dial(ctx context.Context, url string, header http.Header) (*Client, *http.Response, error) {
	switch {
	case strings.HasPrefix(url, "ws://"):
		url = "http://" + url[len("ws://"):]
	case strings.HasPrefix(url, "wss://"):
		url = "https://" + url[len("wss://"):]
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, nil, fmt.Errorf("ws: Dial: %w", err)
	}
	for k, vs := range header {
		req.Header[k] = vs
	}
	req.Header.Set("Upgrade", "websocket")
	resp, err := (&rt.Transport{}).RoundTrip(req)
	if err != nil {
		return nil, nil, fmt.Errorf("ws: Dial %s: %w", url, err)
	}
	upgrade := resp.Header.Get(abi.WebSocketHeader)
	resp.Header.Del(abi.WebSocketHeader)
	if resp.StatusCode != http.StatusSwitchingProtocols || upgrade == "" {
		resp.Body.Close()
		return nil, resp, fmt.Errorf("%w: %s answered %s", ErrNotWebSocket, url, resp.Status)
	}
	event, _ := rt.EventID(ctx)
	conn, err := rt.EventConn(ctx)
	if err != nil {
		return nil, resp, fmt.Errorf("ws: Dial %s: %w", url, err)
	}
	id, err := rt.Do(conn, abi.OpSocketConnect, &abi.WSConnect{Event: event, Upgrade: upgrade})
	if err != nil {
		return nil, resp, fmt.Errorf("ws: Dial %s: %w", url, err)
	}
	return &Client{id: id, conn: conn}, resp, nil
}

// Send sends m.
func (c *Client) Send(m Message) error {
	req, err := m.toABI(c.id)
	if err == nil {
		_, err = rt.Do(c.conn, abi.OpSocketSend, req)
	}
	if err != nil {
		return fmt.Errorf("ws: send: %w", err)
	}
	return nil
}

// SendText sends a text message.
func (c *Client) SendText(s string) error { return c.Send(TextMessage(s)) }

// SendBinary sends a binary message.
func (c *Client) SendBinary(b []byte) error { return c.Send(BinaryMessage(b)) }

// Receive waits for the next message, until ctx (which must belong to an
// event) is done. Once the socket has closed it returns a *CloseError.
// Messages arrive in order; calls from two goroutines take turns.
func (c *Client) Receive(ctx context.Context) (Message, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	r, err := rt.AwaitOp(ctx, abi.OpSocketReceive, &abi.WSSocket{Socket: c.id})
	if err != nil {
		return Message{}, fmt.Errorf("ws: receive: %w", err)
	}
	if r.Closed != nil {
		return Message{}, &CloseError{Code: r.Closed.Code, Reason: r.Closed.Reason, WasClean: r.Closed.WasClean}
	}
	return messageFromABI(&r.WSMessage), nil
}

// Close closes the socket with code (0 for none) and reason.
func (c *Client) Close(code int, reason string) error {
	if err := checkClose(code, reason); err != nil {
		return err
	}
	if _, err := rt.Do(c.conn, abi.OpSocketClose, &abi.WSClose{Socket: c.id, Code: code, Reason: reason}); err != nil {
		return fmt.Errorf("ws: close: %w", err)
	}
	return nil
}
