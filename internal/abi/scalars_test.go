package abi

import (
	"bytes"
	"math"
	"reflect"
	"strings"
	"testing"

	"github.com/vmihailenco/msgpack/v5"
)

func scalarSamples() []any {
	var out []any
	for _, n := range []int64{0, 1, 127, 128, 255, 256, 65535, 65536, math.MaxUint32, math.MaxUint32 + 1, math.MaxInt64,
		-1, -32, -33, -128, -129, -32768, -32769, math.MinInt32, math.MinInt32 - 1, math.MinInt64} {
		out = append(out, n, int(n))
		if n >= math.MinInt32 && n <= math.MaxInt32 {
			out = append(out, int32(n))
		}
		if n >= 0 {
			out = append(out, uint64(n))
		}
	}
	out = append(out, uint64(math.MaxUint64))
	for _, n := range []int{0, 1, 31, 32, 255, 256, 65535, 65536} {
		out = append(out, strings.Repeat("é", n/2)+strings.Repeat("x", n%2), bytes.Repeat([]byte{7}, n))
	}
	out = append(out, nil, true, false, []byte(nil), []byte{}, 0.0, -0.5, 1.5, math.Inf(1), 1e300, float64(MaxSafeInteger))
	return out
}

// The hand encoders write exactly what the reflection encoder writes.
func TestScalarsEncodeAsTheReflectionEncoder(t *testing.T) {
	for _, v := range scalarSamples() {
		var buf bytes.Buffer
		enc := msgpack.NewEncoder(&buf)
		enc.SetCustomStructTag("json")
		enc.UseCompactInts(true)
		if err := enc.Encode(v); err != nil {
			t.Fatal(err)
		}
		if got, ok := appendScalar(nil, v, true); !ok || !bytes.Equal(got, buf.Bytes()) {
			t.Errorf("compact %T %.40v: % x, want % x", v, v, got, buf.Bytes())
		}
		want, err := msgpack.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		if got, ok := appendScalar(nil, v, false); !ok || !bytes.Equal(got, want) {
			t.Errorf("%T %.40v: % x, want % x", v, v, got, want)
		}
	}
}

// A list of scalars (RPC arguments) too, and a list with another value
// goes to the reflection encoder.
func TestScalarListsEncodeAsTheReflectionEncoder(t *testing.T) {
	samples := scalarSamples()
	for _, list := range [][]any{{}, {int64(1)}, samples, append(samples[:3:3], map[string]any{"a": 1})} {
		var buf bytes.Buffer
		enc := msgpack.NewEncoder(&buf)
		enc.SetCustomStructTag("json")
		enc.UseCompactInts(true)
		if err := enc.Encode(list); err != nil {
			t.Fatal(err)
		}
		if got, err := EncodeValue(list); err != nil || !bytes.Equal(got, buf.Bytes()) {
			t.Errorf("%v: % x, want % x (%v)", list, got, buf.Bytes(), err)
		}
	}
	if b, err := EncodeValue([]any(nil)); err != nil || !bytes.Equal(b, []byte{0xc0}) {
		t.Errorf("a nil list: % x, %v", b, err)
	}
}

func TestStorageRequestsEncodeAsTheReflectionEncoder(t *testing.T) {
	long := strings.Repeat("k", 300)
	msgs := []any{
		&KVKey{Key: "value"}, &KVKey{Key: ""}, &KVKey{Key: long},
		&Request{Method: "GET", URL: "https://example.com/" + long}, &Request{Method: "POST", URL: "/", Headers: [][2]string{{"a", "b"}, {"content-type", long}}, Body: []byte("x")},
		&Request{Headers: make([][2]string, 17), Body: []byte{}},
		&StubTarget{Binding: "C"}, &StubTarget{Binding: "C", Name: "n"}, &StubTarget{Binding: "C", ID: "ab"}, &StubTarget{Binding: "C", Name: "n", ID: "ab"}, &StubTarget{Handle: 7}, &StubTarget{Handle: 300},
		&StubCall{Target: StubTarget{Binding: "C", Name: "a"}, Method: "increment", Args: []byte{0x91, 0x01}}, &StubCall{Target: StubTarget{Handle: 1}, Method: "m", Args: []byte{0x90}},
		&StubFetch{Target: StubTarget{Binding: "C", ID: "ab"}, Request: Request{Method: "GET", URL: "/x", Headers: [][2]string{{"a", "b"}}}},
		&WSSocket{Socket: "0123456789abcdef"}, &WSSocket{},
		&Response{Status: 200}, &Response{Status: 200, Body: []byte("x"), Stream: true}, &Response{Status: 404, Headers: [][2]string{{"x", "y"}}, Body: bytes.Repeat([]byte{1}, 300)}, &Response{Status: 101, Headers: [][2]string{}},
	}
	for _, m := range msgs {
		want, err := msgpack.Marshal(m)
		if err != nil {
			t.Fatal(err)
		}
		got, err := Marshal(m)
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("%T: % x, want % x (%v)", m, got, want, err)
		}
	}
}

