package abi

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"reflect"
	"testing"

	"github.com/vmihailenco/msgpack/v5"
)

func TestCheckJSSafe(t *testing.T) {
	enc := func(v any) []byte {
		b, err := EncodeValue(v)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	for _, tc := range []struct {
		name string
		in   []byte
		want error
	}{
		{"small int", enc(42), nil},
		{"max safe", enc(int64(MaxSafeInteger)), nil},
		{"min safe", enc(int64(-MaxSafeInteger)), nil},
		{"above max safe", enc(int64(MaxSafeInteger + 1)), ErrUnsafeInteger},
		{"below min safe", enc(int64(-MaxSafeInteger - 1)), ErrUnsafeInteger},
		{"uint64 max", enc(uint64(math.MaxUint64)), ErrUnsafeInteger},
		{"nested in a map", enc(map[string]any{"a": []any{1, int64(1) << 60}}), ErrUnsafeInteger},
		{"float is fine", enc(1e300), nil},
		{"strings, bytes, nil", enc([]any{"x", []byte{1}, nil, true}), nil},
		{"empty", nil, ErrMalformed},
		{"truncated string", []byte{0xa5, 'a'}, ErrMalformed},
		{"trailing bytes", append(enc(1), 2), ErrMalformed},
		{"unknown code", []byte{0xc1}, ErrMalformed},
		{"huge array length", []byte{0xdd, 0xff, 0xff, 0xff, 0xff}, ErrMalformed},
		{"huge bin length", []byte{0xc6, 0xff, 0xff, 0xff, 0xff}, ErrMalformed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := CheckJSSafe(tc.in)
			if !errors.Is(err, tc.want) || (tc.want == nil) != (err == nil) {
				t.Errorf("CheckJSSafe(% x) = %v, want %v", tc.in, err, tc.want)
			}
		})
	}
}

func TestCheckJSSafeDepth(t *testing.T) {
	deep := make([]byte, 0, 2000)
	for range 1000 {
		deep = append(deep, 0x91) // an array of one element
	}
	deep = append(deep, 0x01)
	if err := CheckJSSafe(deep); !errors.Is(err, ErrMalformed) {
		t.Errorf("1000 nested arrays: %v, want ErrMalformed", err)
	}
}

func TestDescribe(t *testing.T) {
	for v, want := range map[any]string{
		"s": "a string", 1: "an integer", 1.5: "a number with a fraction",
		true: "a boolean", nil: "null",
	} {
		b, _ := EncodeValue(v)
		if got := Describe(b); got != want {
			t.Errorf("Describe(%v) = %q, want %q", v, got, want)
		}
	}
	b, _ := EncodeValue([]int{1})
	if got := Describe(b); got != "an array" {
		t.Errorf("Describe(array) = %q", got)
	}
	b, _ = EncodeValue(map[string]int{})
	if got := Describe(b); got != "an object" {
		t.Errorf("Describe(map) = %q", got)
	}
	if got := Describe(nil); got != "nothing" {
		t.Errorf("Describe(nil) = %q", got)
	}
}

type tagged struct {
	JSONName  string `json:"jsonName"`
	Packed    int    `msgpack:"packed" json:"ignored"`
	Plain     bool
	Omit      string `json:"omit,omitempty"`
	Skip      string `json:"-"`
	unexposed int
}

func TestEncodeValueNamesFields(t *testing.T) {
	b, err := EncodeValue(tagged{JSONName: "a", Packed: 2, Plain: true, Skip: "x", unexposed: 1})
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := msgpack.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"jsonName": "a", "packed": int8(2), "Plain": true}
	if !reflect.DeepEqual(m, want) {
		t.Errorf("fields = %#v, want %#v", m, want)
	}
	var back tagged
	if err := DecodeValue(b, &back); err != nil {
		t.Fatal(err)
	}
	if back.JSONName != "a" || back.Packed != 2 || !back.Plain {
		t.Errorf("round trip = %+v", back)
	}
}

func TestEncodeValueCompactInts(t *testing.T) {
	b, _ := EncodeValue(int64(5))
	if len(b) != 1 {
		t.Errorf("int64(5) takes %d bytes, want 1 (a fixint that JS decodes as a number)", len(b))
	}
}

func TestMessagesRoundTrip(t *testing.T) {
	in := StubCall{Target: StubTarget{Binding: "B", Name: "n"}, Method: "m", Args: msgpack.RawMessage{0x92, 0x01, 0x02}}
	b, err := Marshal(&in)
	if err != nil {
		t.Fatal(err)
	}
	var out StubCall
	if err := Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(in, out) {
		t.Errorf("round trip: %+v != %+v", out, in)
	}
}

func TestIntegralFloatsAsInts(t *testing.T) {
	js := func(v any) []byte { // as the shim's encoder writes numbers beyond 32 bits
		var buf bytes.Buffer
		enc := msgpack.NewEncoder(&buf)
		enc.UseCompactFloats(false)
		enc.Encode(v)
		return buf.Bytes()
	}
	var n int64
	if err := DecodeValue(js(5e9), &n); err != nil || n != 5e9 {
		t.Errorf("5e9 as a float into int64: %d, %v", n, err)
	}
	var s struct {
		At  int64   `json:"at"`
		F   float64 `json:"f"`
		Any any     `json:"any"`
	}
	b := js(map[string]any{"at": 1.7e12, "f": 2.0, "any": []any{-3e9, 2.5, "x"}})
	if err := DecodeValue(b, &s); err != nil || s.At != 1.7e12 || s.F != 2 {
		t.Fatalf("struct: %+v, %v", s, err)
	}
	if got := fmt.Sprint(s.Any); got != "[-3000000000 2.5 x]" {
		t.Errorf("any = %s", got)
	}
	if err := DecodeValue(js(2.5), &n); err == nil {
		t.Error("2.5 decoded into an int64")
	}
	if b := js(float64(1 << 60)); !bytes.Equal(IntegralFloatsAsInts(b), b) {
		t.Error("an integer beyond 2^53 was rewritten")
	}
	plain, _ := EncodeValue([]any{1, "a", []byte{0xcb}})
	if got := IntegralFloatsAsInts(plain); &got[0] != &plain[0] {
		t.Error("a value without floats was copied")
	}
}

func FuzzIntegralFloatsAsInts(f *testing.F) {
	f.Add([]byte{0x92, 0xcb, 0x41, 0xf2, 0xa0, 0x5f, 0x20, 0, 0, 0, 0xa1, 'x'})
	f.Add([]byte{0xcb})
	f.Fuzz(func(t *testing.T, b []byte) {
		out := IntegralFloatsAsInts(b)
		if CheckJSSafe(b) == nil && CheckJSSafe(out) != nil {
			t.Fatalf("%x became %x, which is not a safe value", b, out)
		}
	})
}
