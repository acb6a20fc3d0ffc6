package abi

import (
	"testing"
	"time"
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
