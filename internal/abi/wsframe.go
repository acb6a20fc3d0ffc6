package abi

import (
	"encoding/binary"
	"fmt"
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

// WSBroadcastFrame is the request of CallWSBroadcast, laid out as the
// storage layouts are (storagelayout.go: little-endian uint32 lengths and
// counts): one byte of flags (WSFrameText for a text message), the tag's
// length and bytes (no tag: every socket), the number of sockets left out
// and each one's ID as a length and bytes, then the message's bytes to
// the end.
type WSBroadcastFrame []byte

// AppendWSBroadcast appends the broadcast of a message to the sockets with
// tag ("" for all) but those in except.
func AppendWSBroadcast(dst []byte, tag string, except []string, isText bool, data []byte) WSBroadcastFrame {
	size := 9 + len(tag) + len(data)
	for _, id := range except {
		size += 4 + len(id)
	}
	var flags byte
	if isText {
		flags = WSFrameText
	}
	dst = append(grow(dst, size), flags)
	dst = appendLayoutString(dst, tag)
	dst = binary.LittleEndian.AppendUint32(dst, uint32(len(except)))
	for _, id := range except {
		dst = appendLayoutString(dst, id)
	}
	return append(dst, data...)
}

// Parse returns the broadcast's tag, the IDs of the sockets it leaves
// out, whether its message is text, and the message's data, which shares
// the frame's bytes.
func (f WSBroadcastFrame) Parse() (tag string, except []string, isText bool, data []byte, err error) {
	l := layoutReader{b: f, what: "ws.broadcast request"}
	flags := l.take(1)
	tag = string(l.take(l.count(0)))
	if n := l.count(4); n > 0 {
		except = make([]string, n)
		for i := range except {
			except[i] = string(l.take(l.count(0)))
		}
	}
	if l.err != nil {
		return "", nil, false, nil, l.err
	}
	return tag, except, flags[0]&WSFrameText != 0, f[l.i:], nil
}
