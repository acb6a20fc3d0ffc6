package abi

import (
	"bytes"
	"errors"
	"slices"
	"strings"
	"testing"
)

func TestWSBroadcastFrameRoundTrip(t *testing.T) {
	id := strings.Repeat("ab", 16)
	for _, c := range []struct {
		tag    string
		except []string
		isText bool
		data   []byte
	}{
		{"", nil, true, []byte("hi")},
		{"", nil, false, nil},
		{"room", []string{id}, true, []byte(`{"type":"said"}`)},
		{strings.Repeat("t", 300), []string{id, "", strings.Repeat("x", 255)}, false, bytes.Repeat([]byte{0, 1}, 70000)},
		{"t", make([]string, 300), true, []byte{}},
		{"", []string{"x"}, true, []byte("a message of its own")},
	} {
		f := AppendWSBroadcast([]byte("prefix"), c.tag, c.except, c.isText, c.data)
		tag, except, isText, data, err := WSBroadcastFrame(f[len("prefix"):]).Parse()
		if err != nil || tag != c.tag || !slices.Equal(except, c.except) || isText != c.isText || !bytes.Equal(data, c.data) {
			t.Errorf("%q %d sockets left out %v %d bytes: got %q %d %v %d bytes, %v", c.tag, len(c.except), c.isText, len(c.data), tag, len(except), isText, len(data), err)
		}
	}
}

func TestWSBroadcastFrameRefusesTruncations(t *testing.T) {
	f := AppendWSBroadcast(nil, "tag", []string{"a", "bc"}, true, nil)
	for n := range len(f) {
		if _, _, _, _, err := WSBroadcastFrame(f[:n]).Parse(); !errors.Is(err, ErrMalformed) {
			t.Errorf("the first %d of %d bytes: %v, want ErrMalformed", n, len(f), err)
		}
	}
}

// FuzzWSBroadcastFrame: any bytes parse or fail with ErrMalformed, never
// panic, and what parses is written back the same.
func FuzzWSBroadcastFrame(f *testing.F) {
	f.Add([]byte(AppendWSBroadcast(nil, "tag", []string{"a", "bc"}, true, []byte("hello"))))
	f.Add([]byte{1, 0})
	f.Add([]byte{0, 0, 0, 0, 0, 2, 0, 0, 0, 'x'})
	f.Fuzz(func(t *testing.T, b []byte) {
		tag, except, isText, data, err := WSBroadcastFrame(b).Parse()
		if err != nil {
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("%v does not wrap ErrMalformed", err)
			}
			return
		}
		if again := AppendWSBroadcast(nil, tag, except, isText, data); b[0]&^WSFrameText == 0 && !bytes.Equal(again, b) {
			t.Fatalf("%x parses and is written back as %x", b, again)
		}
	})
}
