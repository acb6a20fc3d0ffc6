package queues

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"unicode/utf8"

	"github.com/vmihailenco/msgpack/v5"
	"github.com/vmihailenco/msgpack/v5/msgpcode"

	"github.com/godurable/godurable/internal/abi"
)

// A JSON message's body crosses to JavaScript as the value that
// JSON.parse gives of what encoding/json marshals (objects with their
// keys in order, numbers, strings, booleans, null), written as an RPC
// value here, so that the runtime's JSON.stringify gives back the same
// text; and a body that is such a value comes back to Go as its JSON
// text, which encoding/json unmarshals. Neither way costs a call into
// JavaScript.

// jsonBody marshals v with encoding/json (HTML characters unescaped, as
// JSON.stringify leaves them) and returns it as an RPC value, with the
// length of the JSON text.
func jsonBody(v any) (msgpack.RawMessage, int, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, 0, fmt.Errorf("%w: %w", ErrBody, err)
	}
	text := bytes.TrimSuffix(buf.Bytes(), []byte{'\n'})
	out, err := jsonToValue(text)
	if err != nil {
		return nil, 0, fmt.Errorf("%w: %w", ErrBody, err)
	}
	return out, len(text), nil
}

// jsonToValue writes the JSON text b (valid, as encoding/json writes it)
// as one MessagePack value.
func jsonToValue(b []byte) ([]byte, error) {
	p := jsonReader{b: b, out: make([]byte, 0, len(b)+8)}
	if err := p.value(0); err != nil {
		return nil, err
	}
	if p.skipSpace(); p.i != len(b) {
		return nil, fmt.Errorf("JSON text after the value at offset %d", p.i)
	}
	return p.out, nil
}

type jsonReader struct {
	b   []byte
	i   int
	out []byte
}

func (p *jsonReader) skipSpace() {
	for p.i < len(p.b) && (p.b[p.i] == ' ' || p.b[p.i] == '\t' || p.b[p.i] == '\n' || p.b[p.i] == '\r') {
		p.i++
	}
}

func (p *jsonReader) value(depth int) error {
	if depth > 10000 {
		return fmt.Errorf("JSON nested too deep")
	}
	p.skipSpace()
	if p.i >= len(p.b) {
		return fmt.Errorf("unexpected end of JSON")
	}
	switch c := p.b[p.i]; {
	case c == '{':
		return p.object(depth)
	case c == '[':
		return p.array(depth)
	case c == '"':
		s, err := p.str()
		if err != nil {
			return err
		}
		p.out = appendScalar(p.out, s)
		return nil
	case c == 't' && bytes.HasPrefix(p.b[p.i:], []byte("true")):
		p.i += 4
		p.out = append(p.out, msgpcode.True)
		return nil
	case c == 'f' && bytes.HasPrefix(p.b[p.i:], []byte("false")):
		p.i += 5
		p.out = append(p.out, msgpcode.False)
		return nil
	case c == 'n' && bytes.HasPrefix(p.b[p.i:], []byte("null")):
		p.i += 4
		p.out = append(p.out, msgpcode.Nil)
		return nil
	case c == '-' || c >= '0' && c <= '9':
		return p.number()
	}
	return fmt.Errorf("unexpected %q in JSON at offset %d", p.b[p.i], p.i)
}

// object writes a map; its length is known only at its end, so the
// entries are written after a placeholder header of five bytes (map32),
// then moved up behind the real one.
func (p *jsonReader) object(depth int) error {
	p.i++ // {
	start := len(p.out)
	p.out = append(p.out, 0, 0, 0, 0, 0)
	n := 0
	for {
		p.skipSpace()
		if p.i < len(p.b) && p.b[p.i] == '}' {
			p.i++
			break
		}
		if n > 0 {
			if p.i >= len(p.b) || p.b[p.i] != ',' {
				return fmt.Errorf("expected , in a JSON object at offset %d", p.i)
			}
			p.i++
			p.skipSpace()
		}
		if p.i >= len(p.b) || p.b[p.i] != '"' {
			return fmt.Errorf("expected a key in a JSON object at offset %d", p.i)
		}
		k, err := p.str()
		if err != nil {
			return err
		}
		p.out = appendScalar(p.out, k)
		p.skipSpace()
		if p.i >= len(p.b) || p.b[p.i] != ':' {
			return fmt.Errorf("expected : in a JSON object at offset %d", p.i)
		}
		p.i++
		if err := p.value(depth + 1); err != nil {
			return err
		}
		n++
	}
	p.out = fixHeader(p.out, start, n, msgpcode.FixedMapLow, 15, msgpcode.Map16, msgpcode.Map32)
	return nil
}

