package jsbody

import (
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"
)

var errSize = errors.New("the size")

func TestSizedReader(t *testing.T) {
	for _, c := range []struct {
		body    string
		size    int64
		wantErr string
	}{
		{"hello", 5, ""},
		{"", 0, ""},
		{"hel", 5, "it ended after 3 of 5 bytes"},
		{"hello!", 5, "it has more than 5 bytes"},
	} {
		s := &sizedReader{r: iotest.OneByteReader(strings.NewReader(c.body)), size: c.size, errSize: errSize}
		b, err := io.ReadAll(s)
		switch {
		case c.wantErr == "" && (err != nil || string(b) != c.body):
			t.Errorf("%q of %d: %q, %v", c.body, c.size, b, err)
		case c.wantErr != "" && (!errors.Is(err, errSize) || !strings.Contains(err.Error(), c.wantErr)):
			t.Errorf("%q of %d: %v, want %s", c.body, c.size, err, c.wantErr)
		}
	}
	broken := errors.New("broken")
	s := &sizedReader{r: iotest.ErrReader(broken), size: 5, errSize: errSize}
	if _, err := io.ReadAll(s); !errors.Is(err, broken) || s.err != broken {
		t.Errorf("a failing body: %v", err)
	}
}
