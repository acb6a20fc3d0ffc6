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
	} {
		f, err := AppendWSBroadcast([]byte("prefix"), c.tag, c.except, c.isText, c.data)
		if err != nil {
			t.Fatal(err)
		}
		tag, except, isText, data, err := WSBroadcastFrame(f[len("prefix"):]).Parse()
		if err != nil || tag != c.tag || !slices.Equal(except, c.except) || isText != c.isText || !bytes.Equal(data, c.data) {
			t.Errorf("%q %d sockets left out %v %d bytes: got %q %d %v %d bytes, %v", c.tag, len(c.except), c.isText, len(c.data), tag, len(except), isText, len(data), err)
		}
	}
}

func TestWSBroadcastFrameRefusesWhatItCannotHold(t *testing.T) {
	for name, f := range map[string]func() error{
		"a tag of 65,536 bytes": func() error {
			_, err := AppendWSBroadcast(nil, strings.Repeat("t", 1<<16), nil, true, nil)
			return err
		},
		"65,536 sockets left out": func() error {
			_, err := AppendWSBroadcast(nil, "", make([]string, 1<<16), true, nil)
			return err
		},
		"an ID of 256 bytes": func() error {
			_, err := AppendWSBroadcast(nil, "", []string{strings.Repeat("x", 256)}, true, nil)
			return err
		},
	} {
		if err := f(); !errors.Is(err, ErrMalformed) {
			t.Errorf("%s: %v, want ErrMalformed", name, err)
		}
	}
}

// FuzzWSBroadcastFrame: any bytes parse or fail with ErrMalformed, never
// panic, and what parses is written back the same.
func FuzzWSBroadcastFrame(f *testing.F) {
	good, _ := AppendWSBroadcast(nil, "tag", []string{"a", "bc"}, true, []byte("hello"))
	f.Add([]byte(good))
	f.Add([]byte{1, 0})
	f.Add([]byte{0, 0, 2, 'x'})
	f.Fuzz(func(t *testing.T, b []byte) {
		tag, except, isText, data, err := WSBroadcastFrame(b).Parse()
		if err != nil {
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("%v does not wrap ErrMalformed", err)
			}
			return
		}
		again, err := AppendWSBroadcast(nil, tag, except, isText, data)
		if err != nil {
			t.Fatal(err)
		}
		if b[0]&^WSFrameText == 0 && !bytes.Equal(again, b) {
			t.Fatalf("%x parses and is written back as %x", b, again)
		}
	})
}
