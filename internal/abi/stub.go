package abi

import (
	"fmt"
	"reflect"

	"github.com/vmihailenco/msgpack/v5"
	"github.com/vmihailenco/msgpack/v5/msgpcode"
)

// ExtStub is the MessagePack extension type of a Durable Object stub as
// an RPC value (an argument or a result, at any depth). Its data is a
// StubTarget. From Go it names the object by Binding (and Name, ID,
// Jurisdiction, LocationHint, as a stub's calls do) or by Handle; the host
// makes the JavaScript stub of it. To Go it always names the stub by
// Handle: the host keeps the JavaScript stub it received (workerd gives a
// stub received over RPC no ID, no name and no binding) in a table of the
// Go instance, until Go releases the handle with CallStubRelease.
const ExtStub int8 = 6

// RegisterStub makes values of the pointer type T cross as ExtStub,
// through target (the StubTarget of a value) and stub (the value of a
// StubTarget). forInterface says whether decoding ExtStub into an
// interface gives a T: the guest's stub type does, the test harness's
// does not.
func RegisterStub[T any](target func(T) (StubTarget, error), stub func(StubTarget) (T, error), forInterface bool) {
	var zero T
	typ := reflect.TypeOf(zero)
	encode := func(enc *msgpack.Encoder, v reflect.Value) error {
		if v.IsNil() {
			return enc.EncodeNil()
		}
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
		if err := extData(dec, n, &t); err != nil {
			return fmt.Errorf("decoding a Durable Object stub: %w", err)
		}
		s, err := stub(t)
		if err != nil {
			return err
		}
		v.Set(reflect.ValueOf(s))
		return nil
	}
	if forInterface {
		msgpack.RegisterExtDecoder(ExtStub, zero, decodeData)
	}
	msgpack.Register(zero, encode, func(dec *msgpack.Decoder, v reflect.Value) error {
		c, err := dec.PeekCode()
		if err != nil {
			return err
		}
		if c == msgpcode.Nil {
			v.Set(reflect.Zero(typ))
			return dec.DecodeNil()
		}
		if !msgpcode.IsExt(c) {
			return fmt.Errorf("want a Durable Object stub, got %s", Describe([]byte{c}))
		}
		id, n, err := dec.DecodeExtHeader()
		if err != nil {
			return err
		}
		if id != ExtStub {
			return fmt.Errorf("want a Durable Object stub, got an extension of type %d", id)
		}
		return decodeData(dec, v, n)
	})
}