func (p *jsonReader) array(depth int) error {
	p.i++ // [
	start := len(p.out)
	p.out = append(p.out, 0, 0, 0, 0, 0)
	n := 0
	for {
		p.skipSpace()
		if p.i < len(p.b) && p.b[p.i] == ']' {
			p.i++
			break
		}
		if n > 0 {
			if p.i >= len(p.b) || p.b[p.i] != ',' {
				return fmt.Errorf("expected , in a JSON array at offset %d", p.i)
			}
			p.i++
		}
		if err := p.value(depth + 1); err != nil {
			return err
		}
		n++
	}
	p.out = fixHeader(p.out, start, n, msgpcode.FixedArrayLow, 15, msgpcode.Array16, msgpcode.Array32)
	return nil
}

// fixHeader replaces the five-byte placeholder at start with the header of
// a map or an array of n entries, moving what follows it up.
func fixHeader(out []byte, start, n int, fix byte, fixMax int, c16, c32 byte) []byte {
	var h []byte
	switch {
	case n <= fixMax:
		h = []byte{fix | byte(n)}
	case n <= math.MaxUint16:
		h = []byte{c16, byte(n >> 8), byte(n)}
	default:
		h = binary.BigEndian.AppendUint32([]byte{c32}, uint32(n))
	}
	copy(out[start:], h)
	if len(h) < 5 {
		out = append(out[:start+len(h)], out[start+5:]...)
	}
	return out
}

func (p *jsonReader) str() (string, error) {
	start := p.i
	p.i++ // "
	plain := true
	for p.i < len(p.b) {
		switch c := p.b[p.i]; {
		case c == '"':
			p.i++
			if plain {
				return string(p.b[start+1 : p.i-1]), nil
			}
			var s string
			err := json.Unmarshal(p.b[start:p.i], &s)
			return s, err
		case c == '\\':
			plain = false
			p.i += 2
		default:
			p.i++
		}
	}
	return "", fmt.Errorf("unterminated string in JSON")
}

// number writes a JSON number as an integer if it is one that a
// JavaScript number holds exactly, else as a float64, as JSON.parse
// reads it.
func (p *jsonReader) number() error {
	start := p.i
	integral := true
	for p.i < len(p.b) {
		c := p.b[p.i]
		if c == '.' || c == 'e' || c == 'E' {
			integral = false
		} else if !(c == '-' || c == '+' || c >= '0' && c <= '9') {
			break
		}
		p.i++
	}
	lit := string(p.b[start:p.i])
	if integral {
		if n, err := strconv.ParseInt(lit, 10, 64); err == nil && n >= -abi.MaxSafeInteger && n <= abi.MaxSafeInteger {
			p.out = appendScalar(p.out, n)
			return nil
		}
	}
	f, err := strconv.ParseFloat(lit, 64)
	if err != nil && !math.IsInf(f, 0) {
		return fmt.Errorf("bad JSON number %q", lit)
	}
	if f == math.Trunc(f) && math.Abs(f) <= abi.MaxSafeInteger {
		p.out = appendScalar(p.out, int64(f))
		return nil
	}
	p.out = appendScalar(p.out, f)
	return nil
}

// appendScalar appends v, a string, an int64, a float64 or a []byte, as
// an RPC value.
func appendScalar(out []byte, v any) []byte {
	out, _ = abi.AppendScalar(out, v)
	return out
}

func stringBody(s string) msgpack.RawMessage { return appendScalar(nil, s) }

func bytesBody(b []byte) msgpack.RawMessage {
	if b == nil {
		b = []byte{} // bytes, not null
	}
	return appendScalar(nil, b)
}

// valueToJSON writes b, one MessagePack value, as JSON text, and reports
// false if it is not a value JSON has (bytes, a Date or another
// extension, a map with keys that are not strings, NaN or an infinity).
func valueToJSON(b []byte) ([]byte, bool) {
	w := jsonWriter{b: b, out: make([]byte, 0, len(b)+len(b)/4+8)}
	if !w.value(0) || w.i != len(b) {
		return nil, false
	}
	return w.out, true
}

type jsonWriter struct {
	b   []byte
	i   int
	out []byte
}

func (w *jsonWriter) need(n int) ([]byte, bool) {
	if n < 0 || w.i+n > len(w.b) {
		return nil, false
	}
	s := w.b[w.i : w.i+n]
	w.i += n
	return s, true
}

func (w *jsonWriter) uint(n int) (uint64, bool) {
	s, ok := w.need(n)
	if !ok {
		return 0, false
	}
	var v uint64
	for _, c := range s {
		v = v<<8 | uint64(c)
	}
	return v, true
}