// decodeScalar decodes what the reflection decoder decodes, and leaves the
// rest to it.
func TestScalarsDecodeAsTheReflectionDecoder(t *testing.T) {
	var inputs [][]byte
	for _, v := range scalarSamples() {
		b, _ := EncodeValue(v)
		m, _ := msgpack.Marshal(v)
		inputs = append(inputs, b, m)
	}
	inputs = append(inputs, []byte{0xcb, 0x3f, 0xf8, 0, 0, 0, 0, 0, 0}, []byte{0xca, 0x3f, 0xc0, 0, 0}, []byte{0xc0}, []byte{0x01, 0x02}, []byte{0xd9}, nil)
	for _, b := range inputs {
		checkScalarDecode(t, b)
	}
}

func checkScalarDecode(t *testing.T, b []byte) {
	t.Helper()
	for _, typ := range []reflect.Type{reflect.TypeFor[int64](), reflect.TypeFor[int](), reflect.TypeFor[string](), reflect.TypeFor[bool](), reflect.TypeFor[float64]()} {
		fast := reflect.New(typ)
		if !decodeScalar(b, fast.Interface()) {
			continue
		}
		slow := reflect.New(typ)
		dec := msgpack.NewDecoder(bytes.NewReader(IntegralFloatsAsInts(b)))
		if err := dec.Decode(slow.Interface()); err != nil {
			t.Errorf("% x into %s: decodeScalar gave %v, the reflection decoder an error: %v", b, typ, fast.Elem(), err)
			continue
		}
		if f, ok := fast.Elem().Interface().(float64); ok && math.IsNaN(f) && math.IsNaN(slow.Elem().Float()) {
			continue
		}
		if !reflect.DeepEqual(fast.Elem().Interface(), slow.Elem().Interface()) {
			t.Errorf("% x into %s: decodeScalar gave %v, the reflection decoder %v", b, typ, fast.Elem(), slow.Elem())
		}
	}
}

func FuzzDecodeScalar(f *testing.F) {
	for _, v := range scalarSamples() {
		b, _ := EncodeValue(v)
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) { checkScalarDecode(t, b) })
}

func TestArrayItems(t *testing.T) {
	b, _ := EncodeValue([]any{int64(1), "two", []any{3, 4}, map[string]any{"five": 5}})
	items, err := ArrayItems(b)
	if err != nil || len(items) != 4 {
		t.Fatalf("ArrayItems = %d items, %v", len(items), err)
	}
	var s string
	if err := DecodeValue(items[1], &s); err != nil || s != "two" {
		t.Errorf("item 2 = %q, %v", s, err)
	}
	for _, empty := range [][]byte{nil, {0xc0}, {0x90}} {
		if items, err := ArrayItems(empty); err != nil || len(items) != 0 {
			t.Errorf("ArrayItems(% x) = %d items, %v", empty, len(items), err)
		}
	}
	for _, bad := range [][]byte{{0x01}, {0x92, 0x01}, {0x91, 0x01, 0x02}, {0xdd, 0xff, 0xff, 0xff, 0xff}} {
		if _, err := ArrayItems(bad); err == nil {
			t.Errorf("ArrayItems(% x) succeeded", bad)
		}
	}
}

// Every message that encodes itself, with every field set: a field added
// to one of them and forgotten by its encoder fails here.
func TestSelfEncodersWriteEveryField(t *testing.T) {
	for _, m := range []any{&KVKey{}, &Request{}, &Response{}, &StubTarget{}, &StubCall{}, &StubFetch{}, &WSSocket{}} {
		fill(t, reflect.ValueOf(m).Elem())
		if _, ok := m.(appender); !ok {
			t.Fatalf("%T does not encode itself", m)
		}
		want, err := msgpack.Marshal(m)
		if err != nil {
			t.Fatal(err)
		}
		if got, err := Marshal(m); err != nil || !bytes.Equal(got, want) {
			t.Errorf("%T with every field set: % x, want % x (%v)", m, got, want, err)
		}
	}
}

func fill(t *testing.T, v reflect.Value) {
	switch v.Kind() {
	case reflect.Struct:
		for i := 0; i < v.NumField(); i++ {
			if f := v.Type().Field(i); f.IsExported() && f.Tag.Get("msgpack") != "-" {
				fill(t, v.Field(i))
			}
		}
	case reflect.String:
		v.SetString("s")
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Int, reflect.Int32, reflect.Int64:
		v.SetInt(7)
	case reflect.Uint32:
		v.SetUint(7)
	case reflect.Slice:
		switch v.Interface().(type) {
		case msgpack.RawMessage:
			v.SetBytes([]byte{0x91, 0x01})
		case []byte:
			v.SetBytes([]byte{1, 2})
		case [][2]string:
			v.Set(reflect.ValueOf([][2]string{{"a", "b"}}))
		case []any:
			v.Set(reflect.ValueOf([]any{int64(1), "x"}))
		case []string:
			v.Set(reflect.ValueOf([]string{"a", "b"}))
		default:
			t.Fatalf("fill: no value for %s", v.Type())
		}
	default:
		t.Fatalf("fill: no value for %s", v.Type())
	}
}
