package abi

import (
	"errors"
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

func FuzzUnmarshalEvent(f *testing.F) {
	for _, e := range []*Event{
		{Kind: EventWorkerFetch, Request: &Request{Method: "GET", URL: "http://x/", Headers: [][2]string{{"a", "b"}}}},
		{Kind: EventObjectCall, Object: &ObjectRef{Handle: 1, Class: "C", ID: "00", Name: "n"}, Method: "M", Args: []byte{0x91, 0x01}, Dropped: []uint32{2}},
	} {
		b, err := Marshal(e)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte{0x85})
	f.Fuzz(func(t *testing.T, b []byte) {
		var e Event
		_ = Unmarshal(b, &e)
		var m Manifest
		_ = Unmarshal(b, &m)
		var r Response
		_ = Unmarshal(b, &r)
		var x Error
		_ = Unmarshal(b, &x)
		var res SQLResult
		_ = Unmarshal(b, &res)
		var entries []KVEntry
		_ = Unmarshal(b, &entries)
	})
}
