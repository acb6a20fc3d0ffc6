package workerd

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/godurable/godurable/internal/abi"
	"github.com/godurable/godurable/internal/driver"
)

// Hibernatable WebSockets, as workerd's hibernation manager keeps them:
// each object's sockets live outside its JavaScript object (and its Go
// value), with their tags and attachments, so that the object may be
// evicted while they stay open; a message wakes it. The other end of each
// socket is a Peer, which dotest hands to the test.

// Limits, as workerd has them.
const (
	wsMaxTags       = 10
	wsMaxTagBytes   = 256
	wsMaxAttachment = 16 * 1024 // V8-serialized bytes
	wsMaxMessage    = 32 << 20
	wsMaxAuto       = 2048
	wsMaxSockets    = 32768
)

// socket is one hibernatable WebSocket of an object.
type socket struct {
	id   string
	obj  objKey
	tags []string

	mu         sync.Mutex
	attachment []byte // the user's part, nil for none
	state      int    // readyState
	closedOut  bool   // the object called close
	autoAt     *time.Time
	inbox      queue[peerFrame] // from the peer, delivered in order by deliver
	peer       *Peer
}

// peerFrame is what the peer sent: a message or a close; or, with
// neither, the end of the socket's delivery (the Worker restarted).
type peerFrame struct {
	msg   *abi.WSMessage
	close *abi.WSClose
}

// Peer is the client end of a socket.
type Peer struct {
	s      *socket
	frames queue[PeerFrame] // from the object
	mu     sync.Mutex
	closed bool // the peer sent its close
}

// queue is an unbounded FIFO: a socket's sender never waits for its
// reader, as in workerd, where sends are buffered.
type queue[T any] struct {
	mu    sync.Mutex
	items []T
	ready chan struct{} // holds a token while items is not empty
}

func newQueue[T any]() queue[T] { return queue[T]{ready: make(chan struct{}, 1)} }

func (q *queue[T]) push(v T) {
	q.mu.Lock()
	q.items = append(q.items, v)
	q.mu.Unlock()
	select {
	case q.ready <- struct{}{}:
	default:
	}
}

// pop waits for the next item until ctx is done.
func (q *queue[T]) pop(ctx context.Context) (T, error) {
	for {
		q.mu.Lock()
		if len(q.items) > 0 {
			v := q.items[0]
			q.items = q.items[1:]
			if len(q.items) > 0 {
				select {
				case q.ready <- struct{}{}:
				default:
				}
			}
			q.mu.Unlock()
			return v, nil
		}
		q.mu.Unlock()
		select {
		case <-q.ready:
		case <-ctx.Done():
			var zero T
			return zero, ctx.Err()
		}
	}
}

// PeerFrame is what the object sent: a message, or (Close set) a close.
type PeerFrame struct {
	Message *abi.WSMessage
	Close   *abi.WSClose
}

// wsState is the model's state of every object's sockets.
type wsState struct {
	mu       sync.Mutex
	sockets  map[objKey][]*socket // in accept order
	auto     map[objKey]*abi.WSAutoResponse
	timeouts map[objKey]float64
	upgrades map[string]*socket // accepted, not yet returned by a 101
	outbound map[string]*outboundSocket
}

func newWSState() *wsState {
	return &wsState{sockets: map[objKey][]*socket{}, auto: map[objKey]*abi.WSAutoResponse{}, timeouts: map[objKey]float64{},
		upgrades: map[string]*socket{}, outbound: map[string]*outboundSocket{}}
}

