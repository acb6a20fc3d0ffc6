package abi

import (
	"fmt"
	"math/big"
	"net/http"
	"reflect"
	"sync"
	"time"

	"github.com/vmihailenco/msgpack/v5"
	"github.com/vmihailenco/msgpack/v5/msgpcode"
)

// ExtStub is the MessagePack extension type of a Durable Object stub as
// an RPC value (an argument or a result, at any depth). From Go its data
// is a StubTarget, which names the object by Binding (and Name, ID,
// Jurisdiction, LocationHint, as a stub's calls do) or by Handle; the host
// makes the JavaScript stub of it. To Go its data is a handle alone, one
// MessagePack unsigned integer (a StubTarget is accepted too): the host
// keeps the JavaScript stub it received (workerd gives a stub received
// over RPC no ID, no name and no binding) in a table of the Go instance,
// until Go releases the handle with CallStubRelease.
const ExtStub int8 = 6

// RegisterStub makes values of the pointer type T cross as ExtStub,
// through target (the StubTarget of a value) and stub (the value of a
// StubTarget). forInterface says whether decoding ExtStub into an
// interface gives a T: the guest's stub type does, the test harness's
// does not.
func RegisterStub[T any](target func(T) (StubTarget, error), stub func(StubTarget) (T, error), forInterface bool) {
	var zero T
	encode := func(enc *msgpack.Encoder, v reflect.Value) error {
		t, err := target(v.Interface().(T))
		if err != nil {
			return err
		}
		data, err := Marshal(&t)
		if err != nil {
			return err
		}
		if err := enc.EncodeExtHeader(ExtStub, len(data)); err != nil {
			return err
		}
		_, err = enc.Writer().Write(data)
		return err
	}
	decodeData := func(dec *msgpack.Decoder, v reflect.Value, n int) error {
		var t StubTarget
		var small [5]byte
		if n <= len(small) { // a handle: no reflection, no allocation
			if err := dec.ReadFull(small[:n]); err != nil {
				return fmt.Errorf("decoding a Durable Object stub: %w", err)
			}
			h, ok := handleOf(small[:n])
			if !ok {
				return fmt.Errorf("decoding a Durable Object stub: % x is not a handle", small[:n])
			}
			t.Handle = h
		} else if err := extData(dec, n, &t); err != nil {
			return fmt.Errorf("decoding a Durable Object stub: %w", err)
		}
		s, err := stub(t)
		if err != nil {
			return err
		}
		v.Set(reflect.ValueOf(s))
		return nil
	}
	registerByReference(zero, ExtStub, "a Durable Object stub", encode, decodeData, forInterface)
}

// registerByReference registers the type of zero, a pointer type whose
// values cross as the extension ext (what names it in errors): encode
// writes a non-nil value, decodeData reads the extension's n bytes of
// data; nil crosses as nil. forInterface says whether decoding ext into an
// interface gives such a value.
func registerByReference(zero any, ext int8, what string, encode func(*msgpack.Encoder, reflect.Value) error, decodeData func(*msgpack.Decoder, reflect.Value, int) error, forInterface bool) {
	typ := reflect.TypeOf(zero)
	stubTypes.Store(typ, true) // held by reference: MayHoldStub
	if forInterface {
		msgpack.RegisterExtDecoder(ext, zero, decodeData)
	}
	msgpack.Register(zero, func(enc *msgpack.Encoder, v reflect.Value) error {
		if v.IsNil() {
			return enc.EncodeNil()
		}
		return encode(enc, v)
	}, func(dec *msgpack.Decoder, v reflect.Value) error {
		c, err := dec.PeekCode()
		if err != nil {
			return err
		}
		if c == msgpcode.Nil {
			v.Set(reflect.Zero(typ))
			return dec.DecodeNil()
		}
		if !msgpcode.IsExt(c) {
			return fmt.Errorf("want %s, got %s", what, Describe([]byte{c}))
		}
		id, n, err := dec.DecodeExtHeader()
		if err != nil {
			return err
		}
		if id != ext {
			return fmt.Errorf("want %s, got an extension of type %d", what, id)
		}
		return decodeData(dec, v, n)
	})
}

// stubTypes are the types registered with RegisterStub.
var stubTypes sync.Map

// MayHoldStub reports whether a value of type t can hold a Durable Object
// stub: t is a type registered with RegisterStub, an interface, or holds
// one in a field, an element, a key or a pointer's target. The types with
// an extension of their own hold none.
func MayHoldStub(t reflect.Type) bool {
	return mayHoldStub(t, map[reflect.Type]bool{})
}

// extensionTypes cross as extensions of their own, whatever their fields.
var extensionTypes = map[reflect.Type]bool{
	reflect.TypeFor[time.Time](): true, reflect.TypeFor[*big.Int](): true, reflect.TypeFor[http.Header](): true,
	reflect.TypeFor[*http.Request](): true, reflect.TypeFor[*http.Response](): true,
}

func mayHoldStub(t reflect.Type, seen map[reflect.Type]bool) bool {
	if _, ok := stubTypes.Load(t); ok {
		return true
	}
	if extensionTypes[t] || seen[t] {
		return false // a cycle: answered where it began
	}
	seen[t] = true
	switch t.Kind() {
	case reflect.Interface:
		return true
	case reflect.Pointer, reflect.Slice, reflect.Array:
		return mayHoldStub(t.Elem(), seen)
	case reflect.Map:
		return mayHoldStub(t.Key(), seen) || mayHoldStub(t.Elem(), seen)
	case reflect.Struct:
		for i := range t.NumField() {
			if f := t.Field(i); f.IsExported() && mayHoldStub(f.Type, seen) {
				return true
			}
		}
	}
	return false
}

// handleOf decodes b, one MessagePack unsigned integer of at most 32 bits.
func handleOf(b []byte) (uint32, bool) {
	switch {
	case len(b) == 1 && b[0] <= msgpcode.PosFixedNumHigh:
		return uint32(b[0]), true
	case len(b) == 2 && b[0] == msgpcode.Uint8:
		return uint32(b[1]), true
	case len(b) == 3 && b[0] == msgpcode.Uint16:
		return uint32(b[1])<<8 | uint32(b[2]), true
	case len(b) == 5 && b[0] == msgpcode.Uint32:
		return uint32(b[1])<<24 | uint32(b[2])<<16 | uint32(b[3])<<8 | uint32(b[4]), true
	}
	return 0, false
}
