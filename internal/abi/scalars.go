package abi

import (
	"encoding/binary"
	"math"

	"github.com/vmihailenco/msgpack/v5/msgpcode"
)

// Scalars (nil, booleans, numbers, strings and byte slices) are encoded and
// decoded here without the reflection encoder: they are most RPC
// arguments and results and most stored values, and in workerd an event's
// cost grows with the code it runs (bench/PROFILE.md). The bytes are
// exactly the reflection encoder's, in both of its integer forms; the
// tests compare them.

// appendScalar appends the MessagePack encoding of v if v is a scalar, and
// reports whether it was. compact selects the smallest integer form
// (EncodeValue's); otherwise integers keep their Go width (Marshal's).
func appendScalar(b []byte, v any, compact bool) ([]byte, bool) {
	switch v := v.(type) {
	case nil:
		return append(b, msgpcode.Nil), true
	case bool:
		if v {
			return append(b, msgpcode.True), true
		}
		return append(b, msgpcode.False), true
	case int64:
		return appendInt64(b, v, compact), true
	case int:
		return appendCompactInt(b, int64(v)), true // both encoders write int so
	case int32:
		if compact {
			return appendCompactInt(b, int64(v)), true
		}
		return binary.BigEndian.AppendUint32(append(b, msgpcode.Int32), uint32(v)), true
	case uint64:
		if compact {
			return appendCompactUint(b, v), true
		}
		return binary.BigEndian.AppendUint64(append(b, msgpcode.Uint64), v), true
	case float64:
		return binary.BigEndian.AppendUint64(append(b, msgpcode.Double), math.Float64bits(v)), true
	case string:
		return appendString(b, v), true
	case []byte:
		if v == nil {
			return append(b, msgpcode.Nil), true
		}
		return appendBin(b, v), true
	}
	return b, false
}

// appendScalars encodes a list of scalars, as a Go caller's RPC arguments
// usually are, and reports whether every item was one.
func appendScalars(list []any) ([]byte, bool) {
	b := appendArrayLen(make([]byte, 0, 8+4*len(list)), len(list))
	for _, v := range list {
		var ok bool
		if b, ok = appendScalar(b, v, true); !ok {
			return nil, false
		}
	}
	return b, true
}

func appendInt64(b []byte, n int64, compact bool) []byte {
	if compact {
		return appendCompactInt(b, n)
	}
	return binary.BigEndian.AppendUint64(append(b, msgpcode.Int64), uint64(n))
}

// appendCompactInt appends n in the smallest form, as the reflection
// encoder's EncodeInt does.
func appendCompactInt(b []byte, n int64) []byte {
	switch {
	case n >= 0:
		return appendCompactUint(b, uint64(n))
	case n >= -32:
		return append(b, byte(n))
	case n >= math.MinInt8:
		return append(b, msgpcode.Int8, byte(n))
	case n >= math.MinInt16:
		return binary.BigEndian.AppendUint16(append(b, msgpcode.Int16), uint16(n))
	case n >= math.MinInt32:
		return binary.BigEndian.AppendUint32(append(b, msgpcode.Int32), uint32(n))
	}
	return binary.BigEndian.AppendUint64(append(b, msgpcode.Int64), uint64(n))
}

func appendCompactUint(b []byte, n uint64) []byte {
	switch {
	case n <= math.MaxInt8:
		return append(b, byte(n))
	case n <= math.MaxUint8:
		return append(b, msgpcode.Uint8, byte(n))
	case n <= math.MaxUint16:
		return binary.BigEndian.AppendUint16(append(b, msgpcode.Uint16), uint16(n))
	case n <= math.MaxUint32:
		return binary.BigEndian.AppendUint32(append(b, msgpcode.Uint32), uint32(n))
	}
	return binary.BigEndian.AppendUint64(append(b, msgpcode.Uint64), n)
}

func appendString(b []byte, s string) []byte {
	switch n := len(s); {
	case n < 32:
		b = append(b, msgpcode.FixedStrLow|byte(n))
	case n <= math.MaxUint8:
		b = append(b, msgpcode.Str8, byte(n))
	case n <= math.MaxUint16:
		b = binary.BigEndian.AppendUint16(append(b, msgpcode.Str16), uint16(n))
	default:
		b = binary.BigEndian.AppendUint32(append(b, msgpcode.Str32), uint32(n))
	}
	return append(b, s...)
}

