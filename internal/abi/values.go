package abi

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"reflect"
	"time"

	"github.com/vmihailenco/msgpack/v5"
	"github.com/vmihailenco/msgpack/v5/msgpcode"
)

// Marshal encodes an ABI message.
func Marshal(v any) ([]byte, error) {
	if m, ok := v.(appender); ok {
		if b, ok := m.appendMsgpack(nil); ok {
			return b, nil
		}
	}
	return msgpack.Marshal(v)
}

// An appender is a message that encodes itself, byte for byte as the
// reflection encoder would, when it can; the hot storage requests are.
type appender interface {
	appendMsgpack(b []byte) ([]byte, bool)
}

// Unmarshal decodes an ABI message. Malformed bytes (a length the input
// cannot hold, say) are refused before the decoder allocates anything.
func Unmarshal(b []byte, v any) error {
	if err := CheckJSSafe(b); errors.Is(err, ErrMalformed) {
		return err
	}
	if decodeScalar(b, v) { // a count, a flag, a string: no decoder at all
		return nil
	}
	if d, ok := v.(msgpack.CustomDecoder); ok {
		// The hand-written decoders, called without the decoder's lookup
		// of v's type.
		dec := msgpack.GetDecoder()
		defer msgpack.PutDecoder(dec)
		dec.Reset(bytes.NewReader(b))
		return d.DecodeMsgpack(dec)
	}
	return msgpack.Unmarshal(b, v)
}

