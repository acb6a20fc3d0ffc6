package worker

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"iter"

	"github.com/godurable/godurable/internal/abi"
	"github.com/godurable/godurable/internal/rt"
)

// Stream is the stream an RPC method returned, as it arrives: bytes, from
// a method whose result is an io.Reader, or values, one JSON value per
// line, from one whose result is an iter.Seq, an iter.Seq2 or a channel.
// Pass a *Stream as the result of Stub.Call to receive one. Read it as an
// io.Reader, or range over Values; Close gives it up, which cancels the
// context of the method that produces it.
type Stream struct {
	r     io.ReadCloser
	lines bool
}

// NewStream returns a Stream that reads r; lines says whether r holds
// values, one JSON line each. It is for harnesses and tests that make
// streams of their own (dotest's Object.Call makes its Streams with it).
func NewStream(r io.ReadCloser, lines bool) *Stream { return &Stream{r: r, lines: lines} }

// Read reads the stream's bytes as they come; a stream that its producer
// cut short (a failed io.Reader, a panic) ends with an error.
func (s *Stream) Read(p []byte) (int, error) {
	if s.r == nil {
		return 0, io.EOF
	}
	return s.r.Read(p)
}

// Close gives up what has not been read; the producer's context is
// cancelled if it has not finished.
func (s *Stream) Close() error {
	if s.r == nil {
		return nil
	}
	return s.r.Close()
}

// Lines reports whether the stream holds values (JSON lines) rather than
// bytes.
func (s *Stream) Lines() bool { return s.lines }

// set makes s the stream r (Stub.Call's result).
func (s *Stream) set(r io.ReadCloser, lines bool) { s.r, s.lines = r, lines }

// ErrStreamLine is wrapped by the error of a line of a Stream that is not
// JSON of the type Values decodes into.
var ErrStreamLine = errors.New("worker: a line of the stream does not decode")

// Values yields the values of a stream of JSON lines, decoded into T, as
// they arrive. A stream that ended with an error line (the producer's
// iter.Seq2 yielded an error, or it panicked) yields that error last, as
// an *Error with the name, message and code the producer gave it; a line
// that does not decode into T yields an error wrapping ErrStreamLine. The
// stream is closed when the loop ends, early or not.
func Values[T any](s *Stream) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		defer s.Close()
		br := bufio.NewReaderSize(s, 64<<10)
		for {
			line, err := br.ReadBytes('\n')
			if len(bytes.TrimSpace(line)) > 0 {
				var v T
				if e := errorLine(line); e != nil {
					yield(v, e)
					return
				}
				if derr := json.Unmarshal(line, &v); derr != nil {
					yield(v, fmt.Errorf("%w into %T: %v", ErrStreamLine, v, derr))
					return
				}
				if !yield(v, nil) {
					return
				}
			}
			if err == io.EOF {
				return
			}
			if err != nil {
				var zero T
				yield(zero, err)
				return
			}
		}
	}
}

var errorLinePrefix = []byte(`{"error":{`)

// errorLine returns the error of an error line, or nil.
func errorLine(line []byte) *Error {
	if !bytes.HasPrefix(line, errorLinePrefix) {
		return nil
	}
	var el rt.ErrorLine
	d := json.NewDecoder(bytes.NewReader(line))
	d.DisallowUnknownFields()
	if d.Decode(&el) != nil || el.Error.Message == "" && el.Error.Name == "" {
		return nil
	}
	return &Error{Name: el.Error.Name, Message: el.Error.Message, Code: el.Error.Code}
}

var (
	// ErrWantStream is wrapped by the error of Stub.Call when the method
	// returned a stream and the result is not a *Stream.
	ErrWantStream = errors.New("pass a *worker.Stream as the result")
	// ErrNotStream is wrapped by the error of Stub.Call when the result
	// is a *Stream and the method did not return a stream.
	ErrNotStream = errors.New("the method does not return a stream")
)

// streamArgs starts streaming the io.Reader arguments of a call, which the
// callee receives as ReadableStreams.
func streamArgs(ctx context.Context, args []any) ([]any, error) {
	return abi.ReplaceReaders(args, func(r io.ReadCloser) ([]byte, error) { return rt.SendStream(ctx, r) })
}
