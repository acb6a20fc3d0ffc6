package abi

import (
	"encoding/binary"
	"fmt"
	"math"

	"github.com/vmihailenco/msgpack/v5"
	"github.com/vmihailenco/msgpack/v5/msgpcode"
)

// Hand-written decoders for the messages that carry HTTP results
// (headers). They read exactly what the reflection-based decoder reads
// (the wire format does not change) in half the time: a Response 2.7 ->
// 1.4 µs natively. (SQL results, decoded so from 13.2 -> 6.4 µs in wasm
// on V8, are now laid out without MessagePack: storagelayout.go.) (A hand-written Event decoder gained under 15%,
// so the envelope keeps the generic one.)

// The key of a KV delete encodes itself (see appender); kv.get, kv.put
// and sql.exec are laid out without MessagePack (storagelayout.go).

func (k *KVKey) appendMsgpack(b []byte) ([]byte, bool) {
	b = grow(b, 16+len(k.Key))
	b = append(b, msgpcode.FixedMapLow|1)
	return appendString(appendString(b, "key"), k.Key), true
}

// grow returns b with room for n more bytes.
func grow(b []byte, n int) []byte {
	if cap(b)-len(b) >= n {
		return b
	}
	return append(make([]byte, 0, len(b)+n), b...)
}

// HTTP messages encode themselves too: a response per fetch event, a
// request per outbound fetch.

func (r *Request) appendMsgpack(b []byte) ([]byte, bool) {
	b = grow(b, 80+len(r.URL)+len(r.Body)+headersSize(r.Headers))
	n := byte(4)
	if r.BodyReader != 0 {
		n++
	}
	if r.BodyWriter != 0 {
		n++
	}
	b = append(b, msgpcode.FixedMapLow|n)
	b = appendString(appendString(b, "method"), r.Method)
	b = appendString(appendString(b, "url"), r.URL)
	b = appendHeaders(appendString(b, "headers"), r.Headers)
	b = appendBytesOrNil(appendString(b, "body"), r.Body)
	if r.BodyReader != 0 {
		b, _ = appendScalar(appendString(b, "bodyReader"), r.BodyReader, false)
	}
	if r.BodyWriter != 0 {
		b, _ = appendScalar(appendString(b, "bodyWriter"), r.BodyWriter, false)
	}
	return b, true
}

func (r *Response) appendMsgpack(b []byte) ([]byte, bool) {
	b = grow(b, 72+len(r.Body)+headersSize(r.Headers))
	n := byte(3)
	if r.Stream {
		n++
	}
	if r.BodyReader != 0 {
		n++
	}
	b = append(b, msgpcode.FixedMapLow|n)
	b = appendCompactInt(appendString(b, "status"), int64(r.Status))
	b = appendHeaders(appendString(b, "headers"), r.Headers)
	b = appendBytesOrNil(appendString(b, "body"), r.Body)
	if r.Stream {
		b = append(appendString(b, "stream"), msgpcode.True)
	}
	if r.BodyReader != 0 {
		b, _ = appendScalar(appendString(b, "bodyReader"), r.BodyReader, false)
	}
	return b, true
}

// A stub's target and calls, once per call to another object.

func (t *StubTarget) appendMsgpack(b []byte) ([]byte, bool) {
	n := 1
	for _, f := range [...]string{t.Name, t.ID, t.Jurisdiction, t.LocationHint} {
		if f != "" {
			n++
		}
	}
	b = grow(b, 64+len(t.Binding)+len(t.Name)+len(t.ID)+len(t.Jurisdiction)+len(t.LocationHint))
	if t.Handle != 0 {
		n++
	}
	if t.Service {
		n++
	}
	b = append(b, msgpcode.FixedMapLow|byte(n))
	if t.Handle != 0 {
		b = binary.BigEndian.AppendUint32(append(appendString(b, "handle"), msgpcode.Uint32), t.Handle)
	}
	if t.Service {
		b = append(appendString(b, "service"), msgpcode.True)
	}
	b = appendString(appendString(b, "binding"), t.Binding)
	if t.Name != "" {
		b = appendString(appendString(b, "name"), t.Name)
	}
	if t.ID != "" {
		b = appendString(appendString(b, "id"), t.ID)
	}
	if t.Jurisdiction != "" {
		b = appendString(appendString(b, "jurisdiction"), t.Jurisdiction)
	}
	if t.LocationHint != "" {
		b = appendString(appendString(b, "locationHint"), t.LocationHint)
	}
	return b, true
}

