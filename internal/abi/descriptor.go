package abi

import (
	"encoding/binary"
	"math"
	"reflect"

	"github.com/vmihailenco/msgpack/v5/msgpcode"
)

// Sync is the descriptor of a synchronous operation (the call import): its
// code, and the types of its request and its result, so that a call of the
// operation (rt.Do) cannot pair the code with other types. Req or Res is
// Empty for an operation without one, Raw for bytes as they are, Value for
// one MessagePack value; every descriptor is declared beside its row
// (ops_*.go), and a test checks it against the row.
type Sync[Req, Res any] struct{ Code CallOp }

// Async is the descriptor of an asynchronous operation (the start import),
// as Sync is of a synchronous one (rt.AwaitOp).
type Async[Req, Res any] struct{ Code AsyncOp }

// Empty is the request or the result of an operation that has none: a
// request of no bytes, a result that is not read.
type Empty struct{}

// MarshalRequest encodes the request of an operation: req is a pointer to
// it, or nil or a *Empty for none (no bytes). A scalar (an ID, a time in ms, a string)
// is written as EncodeValue writes it, without reflection; a Layout's
// bytes (Raw, WSFrame, the storage layouts) as they are; a message as
// Marshal writes it (the hot ones encode themselves).
func MarshalRequest(req any) ([]byte, error) {
	switch r := req.(type) {
	case nil, *Empty:
		return nil, nil
	case *int32:
		return appendCompactInt(nil, int64(*r)), nil
	case *float64:
		return binary.BigEndian.AppendUint64(append(make([]byte, 0, 9), msgpcode.Double), math.Float64bits(*r)), nil
	case *string:
		return appendString(nil, *r), nil
	case Layout:
		return *r.LayoutBytes(), nil
	}
	return Marshal(req)
}

// RawRequest reports whether requests of type t cross as their own bytes,
// not as MessagePack: a Layout (Raw, WSFrame, WSBroadcastFrame, the
// storage layouts). The shim hands such a request to its implementation
// undecoded.
func RawRequest(t reflect.Type) bool {
	return t != nil && reflect.PointerTo(t).Implements(reflect.TypeFor[Layout]())
}
