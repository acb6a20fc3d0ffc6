package abi

import (
	"bytes"
	"io"
	"slices"

	"github.com/vmihailenco/msgpack/v5"
	"github.com/vmihailenco/msgpack/v5/msgpcode"
)

// ExtStream is the MessagePack extension type of a stream crossing RPC:
// the result of a method that returns one (an io.Reader, an iter.Seq, an
// iter.Seq2 or a channel), or an io.Reader argument. Its data is a
// StreamRef in MessagePack. Go completes a call with a StreamRef without
// Reader and writes the stream as the event's body (BodyRef{Event}); the
// host hands the caller a ReadableStream. A stream that reaches Go, an
// argument or the result of a call Go made, is a StreamRef whose Reader
// Go reads with AsyncBodyRead, as a request's BodyReader.
const ExtStream int8 = 5

// StreamRef describes a stream in an ExtStream.
type StreamRef struct {
	// Lines reports a stream of values, one JSON value per line (UTF-8,
	// "\n" after each); an error ends it with a line {"error": {"name",
	// "message", "code"}}. Otherwise the stream is of bytes.
	Lines bool `msgpack:"lines,omitempty"`
	// Reader is the host's reader of the stream, for Go to read.
	Reader int32 `msgpack:"reader,omitempty"`
	// Writer is, for an argument of a call Go makes, the stream that Go
	// writes (BodyRef{Event, Writer}, as a request's BodyWriter), which
	// the host passes on as a ReadableStream.
	Writer int32 `msgpack:"writer,omitempty"`
}

// EncodeStream returns the ExtStream value of ref.
func EncodeStream(ref StreamRef) []byte {
	data, err := Marshal(&ref)
	if err != nil {
		panic(err) // two scalars always encode
	}
	out := []byte{msgpcode.Ext8, byte(len(data)), byte(ExtStream)}
	return append(out, data...)
}

// StreamOf reports whether b is one ExtStream value, and its StreamRef.
func StreamOf(b []byte) (StreamRef, bool) {
	var ref StreamRef
	if len(b) < 3 || !msgpcode.IsExt(b[0]) {
		return ref, false
	}
	d := msgpack.NewDecoder(bytes.NewReader(b))
	typ, n, err := d.DecodeExtHeader()
	if err != nil || typ != ExtStream || n > len(b) {
		return ref, false
	}
	data := b[len(b)-n:]
	if err := Unmarshal(data, &ref); err != nil {
		return ref, false
	}
	return ref, true
}

// ReplaceReaders returns the arguments of a call with each io.Reader in
// them replaced by the ExtStream that send makes of it (an io.Reader that
// is not an io.ReadCloser gets a Close that does nothing); args itself is
// copied only if it holds one.
func ReplaceReaders(args []any, send func(io.ReadCloser) ([]byte, error)) ([]any, error) {
	out := args
	for i, a := range args {
		r, ok := a.(io.Reader)
		if !ok {
			continue
		}
		if &out[0] == &args[0] {
			out = slices.Clone(args)
		}
		rc, ok := r.(io.ReadCloser)
		if !ok {
			rc = io.NopCloser(r)
		}
		ext, err := send(rc)
		if err != nil {
			return nil, err
		}
		out[i] = msgpack.RawMessage(ext)
	}
	return out, nil
}
