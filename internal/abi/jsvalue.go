package abi

import (
	"fmt"
	"reflect"

	"github.com/vmihailenco/msgpack/v5"
	"github.com/vmihailenco/msgpack/v5/msgpcode"
)

// ExtJSValue is the MessagePack extension type of a JavaScript value that
// crosses by reference: one that is not plain data (an instance of a
// class with methods, a function, an RpcTarget, a binding), or any value
// Go asked for as a handle (JSAsHandle). Its data is one MessagePack
// unsigned integer, in both directions: the handle under which the host
// keeps the value for the Go instance until Go releases it (CallStubRelease,
// which forgets stubs and values alike: they share one table).
const ExtJSValue int8 = 7

// ExtJSPromise is the MessagePack extension type of the result of a
// synchronous operation on a JavaScript value (CallJSCall, CallJSGet,
// CallJSNew) that returned a promise: its data is the handle of the
// promise, which Go awaits with AsyncJSAwait in the I/O context of its
// event. A call that returns a plain value costs no trip through the
// host's event loop.
const ExtJSPromise int8 = 8

// JSAs says how the result of an operation on a JavaScript value crosses
// to Go.
type JSAs uint8

const (
	// JSAsValue: as an RPC value (see the README's Values across RPC), a
	// value that is not plain data as an ExtJSValue, a ReadableStream as
	// an ExtStream.
	JSAsValue JSAs = 0
	// JSAsHandle: by reference, an ExtJSValue whatever the value is
	// (undefined and null cross as nil).
	JSAsHandle JSAs = 1
	// JSAsResponse: a Response, as a Response message whose body streams
	// (BodyReader) as a fetch's does.
	JSAsResponse JSAs = 2
)

// JSOp is the request of an operation on a JavaScript value the host
// keeps for Go.
type JSOp struct {
	// Target is the handle of the value (ExtJSValue).
	Target uint32 `msgpack:"target"`
	// Name is the property to get or set, or the method to call; "" calls
	// (CallJSCall) or constructs (CallJSNew) the value itself.
	Name string `msgpack:"name,omitempty"`
	// Args is the arguments (CallJSCall, CallJSNew) as one RPC value, a
	// list; for CallJSSet, the value to set.
	Args Value `msgpack:"args,omitempty"`
	// As says how the result crosses.
	As JSAs `msgpack:"as,omitempty"`
	// Event is the event the operation is made for: the streams among the
	// arguments and the result belong to it.
	Event int32 `msgpack:"event,omitempty"`
}

// JSAwait is the request of AsyncJSAwait.
type JSAwait struct {
	// Promise is the handle of an ExtJSPromise.
	Promise uint32 `msgpack:"promise"`
	As      JSAs   `msgpack:"as,omitempty"`
	Event   int32  `msgpack:"event,omitempty"`
}

// JSType is the result of CallJSType.
type JSType struct {
	// Type is what typeof says: "object", "function", "string", ...
	Type string `msgpack:"type"`
	// Class is the name of the value's constructor ("Object", "Response",
	// "KvNamespace"), "" for a primitive, null or an object without one.
	Class string `msgpack:"class,omitempty"`
	// Array reports an Array.
	Array bool `msgpack:"array,omitempty"`
}

// Error codes the host gives the failures of operations on JavaScript
// values that Go names (so they are matched by code, not message).
const (
	// CodeNoBinding: CallJSBinding names a binding the Worker lacks.
	CodeNoBinding = "ERR_GODURABLE_NO_BINDING"
	// CodeNoMethod: CallJSCall names a method the value lacks, or calls a
	// value that is not a function.
	CodeNoMethod = "ERR_GODURABLE_NO_METHOD"
	// CodeReleased: a handle the host no longer keeps (released, or of an
	// instance that has crashed since).
	CodeReleased = "ERR_GODURABLE_RELEASED"
	// CodeOtherContext: workerd refused an I/O object of another request
	// ("Cannot perform I/O on behalf of a different request").
	CodeOtherContext = "ERR_GODURABLE_OTHER_CONTEXT"
)

// RegisterJSValue makes values of the pointer type T cross as ExtJSValue,
// through handle (the handle of a value) and value (the value of a
// handle). forInterface says whether decoding ExtJSValue into an
// interface gives a T: the guest's value type does in a guest, the test
// harness's fakes do on the host.
func RegisterJSValue[T any](handle func(T) (uint32, error), value func(uint32) (T, error), forInterface bool) {
	var zero T
	encode := func(enc *msgpack.Encoder, v reflect.Value) error {
		h, err := handle(v.Interface().(T))
		if err != nil {
			return err
		}
		_, err = enc.Writer().Write(appendHandleExt(nil, ExtJSValue, h))
		return err
	}
	decodeData := func(dec *msgpack.Decoder, v reflect.Value, n int) error {
		var small [5]byte
		if n > len(small) {
			return fmt.Errorf("decoding a JavaScript value: %d bytes are not a handle", n)
		}
		if err := dec.ReadFull(small[:n]); err != nil {
			return fmt.Errorf("decoding a JavaScript value: %w", err)
		}
		h, ok := handleOf(small[:n])
		if !ok {
			return fmt.Errorf("decoding a JavaScript value: % x is not a handle", small[:n])
		}
		x, err := value(h)
		if err != nil {
			return err
		}
		v.Set(reflect.ValueOf(x))
		return nil
	}
	registerByReference(zero, ExtJSValue, "a JavaScript value by reference", encode, decodeData, forInterface)
}

// appendHandleExt appends the extension typ whose data is handle h, one
// MessagePack unsigned integer.
func appendHandleExt(b []byte, typ int8, h uint32) []byte {
	var data []byte
	switch {
	case h <= uint32(msgpcode.PosFixedNumHigh):
		data = []byte{byte(h)}
	case h <= 0xff:
		data = []byte{msgpcode.Uint8, byte(h)}
	case h <= 0xffff:
		data = []byte{msgpcode.Uint16, byte(h >> 8), byte(h)}
	default:
		data = []byte{msgpcode.Uint32, byte(h >> 24), byte(h >> 16), byte(h >> 8), byte(h)}
	}
	switch len(data) {
	case 1:
		b = append(b, msgpcode.FixExt1, byte(typ))
	case 2:
		b = append(b, msgpcode.FixExt2, byte(typ))
	default:
		b = append(b, msgpcode.Ext8, byte(len(data)), byte(typ))
	}
	return append(b, data...)
}

// HandleExt returns the extension typ (ExtJSValue, ExtJSPromise) whose
// data is handle h.
func HandleExt(typ int8, h uint32) []byte { return appendHandleExt(nil, typ, h) }

// HandleOfExt reports whether b is exactly one extension of type typ whose
// data is a handle, and the handle.
func HandleOfExt(b []byte, typ int8) (uint32, bool) {
	if len(b) < 3 {
		return 0, false
	}
	var data []byte
	switch b[0] {
	case msgpcode.FixExt1:
		data = b[2:]
		if len(data) != 1 || int8(b[1]) != typ {
			return 0, false
		}
	case msgpcode.FixExt2:
		data = b[2:]
		if len(data) != 2 || int8(b[1]) != typ {
			return 0, false
		}
	case msgpcode.Ext8:
		if len(b) < 3 || int(b[1]) != len(b)-3 || int8(b[2]) != typ {
			return 0, false
		}
		data = b[3:]
	default:
		return 0, false
	}
	return handleOf(data)
}
