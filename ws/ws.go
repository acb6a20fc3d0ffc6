package ws

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/godurable/godurable/internal/abi"
	"github.com/godurable/godurable/internal/rt"
)

// Limits of workerd's hibernatable WebSockets.
const (
	MaxTags      = 10
	MaxTagBytes  = 256
	MaxReason    = 123 // bytes of a close reason
	MaxAutoBytes = 2048
	// MaxMessageBytes is the largest message workerd sends or receives.
	MaxMessageBytes = 32 << 20
	// MaxAttachmentBytes is the largest attachment, encoded: workerd's
	// 16,384 bytes less what the shim keeps in it (the socket's ID).
	MaxAttachmentBytes = 16384 - 16 - 11
)

// ErrNotWebSocket is returned by Accept and Dial for a request or response
// that is not a WebSocket upgrade: a handler answers it with 426.
var ErrNotWebSocket = errors.New("ws: not a WebSocket upgrade")

// ErrNoObject is returned by Accept and the other functions of hibernatable
// sockets when the context or request belongs to no Durable Object's event.
var ErrNoObject = rt.ErrNoObject

// AcceptOptions adjust Accept.
type AcceptOptions struct {
	// Tags label the socket, for List; duplicates count once.
	Tags []string
	// Attachment is the socket's first attachment; nil for none.
	Attachment any
}

// Accept accepts the WebSocket that r asks for, as workerd's
// ctx.acceptWebSocket does, and answers r with 101: w must not be written
// to otherwise. The object keeps the socket while it hibernates. It returns
// an error wrapping ErrNotWebSocket if r is not an upgrade to a WebSocket,
// and refuses bad tags and attachments without answering r.
func Accept(w http.ResponseWriter, r *http.Request, opts *AcceptOptions) (*Conn, error) {
	if err := IsUpgrade(r); err != nil {
		return nil, err
	}
	var o AcceptOptions
	if opts != nil {
		o = *opts
	}
	if err := checkTags(o.Tags); err != nil {
		return nil, err
	}
	req := abi.WSAccept{Tags: o.Tags}
	if o.Attachment != nil {
		b, err := encodeAttachment(o.Attachment)
		if err != nil {
			return nil, err
		}
		req.Attachment = b
	}
	c, ok := rt.ConnFromContext(r.Context())
	event, inEvent := rt.EventID(r.Context())
	if !ok || !inEvent {
		return nil, fmt.Errorf("ws: Accept: %w", ErrNoObject)
	}
	req.Event = event
	id, err := rt.Do(c, abi.OpWSAccept, &req)
	if err != nil {
		return nil, fmt.Errorf("ws: accepting the WebSocket: %w", err)
	}
	attachments.put(c, id, req.Attachment)
	w.Header().Set(abi.WebSocketHeader, id)
	w.WriteHeader(http.StatusSwitchingProtocols)
	return &Conn{conn: c, id: id}, nil
}

// IsUpgrade returns nil if r asks for a WebSocket (GET with "Upgrade:
// websocket"), else an error wrapping ErrNotWebSocket that says why not.
func IsUpgrade(r *http.Request) error {
	if r.Method != http.MethodGet {
		return fmt.Errorf("%w: the method is %s, not GET", ErrNotWebSocket, r.Method)
	}
	if up := r.Header.Get("Upgrade"); !strings.EqualFold(up, "websocket") {
		return fmt.Errorf("%w: the request has no \"Upgrade: websocket\" header", ErrNotWebSocket)
	}
	return nil
}

func checkTags(tags []string) error {
	distinct := map[string]bool{}
	for _, t := range tags {
		if len(t) > MaxTagBytes {
			return fmt.Errorf("ws: the tag %.40q... is %d bytes, longer than %d", t, len(t), MaxTagBytes)
		}
		distinct[t] = true
	}
	if len(distinct) > MaxTags {
		return fmt.Errorf("ws: %d tags, at most %d", len(distinct), MaxTags)
	}
	return nil
}

func encodeAttachment(v any) ([]byte, error) {
	b, err := abi.EncodeValue(v)
	if err != nil {
		return nil, fmt.Errorf("ws: encoding the attachment %T: %w", v, err)
	}
	if len(b) > MaxAttachmentBytes {
		return nil, fmt.Errorf("ws: the attachment is %d bytes encoded, at most %d", len(b), MaxAttachmentBytes)
	}
	return b, nil
}

// objectConn returns the host operations of the Durable Object whose
// event ctx belongs to.
func objectConn(ctx context.Context, what string) (rt.Conn, error) {
	c, ok := rt.ConnFromContext(ctx)
	if !ok {
		return nil, fmt.Errorf("ws: %s: %w", what, ErrNoObject)
	}
	return c, nil
}

