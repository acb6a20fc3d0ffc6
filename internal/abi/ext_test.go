package abi

import (
	"errors"
	"net/http"
	"reflect"
	"testing"
	"time"
)

// TestExtensionTypesAreDistinct: every MessagePack extension type of the
// boundary has a code of its own (two branches once both took 2), and none
// is the timestamp's -1.
func TestExtensionTypesAreDistinct(t *testing.T) {
	seen := map[int8]string{-1: "the timestamp"}
	for name, code := range map[string]int8{"ExtBigInt": ExtBigInt, "ExtHeaders": ExtHeaders, "ExtRequest": ExtRequest, "ExtResponse": ExtResponse, "ExtStream": ExtStream, "ExtStub": ExtStub} {
		if other, ok := seen[code]; ok {
			t.Errorf("%s and %s are both extension type %d", name, other, code)
		}
		seen[code] = name
	}
}

func TestMayHoldStub(t *testing.T) {
	type stub struct{ n int }
	RegisterStub(func(*stub) (StubTarget, error) { return StubTarget{}, nil }, func(StubTarget) (*stub, error) { return nil, nil }, false)
	type list struct {
		Next *list
		Name string
	}
	type holder struct {
		Label string
		Peers []*stub
	}
	type hidden struct{ s *stub }
	for _, tc := range []struct {
		v    any
		want bool
	}{
		{"", false}, {0, false}, {[]byte(nil), false}, {map[string]int(nil), false}, {list{}, false},
		{time.Time{}, false}, {(*http.Response)(nil), false}, {http.Header(nil), false}, {hidden{}, false},
		{(*stub)(nil), true}, {holder{}, true}, {map[string]*stub(nil), true}, {[2]holder{}, true},
		{[]any(nil), true}, {(*any)(nil), true},
	} {
		if got := MayHoldStub(reflect.TypeOf(tc.v)); got != tc.want {
			t.Errorf("MayHoldStub(%T) = %v, want %v", tc.v, got, tc.want)
		}
	}
}

func TestCheckStorable(t *testing.T) {
	stub := append([]byte{0xc7, 2, byte(ExtStub)}, 0x80, 0xc0) // an ExtStub of 2 bytes
	for _, tc := range []struct {
		name string
		b    []byte
		want error
	}{
		{"an integer beyond 2^53", []byte{0xcf, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}, nil},
		{"another extension", []byte{0xd4, byte(ExtBigInt), '1'}, nil},
		{"a stub", stub, ErrStubNotStorable},
		{"a stub in a map", append([]byte{0x81, 0xa1, 'k'}, stub...), ErrStubNotStorable},
		{"a fixext stub", []byte{0xd4, byte(ExtStub), 0x80}, ErrStubNotStorable},
		{"truncated", []byte{0x92, 0x01}, ErrMalformed},
	} {
		if err := CheckStorable(tc.b); !errors.Is(err, tc.want) || (tc.want == nil) != (err == nil) {
			t.Errorf("%s: CheckStorable = %v, want %v", tc.name, err, tc.want)
		}
	}
}

// TestStubHandles: a stub to Go is its handle alone (from the shim, in
// any width of unsigned integer) or a StubTarget.
func TestStubHandles(t *testing.T) {
	type ref struct{ handle uint32 }
	RegisterStub(func(r *ref) (StubTarget, error) { return StubTarget{Handle: r.handle}, nil },
		func(t StubTarget) (*ref, error) { return &ref{t.Handle}, nil }, false)
	target, _ := Marshal(&StubTarget{Handle: 70000})
	for _, tc := range []struct {
		data []byte
		want uint32
	}{
		{[]byte{0x05}, 5}, {[]byte{0xcc, 0xc8}, 200}, {[]byte{0xcd, 0x01, 0x00}, 256},
		{[]byte{0xce, 0x00, 0x01, 0x11, 0x70}, 70000}, {target, 70000},
	} {
		b := append([]byte{0xc7, byte(len(tc.data)), byte(ExtStub)}, tc.data...)
		var r *ref
		if err := DecodeValue(b, &r); err != nil || r == nil || r.handle != tc.want {
			t.Errorf("% x: %v, %v; want handle %d", tc.data, r, err, tc.want)
		}
	}
	var r *ref
	if err := DecodeValue([]byte{0xd4, byte(ExtStub), 0xc3}, &r); err == nil {
		t.Errorf("a boolean as a handle: %v, want an error", r)
	}
}
