package ws

import (
	"fmt"
	"time"
	"unicode/utf8"

	"github.com/godurable/godurable/internal/abi"
	"github.com/godurable/godurable/internal/rt"
)

// MessageType tells text from binary messages.
type MessageType int

const (
	// Text is a UTF-8 text message (a JavaScript string).
	Text MessageType = 1
	// Binary is a binary message (an ArrayBuffer).
	Binary MessageType = 2
)

func (t MessageType) String() string {
	switch t {
	case Text:
		return "text"
	case Binary:
		return "binary"
	}
	return fmt.Sprintf("MessageType(%d)", int(t))
}

// Message is one WebSocket message.
type Message struct {
	Type MessageType
	Data []byte
}

// Text returns the message's data as a string.
func (m Message) Text() string { return string(m.Data) }

// TextMessage returns a text message.
func TextMessage(s string) Message { return Message{Type: Text, Data: []byte(s)} }

// BinaryMessage returns a binary message.
func BinaryMessage(b []byte) Message { return Message{Type: Binary, Data: b} }

// check refuses a message workerd would: too large, text that is not
// UTF-8, a type of neither kind.
func (m Message) check() error {
	if len(m.Data) > MaxMessageBytes {
		return fmt.Errorf("ws: a message of %d bytes; at most %d", len(m.Data), MaxMessageBytes)
	}
	switch m.Type {
	case Text:
		if !utf8.Valid(m.Data) {
			return fmt.Errorf("ws: a text message that is not UTF-8; send it as Binary")
		}
		return nil
	case Binary:
		return nil
	}
	return fmt.Errorf("ws: a message of type %v", m.Type)
}

// toABI returns the message for an outbound socket's send.
func (m Message) toABI(socket string) (*abi.WSMessage, error) {
	if err := m.check(); err != nil {
		return nil, err
	}
	if m.Type == Text {
		return &abi.WSMessage{Socket: socket, IsText: true, Text: string(m.Data)}, nil
	}
	return &abi.WSMessage{Socket: socket, Binary: m.Data}, nil
}

func messageFromABI(m *abi.WSMessage) Message {
	if m.IsText {
		return Message{Type: Text, Data: []byte(m.Text)}
	}
	return Message{Type: Binary, Data: m.Binary}
}

// ReadyState is a socket's state, as WebSocket.readyState numbers it.
type ReadyState int

const (
	Connecting ReadyState = 0
	Open       ReadyState = 1
	Closing    ReadyState = 2
	Closed     ReadyState = 3
)

func (s ReadyState) String() string {
	switch s {
	case Connecting:
		return "connecting"
	case Open:
		return "open"
	case Closing:
		return "closing"
	case Closed:
		return "closed"
	}
	return fmt.Sprintf("ReadyState(%d)", int(s))
}

// Conn is a hibernatable WebSocket of a Durable Object. Its methods are
// workerd's synchronous socket operations; the ID stays the same across
// hibernation, so that a socket is found again with List.
type Conn struct {
	conn rt.Conn
	id   string
}

// ID returns the socket's ID: the same for the same socket, in every event
// and after hibernation.
func (c *Conn) ID() string { return c.id }

// Send sends m.
func (c *Conn) Send(m Message) error {
	err := m.check()
	if err == nil {
		frame := abi.AppendWSFrame(make([]byte, 0, 2+len(c.id)+len(m.Data)), c.id, m.Type == Text, m.Data)
		_, err = rt.Do(c.conn, abi.OpWSSend, &frame)
	}
	if err != nil {
		return fmt.Errorf("ws: send on %s: %w", c.id, err)
	}
	return nil
}

// SendText sends a text message.
func (c *Conn) SendText(s string) error { return c.Send(TextMessage(s)) }

// SendBinary sends a binary message.
func (c *Conn) SendBinary(b []byte) error { return c.Send(BinaryMessage(b)) }

