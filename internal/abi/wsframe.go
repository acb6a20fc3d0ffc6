package abi

import (
	"fmt"
	"slices"
)

// WSFrame is a WebSocket message of a hibernatable socket laid out for the
// boundary without MessagePack: the payload of EventWebSocketMessage and
// the request of CallWSSend. A message's bytes are copied once on their
// way across, and the guest takes an incoming message's data without
// copying it again. The layout: one byte of flags (WSFrameText for a text
// message, whose bytes are UTF-8), one byte n, the socket's ID in n bytes,
// then the message's bytes to the end.
type WSFrame []byte

// WSFrameText is the flag of a text message in a WSFrame.
const WSFrameText = 1

// AppendWSFrame appends the frame of a message on socket to dst.
func AppendWSFrame(dst []byte, socket string, isText bool, data []byte) WSFrame {
	var flags byte
	if isText {
		flags = WSFrameText
	}
	dst = append(dst, flags, byte(len(socket)))
	dst = append(dst, socket...)
	return append(dst, data...)
}

// Parse returns the frame's socket, whether it is text, and its data,
// which shares the frame's bytes.
func (f WSFrame) Parse() (socket string, isText bool, data []byte, err error) {
	if len(f) < 2 || len(f) < 2+int(f[1]) {
		return "", false, nil, fmt.Errorf("%w: a WebSocket frame of %d bytes", ErrMalformed, len(f))
	}
	n := 2 + int(f[1])
	return string(f[2:n]), f[0]&WSFrameText != 0, f[n:], nil
}

// WSBroadcastFrame is the request of CallWSBroadcast laid out without
// MessagePack, as WSFrame is: one byte of flags (WSFrameText for a text
// message), the tag in two bytes of length (big-endian) and its bytes
// (no tag: every socket), the number of sockets left out in two bytes and
// each one's ID in one byte of length and its bytes, then the message's
// bytes to the end.
type WSBroadcastFrame []byte

// MaxBroadcastExcept is the most sockets a WSBroadcastFrame leaves out,
// and MaxBroadcastTag its longest tag, in bytes.
const (
	MaxBroadcastExcept = 1<<16 - 1
	MaxBroadcastTag    = 1<<16 - 1
)

// AppendWSBroadcast appends the broadcast of a message to the sockets with
// tag ("" for all) but those in except. It fails for a tag, a list or an
// ID the layout cannot hold.
func AppendWSBroadcast(dst []byte, tag string, except []string, isText bool, data []byte) (WSBroadcastFrame, error) {
	if len(tag) > MaxBroadcastTag || len(except) > MaxBroadcastExcept {
		return nil, fmt.Errorf("%w: a broadcast to tag of %d bytes leaving out %d sockets", ErrMalformed, len(tag), len(except))
	}
	size := 5 + len(tag) + len(data)
	for _, id := range except {
		if len(id) > 255 {
			return nil, fmt.Errorf("%w: a socket ID of %d bytes", ErrMalformed, len(id))
		}
		size += 1 + len(id)
	}
	var flags byte
	if isText {
		flags = WSFrameText
	}
	dst = slices.Grow(dst, size)
	dst = append(dst, flags, byte(len(tag)>>8), byte(len(tag)))
	dst = append(dst, tag...)
	dst = append(dst, byte(len(except)>>8), byte(len(except)))
	for _, id := range except {
		dst = append(append(dst, byte(len(id))), id...)
	}
	return append(dst, data...), nil
}

// Parse returns the broadcast's tag, the IDs of the sockets it leaves
// out, whether its message is text, and the message's data, which shares
// the frame's bytes.
func (f WSBroadcastFrame) Parse() (tag string, except []string, isText bool, data []byte, err error) {
	bad := func() (string, []string, bool, []byte, error) {
		return "", nil, false, nil, fmt.Errorf("%w: a WebSocket broadcast of %d bytes", ErrMalformed, len(f))
	}
	if len(f) < 3 {
		return bad()
	}
	p := 3 + (int(f[1])<<8 | int(f[2]))
	if len(f) < p+2 {
		return bad()
	}
	tag = string(f[3:p])
	n := int(f[p])<<8 | int(f[p+1])
	p += 2
	for range n {
		if len(f) < p+1 || len(f) < p+1+int(f[p]) {
			return bad()
		}
		except = append(except, string(f[p+1:p+1+int(f[p])]))
		p += 1 + int(f[p])
	}
	return tag, except, f[0]&WSFrameText != 0, f[p:], nil
}
