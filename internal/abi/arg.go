package abi

import (
	"bytes"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"unsafe"

	"github.com/vmihailenco/msgpack/v5"
	"github.com/vmihailenco/msgpack/v5/msgpcode"
)

// ErrArgument reports a value that does not fit the Go type it is decoded
// into.
var ErrArgument = errors.New("wrong type")

// DecodeArg decodes raw, one RPC argument, into a new value of type t,
// refusing lossy conversions: a fraction into an integer, an integer out
// of the type's range, a string into a number. A scalar is read once; any
// other value is walked once before the decoder reads it, which refuses
// malformed bytes before the decoder allocates anything and reads
// integral floats as integers (see DecodeValue).
func DecodeArg(raw []byte, t reflect.Type) (reflect.Value, error) {
	v := reflect.New(t).Elem()
	switch t.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		n, err := intArg(raw, t.Bits(), t)
		v.SetInt(n)
		return v, err
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		n, err := uintArg(raw, t.Bits(), t)
		v.SetUint(n)
		return v, err
	case reflect.String:
		s, err := stringArg(raw)
		v.SetString(s)
		return v, err
	case reflect.Bool:
		b, err := boolArg(raw)
		v.SetBool(b)
		return v, err
	}
	return v, decodeOther(raw, v.Addr().Interface())
}

// DecodeArgAs is DecodeArg for a type that generated code names (an RPC
// method's parameter): Go's own integer, string and boolean types are
// read without reflection, with DecodeArg's rules and errors; any other
// type as DecodeArg reads it.
func DecodeArgAs[T any](raw []byte) (T, error) {
	var v T
	var err error
	switch p := any(&v).(type) {
	case *int:
		*p, err = intArgAs[int](raw)
	case *int64:
		*p, err = intArgAs[int64](raw)
	case *int32:
		*p, err = intArgAs[int32](raw)
	case *int16:
		*p, err = intArgAs[int16](raw)
	case *int8:
		*p, err = intArgAs[int8](raw)
	case *uint:
		*p, err = uintArgAs[uint](raw)
	case *uint64:
		*p, err = uintArgAs[uint64](raw)
	case *uint32:
		*p, err = uintArgAs[uint32](raw)
	case *uint16:
		*p, err = uintArgAs[uint16](raw)
	case *uint8:
		*p, err = uintArgAs[uint8](raw)
	case *string:
		*p, err = stringArg(raw)
	case *bool:
		*p, err = boolArg(raw)
	default:
		rv, err := DecodeArg(raw, reflect.TypeFor[T]())
		v, _ = rv.Interface().(T) // a nil interface stays the zero T
		return v, err
	}
	return v, err
}

func intArgAs[N int | int64 | int32 | int16 | int8](raw []byte) (N, error) {
	n, err := intArg(raw, int(unsafe.Sizeof(N(0)))*8, reflect.TypeFor[N]())
	return N(n), err
}

func uintArgAs[N uint | uint64 | uint32 | uint16 | uint8](raw []byte) (N, error) {
	n, err := uintArg(raw, int(unsafe.Sizeof(N(0)))*8, reflect.TypeFor[N]())
	return N(n), err
}

// intArg reads an integer of bits bits (of type t, for errors); nil is 0.
func intArg(raw []byte, bits int, t reflect.Type) (int64, error) {
	if nilArg(raw) {
		return 0, nil
	}
	n, ok := decodeInt(raw)
	if !ok {
		return 0, fmt.Errorf("%w: want an integer, got %s", ErrArgument, Describe(raw))
	}
	if shift := uint(64 - bits); n<<shift>>shift != n {
		return 0, fmt.Errorf("%w: %d overflows %s", ErrArgument, n, t)
	}
	return n, nil
}

// uintArg reads a non-negative integer of bits bits; nil is 0.
func uintArg(raw []byte, bits int, t reflect.Type) (uint64, error) {
	if nilArg(raw) {
		return 0, nil
	}
	fits := func(u uint64) bool { return bits == 64 || u>>uint(bits) == 0 }
	n, ok := decodeInt(raw)
	if !ok {
		if u, isUint := decodeUint64(raw); isUint && fits(u) {
			return u, nil
		}
		return 0, fmt.Errorf("%w: want a non-negative integer, got %s", ErrArgument, Describe(raw))
	}
	if n < 0 || !fits(uint64(n)) {
		return 0, fmt.Errorf("%w: %d does not fit %s", ErrArgument, n, t)
	}
	return uint64(n), nil
}

// stringArg reads a string; nil is "".
func stringArg(raw []byte) (string, error) {
	if nilArg(raw) {
		return "", nil
	}
	s, ok := decodeString(raw)
	if !ok {
		return "", fmt.Errorf("%w: want a string, got %s", ErrArgument, Describe(raw))
	}
	return s, nil
}

// boolArg reads a boolean; nil is false.
func boolArg(raw []byte) (bool, error) {
	if len(raw) == 1 && (raw[0] == msgpcode.True || raw[0] == msgpcode.False || raw[0] == msgpcode.Nil) {
		return raw[0] == msgpcode.True, nil
	}
	return false, fmt.Errorf("%w: want a boolean, got %s", ErrArgument, Describe(raw))
}

func nilArg(raw []byte) bool { return len(raw) == 1 && raw[0] == msgpcode.Nil }

// decodeOther decodes a value that is not a scalar into ptr: walked once
// first (see DecodeArg), then read by the MessagePack decoder.
func decodeOther(raw []byte, ptr any) error {
	w := walker{b: raw}
	var out []byte
	if err := w.rewrite(&out, 0); err != nil || w.i != len(raw) {
		if err == nil {
			err = fmt.Errorf("%w: %d bytes after the value", ErrMalformed, len(raw)-w.i)
		}
		return fmt.Errorf("%w: %v", ErrArgument, err)
	}
	if out != nil {
		raw = out
	}
	dec := msgpack.GetDecoder()
	defer msgpack.PutDecoder(dec)
	r := bytes.NewReader(raw)
	dec.Reset(r)
	dec.SetCustomStructTag("json")
	if err := dec.Decode(ptr); err != nil {
		return fmt.Errorf("%w: cannot decode %s: %v", ErrArgument, Describe(raw), strings.TrimPrefix(err.Error(), "msgpack: "))
	}
	return nil
}

// decodeUint64 decodes a MessagePack unsigned 64-bit integer beyond
// int64's range, which decodeInt refuses.
func decodeUint64(b []byte) (uint64, bool) {
	if len(b) != 9 || b[0] != msgpcode.Uint64 {
		return 0, false
	}
	return uint64(b[1])<<56 | uint64(b[2])<<48 | uint64(b[3])<<40 | uint64(b[4])<<32 | uint64(b[5])<<24 | uint64(b[6])<<16 | uint64(b[7])<<8 | uint64(b[8]), true
}