// List returns the sockets of the Durable Object whose event ctx belongs
// to (workerd's ctx.getWebSockets): all of them for tag "", else those
// with the tag. After hibernation it returns the same sockets as before.
func List(ctx context.Context, tag string) ([]*Conn, error) {
	c, err := objectConn(ctx, "List")
	if err != nil {
		return nil, err
	}
	ids, err := rt.Do(c, abi.OpWSList, &abi.WSList{Tag: tag})
	if err != nil {
		return nil, fmt.Errorf("ws: listing the sockets: %w", err)
	}
	out := make([]*Conn, len(ids))
	for i, id := range ids {
		out[i] = &Conn{conn: c, id: id}
	}
	return out, nil
}

// Broadcast sends m to every open socket of the Durable Object whose event
// ctx belongs to (all of them for tag "", else those with the tag), but
// the sockets in except, and returns how many it sent it to. It is one
// host call however many sockets there are: the message's bytes cross
// once, where a loop of Conn.Send crosses them once per socket. A socket
// the object has closed, or whose peer has gone, is skipped, not an error.
func Broadcast(ctx context.Context, m Message, tag string, except ...*Conn) (int, error) {
	c, err := objectConn(ctx, "Broadcast")
	if err != nil {
		return 0, err
	}
	if err := m.check(); err != nil {
		return 0, err
	}
	if len(tag) > MaxTagBytes {
		return 0, nil // no socket has such a tag
	}
	var ids []string
	for _, x := range except {
		if x != nil {
			ids = append(ids, x.id)
		}
	}
	frame := abi.AppendWSBroadcast(nil, tag, ids, m.Type == Text, m.Data)
	n, err := rt.Do(c, abi.OpWSBroadcast, &frame)
	if err != nil {
		return n, fmt.Errorf("ws: broadcast: %w", err)
	}
	return n, nil
}

// SetAutoResponse makes workerd answer the text message request with
// response on every socket of the object, without waking it (a ping, say);
// empty both to stop. Conn.AutoResponseTime tells when a socket was last
// answered.
func SetAutoResponse(ctx context.Context, request, response string) error {
	if len(request) > MaxAutoBytes || len(response) > MaxAutoBytes {
		return fmt.Errorf("ws: an auto-response pair of %d and %d bytes; at most %d each", len(request), len(response), MaxAutoBytes)
	}
	c, err := objectConn(ctx, "SetAutoResponse")
	if err != nil {
		return err
	}
	if _, err := rt.Do(c, abi.OpWSSetAutoResponse, &abi.WSAutoResponse{Request: request, Response: response}); err != nil {
		return fmt.Errorf("ws: setting the auto-response: %w", err)
	}
	return nil
}

// AutoResponse returns the object's auto-response pair, and false if it
// has none.
func AutoResponse(ctx context.Context) (request, response string, ok bool, err error) {
	c, err := objectConn(ctx, "AutoResponse")
	if err != nil {
		return "", "", false, err
	}
	p, err := rt.Do(c, abi.OpWSAutoResponse, nil)
	if err != nil {
		return "", "", false, fmt.Errorf("ws: reading the auto-response: %w", err)
	}
	if p == nil {
		return "", "", false, nil
	}
	return p.Request, p.Response, true, nil
}

// MaxEventTimeout is the longest event timeout workerd allows.
const MaxEventTimeout = 7 * 24 * time.Hour

// SetEventTimeout bounds how long one WebSocket event of the object may
// run (workerd's setHibernatableWebSocketEventTimeout); 0 removes the
// bound.
func SetEventTimeout(ctx context.Context, d time.Duration) error {
	if d < 0 || d > MaxEventTimeout {
		return fmt.Errorf("ws: an event timeout of %v; it must be from 0 to %v", d, MaxEventTimeout)
	}
	c, err := objectConn(ctx, "SetEventTimeout")
	if err != nil {
		return err
	}
	var ms *float64
	if d > 0 {
		v := float64(d.Milliseconds())
		ms = &v
	}
	if _, err := rt.Do(c, abi.OpWSSetEventTimeout, &ms); err != nil {
		return fmt.Errorf("ws: setting the event timeout: %w", err)
	}
	return nil
}

// EventTimeout returns the object's WebSocket event timeout, and false if
// none is set.
func EventTimeout(ctx context.Context) (time.Duration, bool, error) {
	c, err := objectConn(ctx, "EventTimeout")
	if err != nil {
		return 0, false, err
	}
	ms, err := rt.Do(c, abi.OpWSEventTimeout, nil)
	if err != nil {
		return 0, false, fmt.Errorf("ws: reading the event timeout: %w", err)
	}
	if ms == nil {
		return 0, false, nil
	}
	return time.Duration(*ms) * time.Millisecond, true, nil
}
