package abi

import (
	"errors"
	"fmt"
	"reflect"
	"testing"
)

// Guest-side decoders of bytes that cross the boundary: malformed input
// must give an error, never a panic.

func FuzzCheckJSSafe(f *testing.F) {
	for _, seed := range [][]byte{
		{0xc0}, {0x93, 0x01, 0x02, 0x03}, {0xcf, 0, 0x20, 0, 0, 0, 0, 0, 0},
		{0xd3, 0xff, 0xe0, 0, 0, 0, 0, 0, 0}, {0xdd, 0xff, 0xff, 0xff, 0xff},
		{0xc9, 0x7f, 0xff, 0xff, 0xff, 1}, {0x81, 0xa1, 'k', 0x90}, {},
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		err := CheckJSSafe(b)
		if err != nil && !errors.Is(err, ErrMalformed) && !errors.Is(err, ErrUnsafeInteger) {
			t.Fatalf("CheckJSSafe(%x) = %v, which is neither ErrMalformed nor ErrUnsafeInteger", b, err)
		}
		_ = Describe(b)
	})
}

// FuzzUnmarshalMessages decodes arbitrary bytes into every message type
// of the table (and the manifest and errors), as the guest and the hosts
// decode what crosses.
func FuzzUnmarshalMessages(f *testing.F) {
	for _, m := range []any{
		&Request{Method: "GET", URL: "http://x/", Headers: [][2]string{{"a", "b"}}},
		&ObjectRef{Class: "C", ID: "00", Name: "n"},
		&StubCall{Target: StubTarget{Binding: "B", Name: "n"}, Method: "m", Args: []byte{0x91, 0x01}},
		&Manifest{ABI: Version, Worker: []string{"fetch"}, Classes: []Class{{Name: "C", Capabilities: []string{"fetch"}}}},
	} {
		b, err := Marshal(m)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte{0x85})
	types := []reflect.Type{reflect.TypeFor[Manifest](), reflect.TypeFor[Error](), reflect.TypeFor[ObjectRef]()}
	for _, e := range Events() {
		payload, result := e.Kind.Messages()
		types = append(types, payload, result)
	}
	for _, o := range append(CallOps(), AsyncOps()...) {
		types = append(types, o.Request, o.Result)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, typ := range types {
			if typ != nil {
				_ = Unmarshal(b, reflect.New(typ).Interface())
			}
		}
	})
}

// FuzzDecodeArgAs checks that the decoder of generated code reads every
// input as DecodeArg does: the same value, the same error.
func FuzzDecodeArgAs(f *testing.F) {
	for _, v := range []any{int64(1), -5, 300, 70000, int64(1) << 40, uint64(1) << 63, 2.5, 3.0, "s", true, nil, []byte{1}} {
		b, err := EncodeValue(v)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		sameAsDecodeArg[int](t, b)
		sameAsDecodeArg[int64](t, b)
		sameAsDecodeArg[int32](t, b)
		sameAsDecodeArg[int16](t, b)
		sameAsDecodeArg[int8](t, b)
		sameAsDecodeArg[uint](t, b)
		sameAsDecodeArg[uint64](t, b)
		sameAsDecodeArg[uint32](t, b)
		sameAsDecodeArg[uint16](t, b)
		sameAsDecodeArg[uint8](t, b)
		sameAsDecodeArg[string](t, b)
		sameAsDecodeArg[bool](t, b)
		sameAsDecodeArg[float64](t, b)
		sameAsDecodeArg[[]byte](t, b)
		sameAsDecodeArg[any](t, b)
	})
}

func sameAsDecodeArg[T any](t *testing.T, b []byte) {
	t.Helper()
	got, gerr := DecodeArgAs[T](b)
	want, werr := DecodeArg(b, reflect.TypeFor[T]())
	// Compared as printed, so that NaN equals NaN.
	if fmt.Sprint(gerr) != fmt.Sprint(werr) || fmt.Sprintf("%#v", got) != fmt.Sprintf("%#v", want.Interface()) {
		t.Errorf("%T of % x: DecodeArgAs = %v, %v; DecodeArg = %v, %v", got, b, got, gerr, want.Interface(), werr)
	}
}