func (c *StubCall) appendMsgpack(b []byte) ([]byte, bool) {
	if len(c.Args) == 0 {
		return nil, false // encoded as nil by the reflection encoder
	}
	b = grow(b, 96+len(c.Target.Binding)+len(c.Target.Name)+len(c.Target.ID)+len(c.Method)+len(c.Args))
	b = append(b, msgpcode.FixedMapLow|3)
	b, _ = c.Target.appendMsgpack(appendString(b, "target"))
	b = appendString(appendString(b, "method"), c.Method)
	return append(appendString(b, "args"), c.Args...), true
}

func (f *StubFetch) appendMsgpack(b []byte) ([]byte, bool) {
	b = append(b, msgpcode.FixedMapLow|2)
	b, _ = f.Target.appendMsgpack(appendString(b, "target"))
	return f.Request.appendMsgpack(appendString(b, "request"))
}

func headersSize(h [][2]string) int {
	n := 5
	for _, kv := range h {
		n += 11 + len(kv[0]) + len(kv[1])
	}
	return n
}

func appendHeaders(b []byte, h [][2]string) []byte {
	if h == nil {
		return append(b, msgpcode.Nil)
	}
	b = appendArrayLen(b, len(h))
	for _, kv := range h {
		b = appendString(appendString(append(b, msgpcode.FixedArrayLow|2), kv[0]), kv[1])
	}
	return b
}

func appendBytesOrNil(b, v []byte) []byte {
	if v == nil {
		return append(b, msgpcode.Nil)
	}
	return appendBin(b, v)
}

func appendArrayLen(b []byte, n int) []byte {
	switch {
	case n < 16:
		return append(b, msgpcode.FixedArrayLow|byte(n))
	case n <= math.MaxUint16:
		return binary.BigEndian.AppendUint16(append(b, msgpcode.Array16), uint16(n))
	}
	return binary.BigEndian.AppendUint32(append(b, msgpcode.Array32), uint32(n))
}

// DecodeMsgpack implements msgpack.CustomDecoder.
func (r *Request) DecodeMsgpack(dec *msgpack.Decoder) error {
	return decodeMap(dec, "request", func(key string) (err error) {
		switch key {
		case "method":
			r.Method, err = dec.DecodeString()
		case "url":
			r.URL, err = dec.DecodeString()
		case "headers":
			r.Headers, err = decodeHeaders(dec)
		case "body":
			r.Body, err = dec.DecodeBytes()
		case "bodyReader":
			r.BodyReader, err = dec.DecodeInt32()
		case "bodyWriter":
			r.BodyWriter, err = dec.DecodeInt32()
		default:
			err = dec.Skip()
		}
		return err
	})
}

func decodeRequest(dec *msgpack.Decoder) (*Request, error) {
	if isNil(dec) {
		return nil, dec.DecodeNil()
	}
	r := &Request{}
	return r, r.DecodeMsgpack(dec)
}

// DecodeMsgpack implements msgpack.CustomDecoder.
func (r *Response) DecodeMsgpack(dec *msgpack.Decoder) error {
	return decodeMap(dec, "response", func(key string) (err error) {
		switch key {
		case "status":
			r.Status, err = dec.DecodeInt()
		case "headers":
			r.Headers, err = decodeHeaders(dec)
		case "body":
			r.Body, err = dec.DecodeBytes()
		case "stream":
			r.Stream, err = dec.DecodeBool()
		case "bodyReader":
			r.BodyReader, err = dec.DecodeInt32()
		default:
			err = dec.Skip()
		}
		return err
	})
}