func newSocketID() string {
	var b [16]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// attachmentSize is the size of the V8 serialization of the shim's
// attachment (a Uint8Array of the socket ID and the user's bytes), which
// workerd limits: version header, array buffer, view.
func attachmentSize(user int) int {
	n := 16 + user
	return 2 + 1 + varintLen(n) + n + 1 + 1 + 1 + varintLen(n) + 1
}

func varintLen(n int) int {
	l := 1
	for n >= 0x80 {
		n >>= 7
		l++
	}
	return l
}

// socketOf returns the socket id of the object of s.
func (iso *Isolate) socketOf(s *objectStorage, id string) (*socket, error) {
	iso.ws.mu.Lock()
	defer iso.ws.mu.Unlock()
	for _, sock := range iso.ws.sockets[objKey{s.class, s.id}] {
		if sock.id == id {
			return sock, nil
		}
	}
	return nil, NewJSError("Error", fmt.Sprintf("godurable: the object has no WebSocket %s; it has closed", id))
}

func wsSocketOp(f func(iso *Isolate, sock *socket, req []byte) ([]byte, error)) syncOp {
	return func(iso *Isolate, s *objectStorage, req []byte) ([]byte, error) {
		var r abi.WSSocket
		if err := decodeRequest(req, &r); err != nil {
			return nil, err
		}
		sock, err := iso.socketOf(s, r.Socket)
		if err != nil {
			return nil, err
		}
		return f(iso, sock, req)
	}
}

// The model's operations on hibernatable WebSockets, as the shim's
// features/websockets.js.
func init() {
	register(syncOps, map[abi.CallOp]syncOp{
		abi.CallWSAccept: func(iso *Isolate, s *objectStorage, req []byte) ([]byte, error) {
			var r abi.WSAccept
			if err := decodeRequest(req, &r); err != nil {
				return nil, err
			}
			if attachmentSize(len(r.Attachment)) > wsMaxAttachment {
				return nil, NewJSError("Error", fmt.Sprintf("A WebSocket 'attachment' cannot be larger than %d bytes.'attachment' was %d bytes.", wsMaxAttachment, attachmentSize(len(r.Attachment))))
			}
			var tags []string
			for _, t := range r.Tags {
				if len(t) > wsMaxTagBytes {
					return nil, NewJSError("Error", fmt.Sprintf("%q is longer than the max tag length (%d characters).", t, wsMaxTagBytes))
				}
				if !slices.Contains(tags, t) {
					if len(tags) == wsMaxTags {
						return nil, NewJSError("Error", fmt.Sprintf("a Hibernatable WebSocket cannot have more than %d tags", wsMaxTags))
					}
					tags = append(tags, t)
				}
			}
			key := objKey{s.class, s.id}
			sock := &socket{id: newSocketID(), obj: key, tags: tags, attachment: r.Attachment, state: 1, inbox: newQueue[peerFrame]()}
			sock.peer = &Peer{s: sock, frames: newQueue[PeerFrame]()}
			iso.ws.mu.Lock()
			defer iso.ws.mu.Unlock()
			if len(iso.ws.sockets[key]) >= wsMaxSockets {
				return nil, NewJSError("Error", "too many hibernatable WebSockets")
			}
			iso.ws.sockets[key] = append(iso.ws.sockets[key], sock)
			iso.ws.upgrades[sock.id] = sock
			go iso.deliver(sock)
			return jsEncode(sock.id)
		},
		abi.CallWSSend: func(iso *Isolate, s *objectStorage, req []byte) ([]byte, error) {
			id, isText, data, err := abi.WSFrame(req).Parse()
			if err != nil {
				return nil, err
			}
			sock, err := iso.socketOf(s, id)
			if err != nil {
				return nil, err
			}
			m := &abi.WSMessage{Socket: id, IsText: isText}
			if isText {
				m.Text = string(data)
			} else {
				m.Binary = slices.Clone(data)
			}
			return []byte{}, sock.send(m)
		},
		abi.CallWSClose: func(iso *Isolate, s *objectStorage, req []byte) ([]byte, error) {
			var c abi.WSClose
			if err := decodeRequest(req, &c); err != nil {
				return nil, err
			}
			sock, err := iso.socketOf(s, c.Socket)
			if err != nil {
				return nil, err
			}
			return []byte{}, sock.closeFromObject(&c)
		},
		abi.CallWSList: func(iso *Isolate, s *objectStorage, req []byte) ([]byte, error) {
			var l abi.WSList
			if err := decodeRequest(req, &l); err != nil {
				return nil, err
			}
			iso.ws.mu.Lock()
			ids := []any{}
			for _, sock := range iso.ws.sockets[objKey{s.class, s.id}] {
				if l.Tag == "" || slices.Contains(sock.tags, l.Tag) {
					ids = append(ids, sock.id)
				}
			}
			iso.ws.mu.Unlock()
			return jsEncode(ids)
		},
		abi.CallWSBroadcast: func(iso *Isolate, s *objectStorage, req []byte) ([]byte, error) {
			tag, except, isText, data, err := abi.WSBroadcastFrame(req).Parse()
			if err != nil {
				return nil, err
			}
			m := &abi.WSMessage{IsText: isText}
			if isText {
				m.Text = string(data)
			} else {
				m.Binary = slices.Clone(data) // the request's bytes are the guest's
			}
			iso.ws.mu.Lock()
			socks := slices.Clone(iso.ws.sockets[objKey{s.class, s.id}])
			iso.ws.mu.Unlock()
			sent := 0
			for _, sock := range socks {
				if (tag != "" && !slices.Contains(sock.tags, tag)) || slices.Contains(except, sock.id) {
					continue
				}
				if sock.broadcast(m) {
					sent++
				}
			}
			return jsEncode(float64(sent))
		},
		abi.CallWSTags: wsSocketOp(func(iso *Isolate, sock *socket, _ []byte) ([]byte, error) {
			tags := make([]any, len(sock.tags))
			for i, t := range sock.tags {
				tags[i] = t
			}
			return jsEncode(tags)
		}),
		abi.CallWSAttachment: wsSocketOp(func(iso *Isolate, sock *socket, _ []byte) ([]byte, error) {
			sock.mu.Lock()
			defer sock.mu.Unlock()
			return append([]byte{}, sock.attachment...), nil
		}),
		abi.CallWSSetAttachment: func(iso *Isolate, s *objectStorage, req []byte) ([]byte, error) {
			var a abi.WSAttachment
			if err := decodeRequest(req, &a); err != nil {
				return nil, err
			}
			sock, err := iso.socketOf(s, a.Socket)
			if err != nil {
				return nil, err
			}
			if attachmentSize(len(a.Attachment)) > wsMaxAttachment {
				return nil, NewJSError("Error", fmt.Sprintf("A WebSocket 'attachment' cannot be larger than %d bytes.'attachment' was %d bytes.", wsMaxAttachment, attachmentSize(len(a.Attachment))))
			}
			sock.mu.Lock()
			sock.attachment = a.Attachment
			sock.mu.Unlock()
			return []byte{}, nil
		},
		abi.CallWSReadyState: wsSocketOp(func(iso *Isolate, sock *socket, _ []byte) ([]byte, error) {
			sock.mu.Lock()
			defer sock.mu.Unlock()
			return jsEncode(float64(sock.state))
		}),
		abi.CallWSSetAutoResponse: func(iso *Isolate, s *objectStorage, req []byte) ([]byte, error) {
			var p abi.WSAutoResponse
			if err := decodeRequest(req, &p); err != nil {
				return nil, err
			}
			if len(p.Request) > wsMaxAuto || len(p.Response) > wsMaxAuto {
				return nil, NewJSError("RangeError", fmt.Sprintf("Request and response must be at most %d bytes.", wsMaxAuto))
			}
			iso.ws.mu.Lock()
			defer iso.ws.mu.Unlock()
			if p.Request == "" && p.Response == "" {
				delete(iso.ws.auto, objKey{s.class, s.id})
			} else {
				iso.ws.auto[objKey{s.class, s.id}] = &p
			}
			return []byte{}, nil
		},
		abi.CallWSAutoResponse: func(iso *Isolate, s *objectStorage, _ []byte) ([]byte, error) {
			iso.ws.mu.Lock()
			p := iso.ws.auto[objKey{s.class, s.id}]
			iso.ws.mu.Unlock()
			if p == nil {
				return jsEncode(nil)
			}
			o := newJSObject()
			o.set("request", p.Request)
			o.set("response", p.Response)
			return jsEncode(o)
		},
		abi.CallWSAutoResponseTime: wsSocketOp(func(iso *Isolate, sock *socket, _ []byte) ([]byte, error) {
			sock.mu.Lock()
			defer sock.mu.Unlock()
			if sock.autoAt == nil {
				return jsEncode(nil)
			}
			return jsEncode(float64(sock.autoAt.UnixMilli()))
		}),
		abi.CallWSSetEventTimeout: func(iso *Isolate, s *objectStorage, req []byte) ([]byte, error) {
			var ms *float64
			if err := decodeRequest(req, &ms); err != nil {
				return nil, err
			}
			iso.ws.mu.Lock()
			defer iso.ws.mu.Unlock()
			if ms == nil {
				delete(iso.ws.timeouts, objKey{s.class, s.id})
			} else {
				iso.ws.timeouts[objKey{s.class, s.id}] = *ms
			}
			return []byte{}, nil
		},
		abi.CallWSEventTimeout: func(iso *Isolate, s *objectStorage, _ []byte) ([]byte, error) {
			iso.ws.mu.Lock()
			ms, ok := iso.ws.timeouts[objKey{s.class, s.id}]
			iso.ws.mu.Unlock()
			if !ok {
				return jsEncode(nil)
			}
			return jsEncode(ms)
		},
	})
}

// send queues m for the peer, as WebSocket.send does.
func (sock *socket) send(m *abi.WSMessage) error {
	sock.mu.Lock()
	defer sock.mu.Unlock()
	if sock.closedOut {
		return NewJSError("TypeError", "Can't call WebSocket send() after close().")
	}
	if sock.state != 1 {
		return nil // workerd ignores a send after the peer has gone
	}
	sock.peer.frames.push(PeerFrame{Message: m})
	return nil
}

// broadcast sends m if the socket is open (readyState 1), as the shim's
// ws.broadcast does, and reports whether it did.
func (sock *socket) broadcast(m *abi.WSMessage) bool {
	sock.mu.Lock()
	defer sock.mu.Unlock()
	if sock.closedOut || sock.state != 1 {
		return false
	}
	sock.peer.frames.push(PeerFrame{Message: m})
	return true
}

// closeFromObject closes the socket as WebSocket.close does: a close frame
// to the peer, which answers it.
func (sock *socket) closeFromObject(c *abi.WSClose) error {
	if c.Code != 0 && (c.Code < 1000 || c.Code >= 5000 || c.Code == 1004 || c.Code == 1005 || c.Code == 1006 || c.Code == 1015) {
		return NewJSError("InvalidAccessError", fmt.Sprintf("Invalid WebSocket close code: %d.", c.Code))
	}
	if len(c.Reason) > 123 {
		return NewJSError("SyntaxError", "WebSocket close reason must not be longer than 123 bytes when UTF-8 encoded.")
	}
	if c.Reason != "" && c.Code == 0 {
		return NewJSError("InvalidAccessError", "If you specify a WebSocket close reason, you must also specify a code.")
	}
	sock.mu.Lock()
	defer sock.mu.Unlock()
	if sock.closedOut || sock.state == 3 {
		return nil
	}
	sock.closedOut = true
	sock.state = 2
	code := c.Code
	if code == 0 {
		code = 1005
	}
	sock.peer.frames.push(PeerFrame{Close: &abi.WSClose{Code: code, Reason: c.Reason, WasClean: true}})
	// The peer answers at once with the same code and reason, as a browser
	// does; the object's webSocketClose follows.
	go sock.peer.Close(code, c.Reason)
	return nil
}

// deliver hands the peer's frames to the object in order, one event at a
// time, waking the object if it hibernates; an auto-response is answered
// here, without waking it.
func (iso *Isolate) deliver(sock *socket) {
	for {
		f, _ := sock.inbox.pop(context.Background())
		switch {
		case f.msg != nil:
			if resp := iso.autoResponse(sock, f.msg); resp != "" {
				now := iso.cfg.Clock.Now()
				sock.mu.Lock()
				sock.autoAt = &now
				if sock.state == 1 {
					sock.peer.frames.push(PeerFrame{Message: &abi.WSMessage{IsText: true, Text: resp}})
				}
				sock.mu.Unlock()
				continue
			}
			if n := len(f.msg.Text) + len(f.msg.Binary); n > wsMaxMessage {
				reason := fmt.Sprintf("Message is too large: %d > %d", n, wsMaxMessage)
				iso.socketEvent(sock, abi.EventWebSocketError, mustMarshal(&abi.WSError{Socket: sock.id, Error: abi.Error{Name: "Error", Message: reason}}))
				iso.dropSocket(sock, 1009, reason)
				return
			}
			data := f.msg.Binary
			if f.msg.IsText {
				data = []byte(f.msg.Text)
			}
			iso.socketEvent(sock, abi.EventWebSocketMessage, abi.AppendWSFrame(nil, sock.id, f.msg.IsText, data))
		case f.msg == nil && f.close == nil:
			return // the Worker restarted: nothing is delivered any more
		case f.close != nil:
			// The handler runs with the socket closing; then the shim answers
			// the peer's close, unless the handler closed it itself.
			sock.mu.Lock()
			sock.state = 2
			sock.mu.Unlock()
			f.close.Socket = sock.id
			iso.socketEvent(sock, abi.EventWebSocketClose, mustMarshal(f.close))
			sock.mu.Lock()
			if !sock.closedOut {
				sock.closedOut = true
				sock.peer.frames.push(PeerFrame{Close: &abi.WSClose{Code: f.close.Code, Reason: f.close.Reason, WasClean: true}})
			}
			sock.mu.Unlock()
			iso.dropSocket(sock, 0, "")
			return
		}
	}
}

func (iso *Isolate) autoResponse(sock *socket, m *abi.WSMessage) string {
	iso.ws.mu.Lock()
	defer iso.ws.mu.Unlock()
	if p := iso.ws.auto[sock.obj]; p != nil && m.IsText && m.Text == p.Request {
		return p.Response
	}
	return ""
}

// socketEvent delivers one event of sock to its object, if the class
// handles it, and waits for it.
func (iso *Isolate) socketEvent(sock *socket, kind abi.EventKind, payload []byte) {
	info, _ := kind.Info()
	c := iso.class(sock.obj.class)
	if c == nil || !hasCapability(c.Capabilities, info.Name) {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), iso.timeout())
	defer cancel()
	t := Target{Class: sock.obj.class, ID: sock.obj.id}
	if _, err := iso.objectEvent(ctx, t, kind, 0, payload, t.Class+"."+info.Name+"()"); err != nil {
		var ce *driver.CrashError
		if !errors.As(err, &ce) {
			iso.log(fmt.Sprintf("godurable: Uncaught %v", err))
		}
	}
}

