// Package jsbody sends a Go body to JavaScript as an argument of a
// jsbridge call, as the bindings' packages send theirs (an R2 object's, a
// cached response's): whole when it is small, through workerd's
// FixedLengthStream when it is longer and its length is known (so that
// JavaScript knows the length), and as a ReadableStream read as it comes
// when its length is not known. No body is held whole in memory but a
// small one.
package jsbody

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"

	"github.com/godurable/godurable/jsbridge"
)

// WholeBelow is the size up to which a body crosses whole, in the call's
// arguments, rather than as a stream.
const WholeBelow = 64 << 10

// Body is a Go body on its way to JavaScript.
type Body struct {
	// Value is what the call passes: a []byte, an io.Reader (a body of
	// unknown length), or the readable half of a FixedLengthStream.
	Value any

	sized  *sizedReader
	stream *jsbridge.Value
}

// LengthOf is the length of body that its type tells: 0 for nil and
// http.NoBody, that of a *bytes.Reader, *bytes.Buffer or *strings.Reader;
// -1 for any other.
func LengthOf(body io.Reader) int64 {
	switch r := body.(type) {
	case nil:
		return 0
	case *bytes.Reader:
		return int64(r.Len())
	case *bytes.Buffer:
		return int64(r.Len())
	case *strings.Reader:
		return int64(r.Len())
	}
	if body == http.NoBody {
		return 0
	}
	return -1
}

// New prepares body, of size bytes, to be sent on behalf of the event of
// ctx; a size of -1 streams a body of unknown length as it is read (and
// JavaScript learns no length). A body that ends before size bytes, or
// goes on after them, fails with an error that wraps errSize: at once for
// a body that crosses whole, else when the call that sent it returns
// (Done).
func New(ctx context.Context, body io.Reader, size int64, errSize error) (*Body, error) {
	if body == nil {
		body = http.NoBody
	}
	if size < 0 {
		return &Body{Value: body}, nil
	}
	b := &Body{sized: &sizedReader{r: body, size: size, errSize: errSize}}
	if size <= WholeBelow {
		whole := make([]byte, size)
		if _, err := io.ReadFull(b.sized, whole); err != nil {
			return nil, err
		}
		if _, err := b.sized.Read(nil); err != io.EOF {
			return nil, err
		}
		b.Value = whole
		return b, nil
	}
	// The body streams: Object(body) is the ReadableStream Go writes it
	// into, piped through new FixedLengthStream(size), whose readable half
	// is a stream of known length.
	fls, err := Global("FixedLengthStream")
	if err != nil {
		return nil, err
	}
	var pair *jsbridge.Value
	if err := fls.New(ctx, &pair, size); err != nil {
		return nil, err
	}
	defer pair.Release()
	object, err := Global("Object")
	if err != nil {
		return nil, err
	}
	var src *jsbridge.Value
	if err := object.Invoke(ctx, &src, b.sized); err != nil {
		return nil, err
	}
	defer src.Release()
	if err := src.Call(ctx, "pipeThrough", &b.stream, pair); err != nil {
		return nil, err
	}
	b.Value = b.stream
	return b, nil
}

// Done releases what b holds, and returns the error of the call that sent
// it, which was err: the body's own (errSize, a read error) if it failed.
// A nil Body is done at once.
func (b *Body) Done(err error) error {
	if b == nil {
		return err
	}
	b.stream.Release()
	if err != nil && b.sized != nil && b.sized.err != nil {
		return b.sized.err
	}
	return err
}

// sizedReader reads a body that must have size bytes, neither fewer nor
// more; err is why it does not (wrapping errSize), or the body's read
// error.
type sizedReader struct {
	r       io.Reader
	size, n int64
	errSize error
	err     error
}

func (s *sizedReader) Read(p []byte) (int, error) {
	if s.err != nil {
		return 0, s.err
	}
	if s.n == s.size {
		return 0, s.end()
	}
	if rest := s.size - s.n; int64(len(p)) > rest {
		p = p[:rest]
	}
	n, err := s.r.Read(p)
	s.n += int64(n)
	switch {
	case err == io.EOF && s.n < s.size:
		s.err = fmt.Errorf("%w: it ended after %d of %d bytes", s.errSize, s.n, s.size)
	case err != nil && err != io.EOF:
		s.err = err
	}
	return n, s.err
}

// end checks that the body has no more bytes.
func (s *sizedReader) end() error {
	var one [1]byte
	for range 100 {
		n, err := s.r.Read(one[:])
		switch {
		case n > 0:
			s.err = fmt.Errorf("%w: it has more than %d bytes", s.errSize, s.size)
			return s.err
		case err == io.EOF:
			return io.EOF
		case err != nil:
			s.err = err
			return err
		}
	}
	s.err = io.ErrNoProgress
	return s.err
}

var globals struct {
	sync.Mutex
	byName map[string]*jsbridge.Value
}

// Global returns the global called name, found once and kept for the Go
// instance's life (the globals the bindings' packages use, such as
// Response, FixedLengthStream or JSON, are no I/O objects of a request).
func Global(name string) (*jsbridge.Value, error) {
	globals.Lock()
	defer globals.Unlock()
	if v := globals.byName[name]; v != nil {
		return v, nil
	}
	v, err := jsbridge.Global(name)
	if err != nil {
		return nil, err
	}
	if globals.byName == nil {
		globals.byName = map[string]*jsbridge.Value{}
	}
	globals.byName[name] = v
	return v, nil
}
