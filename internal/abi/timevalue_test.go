package abi

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/vmihailenco/msgpack/v5"
)

// TestNullTime: a null decodes into a time.Time as its zero value (at the
// top, in a struct field, in a slice) and into a *time.Time as nil; a Date
// still decodes exactly.
func TestNullTime(t *testing.T) {
	var top time.Time
	if err := DecodeValue([]byte{0xc0}, &top); err != nil || !top.IsZero() {
		t.Errorf("null into a time.Time: %v, %v; want the zero time", top, err)
	}
	when := time.UnixMilli(1_700_000_000_123).UTC()
	b, err := EncodeValue(map[string]any{"At": nil, "Ptr": nil, "List": []any{nil, when}, "Set": when})
	if err != nil {
		t.Fatal(err)
	}
	var v struct {
		At   time.Time
		Ptr  *time.Time
		List []time.Time
		Set  time.Time
	}
	v.At = when // overwritten by the null
	if err := DecodeValue(b, &v); err != nil {
		t.Fatalf("decoding %x: %v", b, err)
	}
	if !v.At.IsZero() || v.Ptr != nil || len(v.List) != 2 || !v.List[0].IsZero() || !v.List[1].Equal(when) || !v.Set.Equal(when) {
		t.Errorf("decoded %+v", v)
	}
	var s string
	if err := DecodeValue(b, &s); err == nil {
		t.Error("a map decoded into a string")
	}
}

// panicky is a type whose registered decoder panics, as the library's own
// did on a null time.Time (v5.4.1).
type panicky struct{}

func init() {
	msgpack.Register(panicky{}, nil, func(*msgpack.Decoder, reflect.Value) error { panic("boom") })
}

// TestDecoderPanicIsAnError: a panic inside the library is an error that
// names the type, and the pool's decoders go on working.
func TestDecoderPanicIsAnError(t *testing.T) {
	var v struct{ P panicky }
	b, _ := EncodeValue(map[string]any{"P": 1})
	if err := DecodeValue(b, &v); err == nil || !strings.Contains(err.Error(), "decoding into *struct") || !strings.Contains(err.Error(), "boom") {
		t.Errorf("a panicking decoder: %v", err)
	}
	var list []int64
	if err := DecodeValue([]byte{0x92, 0x01, 0x02}, &list); err != nil || len(list) != 2 {
		t.Errorf("decoding after the panic: %v, %v", list, err)
	}
}