// Close closes the socket with code (0 for none) and reason, which
// workerd checks: see the package documentation.
func (c *Conn) Close(code int, reason string) error {
	if err := checkClose(code, reason); err != nil {
		return err
	}
	if _, err := rt.Do(c.conn, abi.OpWSClose, &abi.WSClose{Socket: c.id, Code: code, Reason: reason}); err != nil {
		return fmt.Errorf("ws: close of %s: %w", c.id, err)
	}
	attachments.forget(c.conn, c.id)
	return nil
}

func checkClose(code int, reason string) error {
	if code == 0 && reason != "" {
		return fmt.Errorf("ws: a close reason needs a code")
	}
	if code != 0 && (code < 1000 || code >= 5000 || code == 1004 || code == 1005 || code == 1006 || code == 1015) {
		return fmt.Errorf("ws: invalid close code %d: use 1000 to 4999 but 1004, 1005, 1006 and 1015", code)
	}
	if len(reason) > MaxReason {
		return fmt.Errorf("ws: a close reason of %d bytes; at most %d", len(reason), MaxReason)
	}
	return nil
}

// ReadyState returns the socket's state.
func (c *Conn) ReadyState() (ReadyState, error) {
	s, err := rt.Do(c.conn, abi.OpWSReadyState, &abi.WSSocket{Socket: c.id})
	if err != nil {
		return Closed, fmt.Errorf("ws: readyState of %s: %w", c.id, err)
	}
	return ReadyState(s), nil
}

// Tags returns the socket's tags.
func (c *Conn) Tags() ([]string, error) {
	tags, err := rt.Do(c.conn, abi.OpWSTags, &abi.WSSocket{Socket: c.id})
	if err != nil {
		return nil, fmt.Errorf("ws: tags of %s: %w", c.id, err)
	}
	return tags, nil
}

// Attachment decodes the socket's attachment into v and reports whether it
// has one. Attachments survive hibernation.
func (c *Conn) Attachment(v any) (bool, error) {
	raw, kept := attachments.get(c.conn, c.id)
	if !kept {
		got, err := rt.Do(c.conn, abi.OpWSAttachment, &abi.WSSocket{Socket: c.id})
		if err != nil {
			return false, fmt.Errorf("ws: attachment of %s: %w", c.id, err)
		}
		raw = got
		attachments.put(c.conn, c.id, raw)
	}
	if len(raw) == 0 {
		return false, nil
	}
	if err := abi.DecodeValue(raw, v); err != nil {
		return true, fmt.Errorf("ws: decoding the attachment of %s (%s) into %T: %w", c.id, abi.Describe(raw), v, err)
	}
	return true, nil
}

// SetAttachment stores v as the socket's attachment (nil removes it),
// encoded as storage.KV encodes values, in at most MaxAttachmentBytes.
func (c *Conn) SetAttachment(v any) error {
	var raw []byte
	if v != nil {
		var err error
		if raw, err = encodeAttachment(v); err != nil {
			return err
		}
	}
	if _, err := rt.Do(c.conn, abi.OpWSSetAttachment, &abi.WSAttachment{Socket: c.id, Attachment: raw}); err != nil {
		return fmt.Errorf("ws: storing the attachment of %s: %w", c.id, err)
	}
	attachments.put(c.conn, c.id, raw)
	return nil
}

// AutoResponseTime returns when workerd last answered this socket with
// the object's auto-response, and false if it never has.
func (c *Conn) AutoResponseTime() (time.Time, bool, error) {
	ms, err := rt.Do(c.conn, abi.OpWSAutoResponseTime, &abi.WSSocket{Socket: c.id})
	if err != nil {
		return time.Time{}, false, fmt.Errorf("ws: auto-response time of %s: %w", c.id, err)
	}
	if ms == nil {
		return time.Time{}, false, nil
	}
	return time.UnixMilli(int64(*ms)), true, nil
}
