package abi

import (
	"reflect"
	"testing"

	"github.com/vmihailenco/msgpack/v5"
)

// The hand-written decoders read what msgpack.Marshal writes for the same
// struct, including fields in another order, unknown fields and nils.
func TestHandWrittenDecoders(t *testing.T) {
	for _, v := range []any{
		&Request{Method: "POST", URL: "http://x/a?b", Headers: [][2]string{{"a", "1"}, {"a", "2"}}, Body: []byte("hi")},
		&Request{Method: "GET", URL: "http://x/", Headers: [][2]string{}},
		&Response{Status: 201, Headers: [][2]string{{"x", "y"}}, Body: []byte{0, 1}},
		&ObjectRef{Class: "Counter", ID: "0123abcd", Name: "a"},
		&ObjectRef{Class: "Counter", ID: "0123abcd"},
		&Env{Vars: map[string]any{"TEXT": "t", "JSON": map[string]any{"a": []any{int8(1), "b"}}}, Bindings: map[string]string{"COUNTER": "DurableObjectNamespace"}},
		&Env{},
	} {
		b, err := Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		out := reflect.New(reflect.TypeOf(v).Elem()).Interface()
		if err := Unmarshal(b, out); err != nil {
			t.Fatalf("%T: %v", v, err)
		}
		if !reflect.DeepEqual(out, v) {
			t.Errorf("%T: got %+v, want %+v", v, out, v)
		}
	}

	// As the shim writes them: other key order, extra keys, null body.
	b, _ := msgpack.Marshal(map[string]any{"body": nil, "extra": []int{1}, "url": "u", "headers": [][]string{{"k", "v"}}, "method": "GET"})
	var r Request
	if err := Unmarshal(b, &r); err != nil || r.URL != "u" || r.Body != nil || r.Headers[0] != [2]string{"k", "v"} {
		t.Errorf("request from a map: %+v, %v", r, err)
	}
	b, _ = msgpack.Marshal(map[string]any{"id": "i", "extra": 1, "name": nil, "class": "C"})
	if err := Unmarshal(b, &ObjectRef{}); err != nil {
		t.Errorf("an object reference with a null name: %v", err)
	}
	bad, _ := msgpack.Marshal(map[string]any{"headers": [][]string{{"only one"}}})
	if err := Unmarshal(bad, &r); err == nil {
		t.Error("a header of one string was accepted")
	}
	if err := Unmarshal([]byte{0x91, 0x01}, &r); err == nil {
		t.Error("an array was accepted as a request")
	}
}

func FuzzUnmarshalResults(f *testing.F) {
	for _, v := range []any{
		&Response{Status: 200, Headers: [][2]string{{"a", "b"}}, Body: []byte("x")},
	} {
		b, _ := Marshal(v)
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var r Response
		_ = Unmarshal(b, &r)
		var q Request
		_ = Unmarshal(b, &q)
		_ = Unmarshal(b, &ObjectRef{})
		_ = Unmarshal(b, &Env{})
	})
}