func appendBin(b, v []byte) []byte {
	switch n := len(v); {
	case n <= math.MaxUint8:
		b = append(b, msgpcode.Bin8, byte(n))
	case n <= math.MaxUint16:
		b = binary.BigEndian.AppendUint16(append(b, msgpcode.Bin16), uint16(n))
	default:
		b = binary.BigEndian.AppendUint32(append(b, msgpcode.Bin32), uint32(n))
	}
	return append(b, v...)
}

// decodeScalar decodes b, one whole value, into v if v points to an
// int64, int, string, bool or float64 and b holds what DecodeValue would
// decode into it without converting; it reports whether it did. Anything
// else (nil, other widths, a conversion) is left to the reflection decoder.
func decodeScalar(b []byte, v any) bool {
	switch p := v.(type) {
	case *int64:
		n, ok := decodeInt(b)
		if ok {
			*p = n
		}
		return ok
	case *int:
		n, ok := decodeInt(b)
		if ok && int64(int(n)) == n {
			*p = int(n)
			return true
		}
	case *string:
		s, ok := decodeString(b)
		if ok {
			*p = s
		}
		return ok
	case *bool:
		if len(b) == 1 && (b[0] == msgpcode.True || b[0] == msgpcode.False) {
			*p = b[0] == msgpcode.True
			return true
		}
	case *float64:
		if len(b) == 9 && b[0] == msgpcode.Double {
			*p = math.Float64frombits(binary.BigEndian.Uint64(b[1:]))
			return true
		}
	}
	return false
}

// decodeInt decodes an integer, or a 64-bit float that holds one within
// ±(2^53-1), as IntegralFloatsAsInts rewrites it.
func decodeInt(b []byte) (int64, bool) {
	if len(b) == 0 {
		return 0, false
	}
	c := b[0]
	if msgpcode.IsFixedNum(c) {
		return int64(int8(c)), len(b) == 1
	}
	var size int
	switch c {
	case msgpcode.Uint8, msgpcode.Int8:
		size = 1
	case msgpcode.Uint16, msgpcode.Int16:
		size = 2
	case msgpcode.Uint32, msgpcode.Int32:
		size = 4
	case msgpcode.Uint64, msgpcode.Int64, msgpcode.Double:
		size = 8
	default:
		return 0, false
	}
	if len(b) != 1+size {
		return 0, false
	}
	switch c {
	case msgpcode.Uint8:
		return int64(b[1]), true
	case msgpcode.Int8:
		return int64(int8(b[1])), true
	case msgpcode.Uint16:
		return int64(binary.BigEndian.Uint16(b[1:])), true
	case msgpcode.Int16:
		return int64(int16(binary.BigEndian.Uint16(b[1:]))), true
	case msgpcode.Uint32:
		return int64(binary.BigEndian.Uint32(b[1:])), true
	case msgpcode.Int32:
		return int64(int32(binary.BigEndian.Uint32(b[1:]))), true
	case msgpcode.Uint64:
		n := binary.BigEndian.Uint64(b[1:])
		return int64(n), n <= math.MaxInt64
	case msgpcode.Int64:
		return int64(binary.BigEndian.Uint64(b[1:])), true
	}
	f := math.Float64frombits(binary.BigEndian.Uint64(b[1:]))
	if f != math.Trunc(f) || math.Abs(f) > MaxSafeInteger {
		return 0, false
	}
	return int64(f), true
}

func decodeString(b []byte) (string, bool) {
	if len(b) == 0 {
		return "", false
	}
	c := b[0]
	var n, head int
	switch {
	case msgpcode.IsFixedString(c):
		n, head = int(c&msgpcode.FixedStrMask), 1
	case c == msgpcode.Str8 && len(b) >= 2:
		n, head = int(b[1]), 2
	case c == msgpcode.Str16 && len(b) >= 3:
		n, head = int(binary.BigEndian.Uint16(b[1:])), 3
	case c == msgpcode.Str32 && len(b) >= 5:
		n, head = int(binary.BigEndian.Uint32(b[1:])), 5
	default:
		return "", false
	}
	if len(b) != head+n {
		return "", false
	}
	return string(b[head:]), true
}