// dropSocket removes sock from its object; a non-zero code closes the
// peer's end with it.
func (iso *Isolate) dropSocket(sock *socket, code int, reason string) {
	iso.ws.mu.Lock()
	iso.ws.sockets[sock.obj] = slices.DeleteFunc(iso.ws.sockets[sock.obj], func(s *socket) bool { return s == sock })
	delete(iso.ws.upgrades, sock.id)
	iso.ws.mu.Unlock()
	sock.mu.Lock()
	defer sock.mu.Unlock()
	if code != 0 && sock.state != 3 {
		sock.peer.frames.push(PeerFrame{Close: &abi.WSClose{Code: code, Reason: reason}})
	}
	sock.state = 3
}

// closeAll ends every socket as a restart of workerd does: the process
// that held the connections is gone, so each peer sees its connection
// drop (1006, not clean), no object hears of it, and the objects' socket
// state (auto-responses, event timeouts) goes with them.
func (iso *Isolate) closeAll() {
	iso.ws.mu.Lock()
	var all []*socket
	for _, socks := range iso.ws.sockets {
		all = append(all, socks...)
	}
	for _, s := range iso.ws.upgrades {
		all = append(all, s)
	}
	outbound := iso.ws.outbound
	iso.ws.sockets, iso.ws.upgrades = map[objKey][]*socket{}, map[string]*socket{}
	iso.ws.auto, iso.ws.timeouts = map[objKey]*abi.WSAutoResponse{}, map[objKey]float64{}
	iso.ws.outbound = map[string]*outboundSocket{}
	iso.ws.mu.Unlock()
	for _, sock := range all {
		sock.mu.Lock()
		if sock.state != 3 {
			sock.peer.frames.push(PeerFrame{Close: &abi.WSClose{Code: 1006, Reason: "the Worker restarted", WasClean: false}})
		}
		sock.state = 3
		sock.mu.Unlock()
		sock.inbox.push(peerFrame{}) // its deliver ends
	}
	for _, o := range outbound {
		o.conn.CloseNow()
	}
}