func (w *jsonWriter) value(depth int) bool {
	if depth > 10000 {
		return false
	}
	s, ok := w.need(1)
	if !ok {
		return false
	}
	c := s[0]
	switch {
	case c <= msgpcode.PosFixedNumHigh:
		w.out = strconv.AppendInt(w.out, int64(c), 10)
	case c >= msgpcode.NegFixedNumLow:
		w.out = strconv.AppendInt(w.out, int64(int8(c)), 10)
	case c == msgpcode.Nil:
		w.out = append(w.out, "null"...)
	case c == msgpcode.True:
		w.out = append(w.out, "true"...)
	case c == msgpcode.False:
		w.out = append(w.out, "false"...)
	case c == msgpcode.Uint8, c == msgpcode.Uint16, c == msgpcode.Uint32, c == msgpcode.Uint64:
		v, ok := w.uint(1 << (c - msgpcode.Uint8))
		if !ok {
			return false
		}
		w.out = strconv.AppendUint(w.out, v, 10)
	case c == msgpcode.Int8, c == msgpcode.Int16, c == msgpcode.Int32, c == msgpcode.Int64:
		size := 1 << (c - msgpcode.Int8)
		v, ok := w.uint(size)
		if !ok {
			return false
		}
		shift := 64 - 8*size
		w.out = strconv.AppendInt(w.out, int64(v<<shift)>>shift, 10)
	case c == msgpcode.Float:
		v, ok := w.uint(4)
		if !ok {
			return false
		}
		return w.float(float64(math.Float32frombits(uint32(v))))
	case c == msgpcode.Double:
		v, ok := w.uint(8)
		if !ok {
			return false
		}
		return w.float(math.Float64frombits(v))
	case msgpcode.IsFixedString(c):
		return w.str(int(c & msgpcode.FixedStrMask))
	case c == msgpcode.Str8, c == msgpcode.Str16, c == msgpcode.Str32:
		n, ok := w.uint(1 << (c - msgpcode.Str8))
		return ok && w.str(int(n))
	case msgpcode.IsFixedArray(c):
		return w.array(int(c&msgpcode.FixedArrayMask), depth)
	case c == msgpcode.Array16, c == msgpcode.Array32:
		n, ok := w.uint(2 << (c - msgpcode.Array16))
		return ok && w.array(int(n), depth)
	case msgpcode.IsFixedMap(c):
		return w.object(int(c&msgpcode.FixedMapMask), depth)
	case c == msgpcode.Map16, c == msgpcode.Map32:
		n, ok := w.uint(2 << (c - msgpcode.Map16))
		return ok && w.object(int(n), depth)
	default:
		return false // bytes, extensions (a Date, a bigint, a value by reference)
	}
	return true
}

// float writes f as JSON.stringify does for the numbers Go decodes: an
// integral one as its digits, others in the shortest form that reads
// back the same.
func (w *jsonWriter) float(f float64) bool {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return false
	}
	if f == math.Trunc(f) && math.Abs(f) < 1e21 {
		w.out = strconv.AppendFloat(w.out, f, 'f', -1, 64)
		return true
	}
	w.out = strconv.AppendFloat(w.out, f, 'g', -1, 64)
	return true
}

func (w *jsonWriter) str(n int) bool {
	s, ok := w.need(n)
	if !ok {
		return false
	}
	w.out = appendJSONString(w.out, s)
	return true
}

func (w *jsonWriter) array(n, depth int) bool {
	w.out = append(w.out, '[')
	for k := range n {
		if k > 0 {
			w.out = append(w.out, ',')
		}
		if !w.value(depth + 1) {
			return false
		}
	}
	w.out = append(w.out, ']')
	return true
}

func (w *jsonWriter) object(n, depth int) bool {
	w.out = append(w.out, '{')
	for k := range n {
		if k > 0 {
			w.out = append(w.out, ',')
		}
		if w.i >= len(w.b) {
			return false
		}
		c := w.b[w.i]
		if !msgpcode.IsString(c) {
			return false // a key that is not a string
		}
		if !w.value(depth + 1) {
			return false
		}
		w.out = append(w.out, ':')
		if !w.value(depth + 1) {
			return false
		}
	}
	w.out = append(w.out, '}')
	return true
}

// appendJSONString writes s as a JSON string: quotes, backslashes and
// control characters escaped; bytes that are not UTF-8 become U+FFFD, as
// encoding/json reads them.
func appendJSONString(out []byte, s []byte) []byte {
	const hex = "0123456789abcdef"
	out = append(out, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '"' || c == '\\':
				out = append(out, '\\', c)
			case c < 0x20:
				out = append(out, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			default:
				out = append(out, c)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRune(s[i:])
		if r == utf8.RuneError && size == 1 {
			out = append(out, "\ufffd"...)
		} else {
			out = append(out, s[i:i+size]...)
		}
		i += size
	}
	return append(out, '"')
}