// EncodeValue encodes a user value (an RPC argument or result, a stored
// value) as MessagePack the way both Go and JavaScript peers read it:
// integers in their smallest form, and struct fields named by their msgpack
// tag, else their json tag, else their Go name.
func EncodeValue(v any) ([]byte, error) {
	if b, ok := appendScalar(nil, v, true); ok {
		return b, nil
	}
	if list, ok := v.([]any); ok && list != nil {
		if b, ok := appendScalars(list); ok {
			return b, nil
		}
	}
	var buf bytes.Buffer
	enc := msgpack.GetEncoder()
	defer msgpack.PutEncoder(enc)
	enc.Reset(&buf)
	enc.SetCustomStructTag("json")
	enc.UseCompactInts(true)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// DecodeValue decodes a value written by EncodeValue or by a JavaScript
// peer into v, a non-nil pointer. A number with an integral value decodes
// into an integer type, as an integer does: JavaScript has one number
// type, and the shim's encoder writes integers beyond 32 bits as floats.
func DecodeValue(b []byte, v any) (err error) {
	if decodeScalar(b, v) {
		return nil
	}
	b = IntegralFloatsAsInts(b)
	dec := msgpack.GetDecoder()
	defer func() {
		if p := recover(); p != nil {
			// The library may panic instead of failing (it did on a null
			// time.Time, v5.4.1: timevalue.go): an error that names the
			// type, and the decoder is not reused.
			err = fmt.Errorf("decoding into %T: %v", v, p)
			return
		}
		msgpack.PutDecoder(dec)
	}()
	r := bytes.NewReader(b)
	dec.Reset(r)
	dec.SetCustomStructTag("json")
	if p, ok := v.(*time.Time); ok { // past Decode's own case for it, to timevalue.go's decoder
		err = dec.DecodeValue(reflect.ValueOf(p).Elem())
	} else {
		err = dec.Decode(v)
	}
	if err != nil {
		return err
	}
	if r.Len() > 0 {
		return fmt.Errorf("%w: %d bytes after the value", ErrTrailing, r.Len())
	}
	return nil
}

// ErrTrailing reports bytes after a MessagePack value: they are not one
// value (a value JavaScript stored as binary, say, read as MessagePack).
var ErrTrailing = errors.New("not one MessagePack value")

// MaxSafeInteger is JavaScript's Number.MAX_SAFE_INTEGER, 2^53-1: the
// largest integer a JS number holds exactly.
const MaxSafeInteger = 1<<53 - 1

// ErrUnsafeInteger reports an integer that a JavaScript number cannot hold
// exactly.
var ErrUnsafeInteger = errors.New("integer outside JavaScript's safe range ±(2^53-1)")

// ErrMalformed reports MessagePack bytes that do not form one whole value.
var ErrMalformed = errors.New("malformed MessagePack")

// CheckJSSafe walks one MessagePack value and reports, wrapping
// ErrUnsafeInteger, the first integer beyond ±(2^53-1), or ErrMalformed if b
// is not exactly one well-formed value.
func CheckJSSafe(b []byte) error {
	return walk(walker{b: b, safeInts: true})
}

// ErrStubNotStorable is the error of a value to store that holds a Durable
// Object stub (ExtStub): the stub lives only as long as the Go instance.
var ErrStubNotStorable = errors.New("a Durable Object stub cannot be stored: store the object's name or ID, and get its stub from the namespace")

// CheckStorable walks one MessagePack value to store and reports
// ErrStubNotStorable if it holds a Durable Object stub, or ErrMalformed if
// b is not exactly one well-formed value. Integers of any size are fine.
func CheckStorable(b []byte) error {
	return walk(walker{b: b, noStubs: true})
}

func walk(w walker) error {
	if err := w.value(0); err != nil {
		return err
	}
	if w.i != len(w.b) {
		return fmt.Errorf("%w: %d bytes after the value", ErrMalformed, len(w.b)-w.i)
	}
	return nil
}

// ArrayItems returns the items of b, which must be exactly one MessagePack
// array, as slices of b; an empty b, or nil, is an empty array.
func ArrayItems(b []byte) ([][]byte, error) {
	if len(b) == 0 || len(b) == 1 && b[0] == msgpcode.Nil {
		return nil, nil
	}
	w := walker{b: b, i: 1}
	var n uint64
	var err error
	switch c := b[0]; {
	case msgpcode.IsFixedArray(c):
		n = uint64(c & msgpcode.FixedArrayMask)
	case c == msgpcode.Array16:
		n, err = w.uint(2)
	case c == msgpcode.Array32:
		n, err = w.uint(4)
	default:
		return nil, fmt.Errorf("not an array but %s", Describe(b))
	}
	if err != nil {
		return nil, err
	}
	if n > uint64(len(b)-w.i) { // every item takes at least one byte
		return nil, fmt.Errorf("%w: %d items in %d bytes", ErrMalformed, n, len(b)-w.i)
	}
	items := make([][]byte, n)
	for i := range items {
		start := w.i
		if err := w.value(1); err != nil {
			return nil, err
		}
		items[i] = b[start:w.i:w.i]
	}
	if w.i != len(b) {
		return nil, fmt.Errorf("%w: %d bytes after the array", ErrMalformed, len(b)-w.i)
	}
	return items, nil
}

// Describe names the JavaScript-level kind of the MessagePack value that b
// starts with ("a string", "a number", ...), for error messages.
func Describe(b []byte) string {
	if len(b) == 0 {
		return "nothing"
	}
	c := b[0]
	switch {
	case c == msgpcode.Nil:
		return "null"
	case c == msgpcode.True || c == msgpcode.False:
		return "a boolean"
	case msgpcode.IsFixedNum(c), c >= msgpcode.Uint8 && c <= msgpcode.Int64:
		return "an integer"
	case c == msgpcode.Float || c == msgpcode.Double:
		return "a number with a fraction"
	case msgpcode.IsFixedString(c), c == msgpcode.Str8, c == msgpcode.Str16, c == msgpcode.Str32:
		return "a string"
	case c == msgpcode.Bin8 || c == msgpcode.Bin16 || c == msgpcode.Bin32:
		return "bytes"
	case msgpcode.IsFixedArray(c), c == msgpcode.Array16, c == msgpcode.Array32:
		return "an array"
	case msgpcode.IsFixedMap(c), c == msgpcode.Map16, c == msgpcode.Map32:
		return "an object"
	case msgpcode.IsExt(c):
		return "an extension value"
	}
	return "an unknown value"
}

// maxDepth bounds nesting so that hostile input cannot exhaust the stack.
const maxDepth = 512

type walker struct {
	b []byte
	i int
	// safeInts refuses integers beyond ±(2^53-1); noStubs refuses ExtStub.
	safeInts, noStubs bool
}

func (w *walker) need(n int) ([]byte, error) {
	if n < 0 || len(w.b)-w.i < n {
		return nil, fmt.Errorf("%w: truncated at byte %d", ErrMalformed, w.i)
	}
	s := w.b[w.i : w.i+n]
	w.i += n
	return s, nil
}

func (w *walker) uint(n int) (uint64, error) {
	s, err := w.need(n)
	if err != nil {
		return 0, err
	}
	switch n {
	case 1:
		return uint64(s[0]), nil
	case 2:
		return uint64(binary.BigEndian.Uint16(s)), nil
	case 4:
		return uint64(binary.BigEndian.Uint32(s)), nil
	default:
		return binary.BigEndian.Uint64(s), nil
	}
}

func (w *walker) skip(lenBytes int) error {
	n, err := w.uint(lenBytes)
	if err != nil {
		return err
	}
	if n > uint64(len(w.b)) {
		return fmt.Errorf("%w: length %d beyond the input", ErrMalformed, n)
	}
	_, err = w.need(int(n))
	return err
}

func (w *walker) items(n uint64, depth int) error {
	if n > uint64(len(w.b)-w.i) { // every item takes at least one byte
		return fmt.Errorf("%w: %d items cannot fit in the input", ErrMalformed, n)
	}
	for k := uint64(0); k < n; k++ {
		if err := w.value(depth + 1); err != nil {
			return err
		}
	}
	return nil
}

func (w *walker) value(depth int) error {
	if depth > maxDepth {
		return fmt.Errorf("%w: nested deeper than %d", ErrMalformed, maxDepth)
	}
	s, err := w.need(1)
	if err != nil {
		return err
	}
	c := s[0]
	switch {
	case msgpcode.IsFixedNum(c), c == msgpcode.Nil, c == msgpcode.True, c == msgpcode.False:
		return nil
	case msgpcode.IsFixedString(c):
		_, err := w.need(int(c & msgpcode.FixedStrMask))
		return err
	case msgpcode.IsFixedArray(c):
		return w.items(uint64(c&msgpcode.FixedArrayMask), depth)
	case msgpcode.IsFixedMap(c):
		return w.items(2*uint64(c&msgpcode.FixedMapMask), depth)
	}
	switch c {
	case msgpcode.Uint8, msgpcode.Int8:
		_, err = w.need(1)
	case msgpcode.Uint16, msgpcode.Int16:
		_, err = w.need(2)
	case msgpcode.Uint32, msgpcode.Int32, msgpcode.Float:
		_, err = w.need(4)
	case msgpcode.Double:
		_, err = w.need(8)
	case msgpcode.Uint64:
		var n uint64
		if n, err = w.uint(8); err == nil && w.safeInts && n > MaxSafeInteger {
			err = fmt.Errorf("%w: %d", ErrUnsafeInteger, n)
		}
	case msgpcode.Int64:
		var n uint64
		if n, err = w.uint(8); err == nil && w.safeInts {
			if v := int64(n); v > MaxSafeInteger || v < -MaxSafeInteger {
				err = fmt.Errorf("%w: %d", ErrUnsafeInteger, v)
			}
		}
	case msgpcode.Str8, msgpcode.Bin8:
		err = w.skip(1)
	case msgpcode.Str16, msgpcode.Bin16:
		err = w.skip(2)
	case msgpcode.Str32, msgpcode.Bin32:
		err = w.skip(4)
	case msgpcode.Array16, msgpcode.Array32, msgpcode.Map16, msgpcode.Map32:
		size := 2
		if c == msgpcode.Array32 || c == msgpcode.Map32 {
			size = 4
		}
		var n uint64
		if n, err = w.uint(size); err == nil {
			if c == msgpcode.Map16 || c == msgpcode.Map32 {
				n *= 2
			}
			err = w.items(n, depth)
		}
	case msgpcode.FixExt1, msgpcode.FixExt2, msgpcode.FixExt4, msgpcode.FixExt8, msgpcode.FixExt16:
		err = w.ext(1 << (c - msgpcode.FixExt1))
	case msgpcode.Ext8, msgpcode.Ext16, msgpcode.Ext32:
		var n uint64
		if n, err = w.uint(1 << (c - msgpcode.Ext8)); err == nil {
			if n > math.MaxInt32 {
				return fmt.Errorf("%w: extension of %d bytes", ErrMalformed, n)
			}
			err = w.ext(int(n))
		}
	default:
		err = fmt.Errorf("%w: unknown code 0x%02x at byte %d", ErrMalformed, c, w.i-1)
	}
	return err
}

// ext walks an extension's type and its n bytes of data.
func (w *walker) ext(n int) error {
	s, err := w.need(1 + n)
	if err == nil && w.noStubs && int8(s[0]) == ExtStub {
		return ErrStubNotStorable
	}
	return err
}

// IntegralFloatsAsInts returns b with every 64-bit float that holds an
// integer within ±(2^53-1) written as that integer, or b itself if it has
// none (or is not one well-formed value).
func IntegralFloatsAsInts(b []byte) []byte {
	if bytes.IndexByte(b, msgpcode.Double) < 0 {
		return b // no float64 can be in it
	}
	w := walker{b: b}
	var out []byte
	if err := w.rewrite(&out, 0); err != nil || out == nil || w.i != len(b) {
		return b
	}
	return out
}

// rewrite copies one value from the walker to *out, rewriting integral
// floats. *out stays nil until the first rewrite, so that b is copied
// only when it changes.
func (w *walker) rewrite(out *[]byte, depth int) error {
	start := w.i
	if depth > maxDepth || start >= len(w.b) {
		return ErrMalformed
	}
	c := w.b[start]
	var n uint64 // items of a container
	switch {
	case msgpcode.IsFixedArray(c):
		n, w.i = uint64(c&msgpcode.FixedArrayMask), start+1
	case msgpcode.IsFixedMap(c):
		n, w.i = 2*uint64(c&msgpcode.FixedMapMask), start+1
	case c == msgpcode.Array16 || c == msgpcode.Map16 || c == msgpcode.Array32 || c == msgpcode.Map32:
		w.i++
		size := 2
		if c == msgpcode.Array32 || c == msgpcode.Map32 {
			size = 4
		}
		var err error
		if n, err = w.uint(size); err != nil {
			return err
		}
		if c == msgpcode.Map16 || c == msgpcode.Map32 {
			n *= 2
		}
	case c == msgpcode.Double && start+9 <= len(w.b):
		f := math.Float64frombits(binary.BigEndian.Uint64(w.b[start+1 : start+9]))
		w.i = start + 9
		if f == math.Trunc(f) && math.Abs(f) <= MaxSafeInteger {
			if *out == nil {
				*out = append(make([]byte, 0, len(w.b)), w.b[:start]...)
			}
			*out = appendInt(*out, int64(f))
			return nil
		}
		w.copyTo(out, start)
		return nil
	default:
		if err := w.value(depth); err != nil {
			return err
		}
		w.copyTo(out, start)
		return nil
	}
	if n > uint64(len(w.b)-w.i) {
		return ErrMalformed
	}
	w.copyTo(out, start) // the container's header
	for k := uint64(0); k < n; k++ {
		if err := w.rewrite(out, depth+1); err != nil {
			return err
		}
	}
	return nil
}

// copyTo appends the bytes from start to the walker's position to *out,
// once there is an *out.
func (w *walker) copyTo(out *[]byte, start int) {
	if *out != nil {
		*out = append(*out, w.b[start:w.i]...)
	}
}

// appendInt appends n in MessagePack's smallest integer form.
func appendInt(b []byte, n int64) []byte {
	switch {
	case n >= 0 && n <= 127, n < 0 && n >= -32:
		return append(b, byte(n))
	case n >= math.MinInt32 && n <= math.MaxInt32:
		return binary.BigEndian.AppendUint32(append(b, msgpcode.Int32), uint32(int32(n)))
	default:
		return binary.BigEndian.AppendUint64(append(b, msgpcode.Int64), uint64(n))
	}
}
