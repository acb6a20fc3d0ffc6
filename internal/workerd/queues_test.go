package workerd

import (
	"errors"
	"math/big"
	"strings"
	"testing"

	"github.com/godurable/godurable/internal/driver"
)

// TestQueueJSON: a JSON message's body is what JSON.stringify writes of
// the value and what JSON.parse reads back, as measured with a
// JavaScript producer in wrangler dev (a Date as its ISO string, a
// Uint8Array as an object of its indexes, undefined left out).
func TestQueueJSON(t *testing.T) {
	o := newJSObject()
	o.set("b", 1.5)
	o.set("a", []any{jsUndefined{}, "x\n\"é", nil, true})
	o.set("skip", jsUndefined{})
	o.set("d", jsDate{ms: 5})
	o.set("u", []byte{1, 2})
	text, err := jsonStringify(o)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"b":1.5,"a":[null,"x\n\"é",null,true],"d":"1970-01-01T00:00:00.005Z","u":{"0":1,"1":2}}`
	if text != want {
		t.Errorf("JSON.stringify = %s, want %s", text, want)
	}
	v, err := jsonParse([]byte(text.(string)))
	if err != nil {
		t.Fatal(err)
	}
	again, _ := jsonStringify(v)
	if again != want {
		t.Errorf("parsed and stringified again: %s", again)
	}
	if _, err := jsonStringify(jsBigInt{big.NewInt(1)}); !isJSError(err, "TypeError", "Do not know how to serialize a BigInt") {
		t.Errorf("a bigint: %v", err)
	}
}

// TestQueueSerialize: each content type takes what workerd takes, and
// refuses the rest with workerd's errors.
func TestQueueSerialize(t *testing.T) {
	for _, c := range []struct {
		v           any
		contentType string
		body        string
		err         string
	}{
		{"hi", "text", "hi", ""},
		{[]byte("hi"), "bytes", "hi", ""},
		{"hi", "", `"hi"`, ""},
		{1.0, "text", "", `TypeError: Content Type "text" requires a value of type string, but received: number`},
		{"s", "bytes", "", `TypeError: Content Type "bytes" requires a value of type ArrayBufferView, but received: string`},
		{jsUndefined{}, "json", "", "TypeError: Message body cannot be undefined"},
		{NewJSObject("Thing", struct{}{}), "v8", "", "DataCloneError: #<Thing> could not be cloned."},
	} {
		m, err := serializeMessage(c.v, c.contentType)
		switch {
		case c.err != "":
			var je *driver.JSError
			if !errors.As(err, &je) || je.Err.Name+": "+je.Err.Message != c.err {
				t.Errorf("%v as %q: %v, want %s", c.v, c.contentType, err, c.err)
			}
		case err != nil || string(m.body) != c.body:
			t.Errorf("%v as %q = %q, %v; want %q", c.v, c.contentType, m.body, err, c.body)
		}
	}
	if _, err := validContentType("XML"); err == nil || !strings.Contains(err.Error(), "Unsupported queue message content type: XML") {
		t.Errorf("an unknown content type: %v", err)
	}
	if ct, err := validContentType("JSON"); ct != "json" || err != nil {
		t.Errorf("JSON = %q, %v", ct, err)
	}
}

func isJSError(err error, name, message string) bool {
	var je *driver.JSError
	return errors.As(err, &je) && je.Err.Name == name && je.Err.Message == message
}
