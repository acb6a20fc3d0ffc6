package abi

import (
	"bytes"
	"errors"
	"fmt"
	"reflect"
	"strings"

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
	nilValue := len(raw) == 1 && raw[0] == msgpcode.Nil
	switch t.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		if nilValue {
			return v, nil
		}
		n, ok := decodeInt(raw)
		if !ok {
			return v, fmt.Errorf("%w: want an integer, got %s", ErrArgument, Describe(raw))
		}
		if v.OverflowInt(n) {
			return v, fmt.Errorf("%w: %d overflows %s", ErrArgument, n, t)
		}
		v.SetInt(n)
		return v, nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		if nilValue {
			return v, nil
		}
		n, ok := decodeInt(raw)
		if !ok {
			if u, isUint := decodeUint64(raw); isUint && !v.OverflowUint(u) {
				v.SetUint(u)
				return v, nil
			}
			return v, fmt.Errorf("%w: want a non-negative integer, got %s", ErrArgument, Describe(raw))
		}
		if n < 0 || v.OverflowUint(uint64(n)) {
			return v, fmt.Errorf("%w: %d does not fit %s", ErrArgument, n, t)
		}
		v.SetUint(uint64(n))
		return v, nil
	case reflect.String:
		if nilValue {
			return v, nil
		}
		s, ok := decodeString(raw)
		if !ok {
			return v, fmt.Errorf("%w: want a string, got %s", ErrArgument, Describe(raw))
		}
		v.SetString(s)
		return v, nil
	case reflect.Bool:
		if len(raw) == 1 && (raw[0] == msgpcode.True || raw[0] == msgpcode.False || raw[0] == msgpcode.Nil) {
			v.SetBool(raw[0] == msgpcode.True)
			return v, nil
		}
		return v, fmt.Errorf("%w: want a boolean, got %s", ErrArgument, Describe(raw))
	}
	w := walker{b: raw}
	var out []byte
	if err := w.rewrite(&out, 0); err != nil || w.i != len(raw) {
		if err == nil {
			err = fmt.Errorf("%w: %d bytes after the value", ErrMalformed, len(raw)-w.i)
		}
		return v, fmt.Errorf("%w: %v", ErrArgument, err)
	}
	if out != nil {
		raw = out
	}
	dec := msgpack.GetDecoder()
	defer msgpack.PutDecoder(dec)
	r := bytes.NewReader(raw)
	dec.Reset(r)
	dec.SetCustomStructTag("json")
	if err := dec.Decode(v.Addr().Interface()); err != nil {
		return v, fmt.Errorf("%w: cannot decode %s: %v", ErrArgument, Describe(raw), strings.TrimPrefix(err.Error(), "msgpack: "))
	}
	return v, nil
}

// decodeUint64 decodes a MessagePack unsigned 64-bit integer beyond
// int64's range, which decodeInt refuses.
func decodeUint64(b []byte) (uint64, bool) {
	if len(b) != 9 || b[0] != msgpcode.Uint64 {
		return 0, false
	}
	return uint64(b[1])<<56 | uint64(b[2])<<48 | uint64(b[3])<<40 | uint64(b[4])<<32 | uint64(b[5])<<24 | uint64(b[6])<<16 | uint64(b[7])<<8 | uint64(b[8]), true
}