// TakeUpgrade returns the peer of the socket that a 101 response names
// (abi.WebSocketHeader), once.
func (iso *Isolate) TakeUpgrade(id string) (*Peer, bool) {
	iso.ws.mu.Lock()
	defer iso.ws.mu.Unlock()
	sock, ok := iso.ws.upgrades[id]
	delete(iso.ws.upgrades, id)
	if !ok {
		return nil, false
	}
	return sock.peer, true
}

// Send sends a message to the object.
func (p *Peer) Send(m abi.WSMessage) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return errors.New("the WebSocket is closed")
	}
	if m.IsText && !utf8.ValidString(m.Text) {
		return errors.New("a text message must be UTF-8")
	}
	p.s.inbox.push(peerFrame{msg: &m})
	return nil
}

// Close sends the peer's close; the object's reply arrives in Frames.
func (p *Peer) Close(code int, reason string) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return nil
	}
	p.closed = true
	if code == 0 {
		code = 1005
	}
	p.s.inbox.push(peerFrame{close: &abi.WSClose{Code: code, Reason: reason, WasClean: true}})
	return nil
}

// Receive returns the next frame the object sent, in order, waiting until
// ctx is done.
func (p *Peer) Receive(ctx context.Context) (PeerFrame, error) { return p.frames.pop(ctx) }

// ID returns the socket's ID.
func (p *Peer) ID() string { return p.s.id }

// Sockets returns the IDs of the open sockets of the Durable Object of
// class with id, in accept order.
func (iso *Isolate) Sockets(class, id string) []string {
	iso.ws.mu.Lock()
	defer iso.ws.mu.Unlock()
	var ids []string
	for _, s := range iso.ws.sockets[objKey{class, id}] {
		ids = append(ids, s.id)
	}
	return ids
}