// An object's reference and the environment are decoded once per object
// and once per instance, on the way to a cold start's first event: decoded
// by reflection, they were the only messages of that event that needed
// msgpack's struct decoder (about 75 KB of code that V8 compiled on the
// first request; bench/PROFILE.md, "Cold start").

// DecodeMsgpack implements msgpack.CustomDecoder.
func (r *ObjectRef) DecodeMsgpack(dec *msgpack.Decoder) error {
	return decodeMap(dec, "object reference", func(key string) (err error) {
		switch key {
		case "class":
			r.Class, err = dec.DecodeString()
		case "id":
			r.ID, err = dec.DecodeString()
		case "name":
			r.Name, err = dec.DecodeString()
		default:
			err = dec.Skip()
		}
		return err
	})
}

// DecodeMsgpack implements msgpack.CustomDecoder.
func (e *Env) DecodeMsgpack(dec *msgpack.Decoder) error {
	return decodeMap(dec, "environment", func(key string) (err error) {
		switch key {
		case "vars":
			e.Vars, err = dec.DecodeMap()
		case "bindings":
			e.Bindings, err = decodeStringMap(dec)
		default:
			err = dec.Skip()
		}
		return err
	})
}

// decodeStringMap reads a map of strings to strings; nil stays nil.
func decodeStringMap(dec *msgpack.Decoder) (map[string]string, error) {
	n, err := dec.DecodeMapLen()
	if err != nil || n < 0 {
		return nil, err
	}
	m := make(map[string]string, n)
	for range n {
		k, err := dec.DecodeString()
		if err != nil {
			return nil, err
		}
		if m[k], err = dec.DecodeString(); err != nil {
			return nil, err
		}
	}
	return m, nil
}

// decodeMap reads a map with string keys, calling field for each key with
// the decoder at its value. A nil map is an empty one.
func decodeMap(dec *msgpack.Decoder, what string, field func(key string) error) error {
	n, err := dec.DecodeMapLen()
	if err != nil {
		return fmt.Errorf("msgpack: decoding %s: %w", what, err)
	}
	for i := 0; i < n; i++ {
		key, err := dec.DecodeString()
		if err != nil {
			return fmt.Errorf("msgpack: decoding %s: key: %w", what, err)
		}
		if err := field(key); err != nil {
			return fmt.Errorf("msgpack: decoding %s: %s: %w", what, key, err)
		}
	}
	return nil
}

func decodeHeaders(dec *msgpack.Decoder) ([][2]string, error) {
	n, err := dec.DecodeArrayLen()
	if err != nil || n < 0 {
		return nil, err
	}
	out := make([][2]string, n)
	for i := range out {
		m, err := dec.DecodeArrayLen()
		if err != nil {
			return nil, err
		}
		if m != 2 {
			return nil, fmt.Errorf("a header is an array of %d strings, want 2", m)
		}
		if out[i][0], err = dec.DecodeString(); err != nil {
			return nil, err
		}
		if out[i][1], err = dec.DecodeString(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func isNil(dec *msgpack.Decoder) bool {
	c, err := dec.PeekCode()
	return err == nil && c == 0xc0
}

// The request of an attachment read (WSSocket) encodes itself too: its
// reflective encoding ran 30 functions of the library on every chat
// message (a broadcast's request is a WSBroadcastFrame).

func (s *WSSocket) appendMsgpack(b []byte) ([]byte, bool) {
	b = grow(b, 16+len(s.Socket))
	b = append(b, msgpcode.FixedMapLow|1)
	return appendString(appendString(b, "socket"), s.Socket), true
}
