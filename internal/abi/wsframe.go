package abi

import "fmt"

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
