package workerd

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"math/big"
	"sort"
	"strconv"
	"time"

	"github.com/godurable/godurable/internal/abi"
	"github.com/godurable/godurable/internal/driver"
)

// This file models the JavaScript values that the shim handles. The shim
// decodes what Go sends with @msgpack/msgpack (numbers become float64,
// maps become objects with string keys), hands the values to workerd (RPC,
// storage, fetch), and encodes what comes back with an Encoder whose
// useBigInt64 is set. Going through the same model here makes the host
// give the guest the bytes the shim would.

// jsUndefined is JavaScript's undefined.
type jsUndefined struct{}

// jsObject is a plain JavaScript object: string keys in JavaScript's
// property order (integer indices ascending first, then insertion order).
type jsObject struct {
	keys []string
	vals map[string]any
}

func newJSObject() *jsObject { return &jsObject{vals: map[string]any{}} }

func (o *jsObject) set(k string, v any) {
	if _, ok := o.vals[k]; !ok {
		o.keys = append(o.keys, k)
	}
	o.vals[k] = v
}

func (o *jsObject) get(k string) (any, bool) {
	v, ok := o.vals[k]
	return v, ok
}

// orderedKeys returns the keys as Object.keys would.
func (o *jsObject) orderedKeys() []string {
	var idx []string
	var rest []string
	for _, k := range o.keys {
		if isArrayIndex(k) {
			idx = append(idx, k)
		} else {
			rest = append(rest, k)
		}
	}
	if len(idx) == 0 {
		return o.keys
	}
	sort.Slice(idx, func(i, j int) bool {
		a, _ := strconv.ParseUint(idx[i], 10, 32)
		b, _ := strconv.ParseUint(idx[j], 10, 32)
		return a < b
	})
	return append(idx, rest...)
}

// isArrayIndex reports whether k is a canonical array index (0 .. 2^32-2).
func isArrayIndex(k string) bool {
	if k == "" || len(k) > 10 || (len(k) > 1 && k[0] == '0') {
		return false
	}
	n, err := strconv.ParseUint(k, 10, 64)
	return err == nil && n < math.MaxUint32
}

// jsExt is an msgpack extension value the decoder does not know (ExtData).
type jsExt struct {
	typ  int8
	data []byte
}

// jsDate is a Date, decoded from the timestamp extension (-1).
type jsDate struct{ ms float64 }

var errJSDecode = errors.New("DecodeError")

// jsDecodeLimit bounds nesting like the shim's decoder would, so that
// hostile input cannot exhaust the stack.
const jsMaxDepth = 100

// jsDecode decodes one MessagePack value as @msgpack/msgpack's Decoder does.
func jsDecode(b []byte) (any, error) { return jsDecodeFrom(b, nil, false) }

// jsDecodeFrom is jsDecode with the decoder's stub side and exactness.
func jsDecodeFrom(b []byte, stubs stubSide, exact bool) (any, error) {
	d := jsDecoder{b: b, stubs: stubs, exact: exact}
	v, err := d.value(0)
	if err != nil {
		return nil, err
	}
	if d.i != len(b) {
		return nil, fmt.Errorf("%w: Extra %d of %d byte(s) found at buffer[%d]", errJSDecode, len(b)-d.i, len(b), d.i)
	}
	return v, nil
}

type jsDecoder struct {
	b []byte
	i int
	// stubs is the side whose stubs an abi.ExtStub names; without one,
	// it is an extension the decoder does not know.
	stubs stubSide
	// exact decodes 64-bit integers as bigints (useBigInt64).
	exact bool
}

func (d *jsDecoder) need(n int) ([]byte, error) {
	if n < 0 || len(d.b)-d.i < n {
		return nil, fmt.Errorf("%w: Insufficient data", errJSDecode)
	}
	s := d.b[d.i : d.i+n]
	d.i += n
	return s, nil
}

func (d *jsDecoder) uint(n int) (uint64, error) {
	s, err := d.need(n)
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
	}
	return binary.BigEndian.Uint64(s), nil
}

