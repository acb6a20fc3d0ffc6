package queues

import (
	"bytes"
	"encoding/json"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/godurable/godurable/internal/abi"
)

// TestJSONRoundTrip: what jsonBody writes reads back as the same JSON
// text, and as the values JSON.parse gives.
func TestJSONRoundTrip(t *testing.T) {
	type job struct {
		ID      string    `json:"id"`
		N       int       `json:"n"`
		When    time.Time `json:"when"`
		Tags    []string  `json:"tags"`
		Nothing *int      `json:"nothing"`
	}
	many := map[string]int{}
	for i := range 40 {
		many[strings.Repeat("k", i+1)] = i
	}
	for _, v := range []any{
		nil, true, false, 0, -1, -33, 127, 128, 255, 256, 65536, -129, -40000, int64(1) << 40, -(int64(1) << 40),
		int64(1)<<53 + 1, 1.5, -0.25, 1e21, 1e-7, math.MaxFloat64, "", "a<b>&\"\\\n\u2028é", strings.Repeat("x", 300), strings.Repeat("y", 70000),
		[]any{}, []int{1, 2, 3}, make([]int, 20), map[string]any{}, many,
		job{ID: "j1", N: 2, When: time.Date(2026, 12, 6, 1, 2, 3, 4, time.UTC), Tags: []string{"a"}},
		[]byte("hello"), json.RawMessage(`{"z":1,"a":[true,null]}`),
	} {
		body, size, err := jsonBody(v)
		if err != nil {
			t.Fatalf("jsonBody(%v): %v", v, err)
		}
		var want bytes.Buffer
		enc := json.NewEncoder(&want)
		enc.SetEscapeHTML(false)
		enc.Encode(v)
		wantText := bytes.TrimSuffix(want.Bytes(), []byte("\n"))
		if size != len(wantText) {
			t.Errorf("size of %T = %d, want %d", v, size, len(wantText))
		}
		if err := abi.CheckJSSafe(body); err != nil {
			t.Errorf("%T: %v", v, err)
		}
		text, ok := valueToJSON(body)
		if !ok {
			t.Fatalf("valueToJSON(jsonBody(%T)) is not JSON", v)
		}
		var a, b any
		if err := json.Unmarshal(text, &a); err != nil {
			t.Fatalf("%T: %s: %v", v, text, err)
		}
		json.Unmarshal(wantText, &b)
		ja, _ := json.Marshal(a)
		jb, _ := json.Marshal(b)
		if !bytes.Equal(ja, jb) {
			t.Errorf("%T: round trip %s, want %s", v, ja, jb)
		}
	}
}

// TestDecodeBody: each kind of body decodes into what the docs say.
func TestDecodeBody(t *testing.T) {
	type job struct {
		ID   string    `json:"id"`
		When time.Time `json:"when"`
	}
	when := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	body, _, _ := jsonBody(job{ID: "j", When: when})
	var j job
	if err := decodeBody(body, &j); err != nil || j.ID != "j" || !j.When.Equal(when) {
		t.Errorf("a JSON body decodes into %+v, %v", j, err)
	}
	var s string
	if err := decodeBody(stringBody("hi"), &s); err != nil || s != "hi" {
		t.Errorf("a text body into a string: %q, %v", s, err)
	}
	var bs []byte
	if err := decodeBody(stringBody("hi"), &bs); err != nil || string(bs) != "hi" {
		t.Errorf("a text body into []byte: %q, %v", bs, err)
	}
	if err := decodeBody(bytesBody([]byte{1, 2}), &bs); err != nil || !bytes.Equal(bs, []byte{1, 2}) {
		t.Errorf("a bytes body into []byte: %v, %v", bs, err)
	}
	var a any
	if err := decodeBody(bytesBody([]byte{3}), &a); err != nil || !bytes.Equal(a.([]byte), []byte{3}) {
		t.Errorf("a bytes body into any: %#v, %v", a, err)
	}
	// A v8 body with a Date: decoded as an RPC value.
	v8, _ := abi.EncodeValue(map[string]any{"when": when})
	var w struct {
		When time.Time `json:"when"`
	}
	if err := decodeBody(v8, &w); err != nil || !w.When.Equal(when) {
		t.Errorf("a v8 body with a Date: %v, %v", w.When, err)
	}
	if _, ok := valueToJSON([]byte{0x81, 0x01, 0x02}); ok {
		t.Error("a map with an integer key is not JSON")
	}
}
