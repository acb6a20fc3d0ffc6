package abi

import (
	"reflect"
	"time"

	"github.com/vmihailenco/msgpack/v5"
	"github.com/vmihailenco/msgpack/v5/msgpcode"
)

// A JavaScript Date crosses as MessagePack's timestamp extension (-1),
// which the library decodes into a time.Time. A null where Go has a
// time.Time (an optional date of a binding's result, a D1 column, an RPC
// argument) is the zero time, as encoding/json leaves it: the library's
// own decoder refuses a null at the top of a value and panics on one in a
// struct field (v5.4.1 asks a struct whether it is nil). A *time.Time
// still decodes a null as nil.
func init() {
	msgpack.Register(time.Time{}, nil, func(dec *msgpack.Decoder, v reflect.Value) error {
		if c, err := dec.PeekCode(); err == nil && c == msgpcode.Nil {
			v.Set(reflect.Zero(v.Type()))
			return dec.DecodeNil()
		}
		t, err := dec.DecodeTime()
		if err != nil {
			return err
		}
		if t.IsZero() {
			t = t.UTC() // as the library gives the zero time
		}
		v.Set(reflect.ValueOf(t))
		return nil
	})
}