func (d *jsDecoder) str(n uint64) (any, error) {
	s, err := d.need(int(min(n, math.MaxInt32)))
	if err != nil {
		return nil, err
	}
	return driver.DecodeUTF8(s), nil
}

func (d *jsDecoder) bin(n uint64) (any, error) {
	s, err := d.need(int(min(n, math.MaxInt32)))
	if err != nil {
		return nil, err
	}
	return append([]byte{}, s...), nil
}

func (d *jsDecoder) array(n uint64, depth int) (any, error) {
	if n > uint64(len(d.b)-d.i) {
		return nil, fmt.Errorf("%w: Insufficient data", errJSDecode)
	}
	out := make([]any, 0, n)
	for k := uint64(0); k < n; k++ {
		v, err := d.value(depth + 1)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}

func (d *jsDecoder) object(n uint64, depth int) (any, error) {
	if n > uint64(len(d.b)-d.i) {
		return nil, fmt.Errorf("%w: Insufficient data", errJSDecode)
	}
	o := newJSObject()
	for k := uint64(0); k < n; k++ {
		kv, err := d.value(depth + 1)
		if err != nil {
			return nil, err
		}
		var key string
		switch x := kv.(type) {
		case string:
			if x == "__proto__" {
				return nil, fmt.Errorf("%w: The key __proto__ is not allowed", errJSDecode)
			}
			key = x
		case float64:
			key = jsNumberString(x)
		default:
			return nil, fmt.Errorf("%w: The type of key must be string or number but %s", errJSDecode, jsTypeof(kv))
		}
		v, err := d.value(depth + 1)
		if err != nil {
			return nil, err
		}
		o.set(key, v)
	}
	return o, nil
}

func (d *jsDecoder) ext(n uint64) (any, error) {
	t, err := d.need(1)
	if err != nil {
		return nil, err
	}
	data, err := d.need(int(min(n, math.MaxInt32)))
	if err != nil {
		return nil, err
	}
	typ := int8(t[0])
	switch typ {
	case -1:
		return decodeTimestamp(data)
	case abi.ExtBigInt: // the shim's extension codec: BigInt(digits)
		if z, ok := new(big.Int).SetString(string(data), 10); ok {
			return jsBigInt{z}, nil
		}
		return nil, fmt.Errorf("%w: Cannot convert %s to a BigInt", errJSDecode, data)
	case abi.ExtHeaders, abi.ExtRequest, abi.ExtResponse:
		return fetchValue(typ, data)
	case abi.ExtStub:
		if d.stubs == nil {
			break
		}
		var t abi.StubTarget
		if err := abi.Unmarshal(data, &t); err != nil {
			return nil, fmt.Errorf("%w: a stub: %v", errJSDecode, err)
		}
		return d.stubs.stubOf(t)
	case abi.ExtJSValue:
		if d.stubs == nil {
			break
		}
		var h uint32
		if err := abi.Unmarshal(data, &h); err != nil {
			return nil, fmt.Errorf("%w: a value by reference: %v", errJSDecode, err)
		}
		v, err := d.stubs.valueOf(h)
		if r, ok := v.(jsRef); ok {
			return r.v, err // a plain value Go held by reference is itself again
		}
		return v, err
	}
	return jsExt{typ: typ, data: append([]byte{}, data...)}, nil
}

func decodeTimestamp(b []byte) (any, error) {
	var sec int64
	var nsec uint32
	switch len(b) {
	case 4:
		sec = int64(binary.BigEndian.Uint32(b))
	case 8:
		v := binary.BigEndian.Uint64(b)
		nsec = uint32(v >> 34)
		sec = int64(v & (1<<34 - 1))
	case 12:
		nsec = binary.BigEndian.Uint32(b)
		sec = int64(binary.BigEndian.Uint64(b[4:]))
	default:
		return nil, fmt.Errorf("%w: Unrecognized data size for timestamp (expected 4, 8, or 12): %d", errJSDecode, len(b))
	}
	return jsDate{ms: float64(sec)*1e3 + float64(nsec/1e6)}, nil
}

func (d *jsDecoder) value(depth int) (any, error) {
	if depth > jsMaxDepth {
		return nil, fmt.Errorf("%w: nested too deeply", errJSDecode)
	}
	s, err := d.need(1)
	if err != nil {
		return nil, err
	}
	c := s[0]
	switch {
	case c <= 0x7f:
		return float64(c), nil
	case c >= 0xe0:
		return float64(int8(c)), nil
	case c >= 0x80 && c <= 0x8f:
		return d.object(uint64(c&0x0f), depth)
	case c >= 0x90 && c <= 0x9f:
		return d.array(uint64(c&0x0f), depth)
	case c >= 0xa0 && c <= 0xbf:
		return d.str(uint64(c & 0x1f))
	}
	switch c {
	case 0xc0:
		return nil, nil
	case 0xc2:
		return false, nil
	case 0xc3:
		return true, nil
	case 0xca:
		n, err := d.uint(4)
		return float64(math.Float32frombits(uint32(n))), err
	case 0xcb:
		n, err := d.uint(8)
		return math.Float64frombits(n), err
	case 0xcc, 0xcd, 0xce, 0xcf:
		n, err := d.uint(1 << (c - 0xcc))
		if c == 0xcf && d.exact && err == nil {
			return jsBigInt{new(big.Int).SetUint64(n)}, nil
		}
		return float64(n), err
	case 0xd0, 0xd1, 0xd2, 0xd3:
		size := 1 << (c - 0xd0)
		n, err := d.uint(size)
		if err != nil {
			return nil, err
		}
		switch size {
		case 1:
			return float64(int8(n)), nil
		case 2:
			return float64(int16(n)), nil
		case 4:
			return float64(int32(n)), nil
		}
		if d.exact {
			return jsBigInt{big.NewInt(int64(n))}, nil
		}
		return float64(int64(n)), nil
	case 0xd9, 0xda, 0xdb:
		n, err := d.uint(1 << (c - 0xd9))
		if err != nil {
			return nil, err
		}
		return d.str(n)
	case 0xc4, 0xc5, 0xc6:
		n, err := d.uint(1 << (c - 0xc4))
		if err != nil {
			return nil, err
		}
		return d.bin(n)
	case 0xdc, 0xdd:
		n, err := d.uint(2 << (c - 0xdc))
		if err != nil {
			return nil, err
		}
		return d.array(n, depth)
	case 0xde, 0xdf:
		n, err := d.uint(2 << (c - 0xde))
		if err != nil {
			return nil, err
		}
		return d.object(n, depth)
	case 0xd4, 0xd5, 0xd6, 0xd7, 0xd8:
		return d.ext(1 << (c - 0xd4))
	case 0xc7, 0xc8, 0xc9:
		n, err := d.uint(1 << (c - 0xc7))
		if err != nil {
			return nil, err
		}
		return d.ext(n)
	}
	return nil, fmt.Errorf("%w: Unrecognized type byte: 0x%02x", errJSDecode, c)
}

func jsTypeof(v any) string {
	switch v.(type) {
	case nil:
		return "object"
	case bool:
		return "boolean"
	case float64:
		return "number"
	case string:
		return "string"
	case jsUndefined:
		return "undefined"
	case jsBigInt:
		return "bigint"
	}
	return "object"
}

// jsNumberString formats a number as JavaScript's String(n) does.
func jsNumberString(f float64) string {
	switch {
	case math.IsNaN(f):
		return "NaN"
	case math.IsInf(f, 1):
		return "Infinity"
	case math.IsInf(f, -1):
		return "-Infinity"
	case f == 0:
		return "0"
	}
	abs := math.Abs(f)
	if abs >= 1e21 || abs < 1e-6 {
		s := strconv.FormatFloat(f, 'e', -1, 64)
		// Go writes e+21 / e-07; JavaScript writes e+21 / e-7.
		mant, exp, _ := cutByte(s, 'e')
		sign := exp[0]
		digits := exp[1:]
		for len(digits) > 1 && digits[0] == '0' {
			digits = digits[1:]
		}
		return mant + "e" + string(sign) + digits
	}
	return strconv.FormatFloat(f, 'f', -1, 64)
}

func cutByte(s string, c byte) (string, string, bool) {
	for i := 0; i < len(s); i++ {
		if s[i] == c {
			return s[:i], s[i+1:], true
		}
	}
	return s, "", false
}

// jsEncode encodes a JavaScript value as the shim's Encoder (useBigInt64)
// does.
func jsEncode(v any) ([]byte, error) { return jsEncodeFor(v, nil) }

// jsEncodeFor is jsEncode with the encoder's stub side.
func jsEncodeFor(v any, stubs stubSide) ([]byte, error) {
	e := jsEncoder{stubs: stubs}
	if err := e.value(v, 0); err != nil {
		return nil, err
	}
	return e.b, nil
}

type jsEncoder struct {
	b     []byte
	stubs stubSide // the side that the stubs are kept for
}

func (e *jsEncoder) u8(c byte) { e.b = append(e.b, c) }

func (e *jsEncoder) be(n uint64, size int) {
	for k := size - 1; k >= 0; k-- {
		e.b = append(e.b, byte(n>>(8*k)))
	}
}

func (e *jsEncoder) number(f float64) {
	if f == math.Trunc(f) && math.Abs(f) <= maxSafeInteger {
		if f >= 0 {
			n := uint64(f)
			switch {
			case n < 0x80:
				e.u8(byte(n))
			case n < 0x100:
				e.u8(0xcc)
				e.be(n, 1)
			case n < 0x10000:
				e.u8(0xcd)
				e.be(n, 2)
			case n < 0x100000000:
				e.u8(0xce)
				e.be(n, 4)
			default: // beyond 32 bits: useBigInt64 makes it a float
				e.float(f)
			}
			return
		}
		n := int64(f)
		switch {
		case n >= -0x20:
			e.u8(byte(0xe0 | (n + 0x20)))
		case n >= -0x80:
			e.u8(0xd0)
			e.be(uint64(n), 1)
		case n >= -0x8000:
			e.u8(0xd1)
			e.be(uint64(n), 2)
		case n >= -0x80000000:
			e.u8(0xd2)
			e.be(uint64(n), 4)
		default:
			e.float(f)
		}
		return
	}
	e.float(f)
}

const maxSafeInteger = 1<<53 - 1

func (e *jsEncoder) float(f float64) {
	e.u8(0xcb)
	e.be(math.Float64bits(f), 8)
}

func (e *jsEncoder) header(n int, fix byte, fixMax int, c8, c16, c32 byte) {
	switch {
	case fix != 0 && n <= fixMax:
		e.u8(fix | byte(n))
	case c8 != 0 && n < 0x100:
		e.u8(c8)
		e.be(uint64(n), 1)
	case n < 0x10000:
		e.u8(c16)
		e.be(uint64(n), 2)
	default:
		e.u8(c32)
		e.be(uint64(n), 4)
	}
}

func (e *jsEncoder) str(s string) {
	e.header(len(s), 0xa0, 31, 0xd9, 0xda, 0xdb)
	e.b = append(e.b, s...)
}

func (e *jsEncoder) value(v any, depth int) error {
	if depth > jsMaxDepth {
		return fmt.Errorf("Too deep objects in depth %d", depth)
	}
	switch x := v.(type) {
	case nil, jsUndefined:
		e.u8(0xc0)
	case bool:
		if x {
			e.u8(0xc3)
		} else {
			e.u8(0xc2)
		}
	case float64:
		e.number(x)
	case string:
		e.str(x)
	case []byte:
		e.header(len(x), 0, 0, 0xc4, 0xc5, 0xc6)
		e.b = append(e.b, x...)
	case []any:
		e.header(len(x), 0x90, 15, 0, 0xdc, 0xdd)
		for _, item := range x {
			if err := e.value(item, depth+1); err != nil {
				return err
			}
		}
	case *jsObject:
		keys := x.orderedKeys()
		e.header(len(keys), 0x80, 15, 0, 0xde, 0xdf)
		for _, k := range keys {
			e.str(k)
			if err := e.value(x.vals[k], depth+1); err != nil {
				return err
			}
		}
	case jsExt:
		e.ext(x.typ, x.data)
	case *jsStub:
		if e.stubs == nil {
			return fmt.Errorf("DataCloneError: a Durable Object stub cannot be stored")
		}
		data, err := jsEncode(float64(e.stubs.keep(x).Handle)) // the handle alone, as the shim writes it
		if err != nil {
			return err
		}
		e.ext(abi.ExtStub, data)
	case *JSObject, *jsPromise, jsRef, *jsStream:
		if e.stubs == nil {
			return fmt.Errorf("DataCloneError: %s could not be cloned", jsDescribe(x))
		}
		h, err := e.stubs.keepValue(x)
		if err != nil {
			return err
		}
		data, err := jsEncode(float64(h)) // the handle alone, as the shim writes it
		if err != nil {
			return err
		}
		typ := abi.ExtJSValue
		if _, ok := x.(*jsPromise); ok {
			typ = abi.ExtJSPromise
		}
		e.ext(typ, data)
	case jsDate:
		e.ext(-1, encodeTimestamp(x.ms))
	case jsBigInt:
		// useBigInt64: 64 bits, unsigned unless negative; beyond them, the
		// shim's plainValue makes an abi.ExtBigInt of the digits.
		switch {
		case x.v.Sign() < 0 && x.v.IsInt64():
			e.u8(0xd3)
			e.be(uint64(x.v.Int64()), 8)
		case x.v.Sign() >= 0 && x.v.IsUint64():
			e.u8(0xcf)
			e.be(x.v.Uint64(), 8)
		default:
			e.ext(abi.ExtBigInt, x.v.Append(nil, 10))
		}
	default:
		return fmt.Errorf("Unrecognized object: %T", v)
	}
	return nil
}

func (e *jsEncoder) ext(typ int8, data []byte) {
	n := len(data)
	switch n {
	case 1:
		e.u8(0xd4)
	case 2:
		e.u8(0xd5)
	case 4:
		e.u8(0xd6)
	case 8:
		e.u8(0xd7)
	case 16:
		e.u8(0xd8)
	default:
		e.header(n, 0, 0, 0xc7, 0xc8, 0xc9)
	}
	e.u8(byte(typ))
	e.b = append(e.b, data...)
}

func encodeTimestamp(ms float64) []byte {
	sec := math.Floor(ms / 1e3)
	nsec := uint32((ms - sec*1e3) * 1e6)
	s := int64(sec)
	if s >= 0 && s < 1<<34 {
		if nsec == 0 && s < 1<<32 {
			return binary.BigEndian.AppendUint32(nil, uint32(s))
		}
		return binary.BigEndian.AppendUint64(nil, uint64(nsec)<<34|uint64(s))
	}
	b := binary.BigEndian.AppendUint32(nil, nsec)
	return binary.BigEndian.AppendUint64(b, uint64(s))
}

// toJS converts a Go value (decoded from TOML, set by a test) to the
// JavaScript value model.
func toJS(v any) any {
	switch x := v.(type) {
	case nil:
		return nil
	case bool, string:
		return x
	case float64:
		return x
	case float32:
		return float64(x)
	case int:
		return float64(x)
	case int8:
		return float64(x)
	case int16:
		return float64(x)
	case int32:
		return float64(x)
	case int64:
		return float64(x)
	case uint:
		return float64(x)
	case uint8:
		return float64(x)
	case uint16:
		return float64(x)
	case uint32:
		return float64(x)
	case uint64:
		return float64(x)
	case []byte:
		return x
	case time.Time:
		return jsDate{ms: float64(x.UnixMilli())}
	case *big.Int:
		return jsBigInt{x}
	case []any:
		out := make([]any, len(x))
		for i, item := range x {
			out[i] = toJS(item)
		}
		return out
	case []map[string]any:
		out := make([]any, len(x))
		for i, item := range x {
			out[i] = toJS(item)
		}
		return out
	case map[string]any:
		o := newJSObject()
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			o.set(k, toJS(x[k]))
		}
		return o
	case *jsObject, jsExt, jsDate, jsUndefined:
		return x
	}
	return fmt.Sprint(v)
}
