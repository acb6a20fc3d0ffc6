package rt

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"reflect"

	"github.com/godurable/godurable/internal/abi"
	"github.com/godurable/godurable/internal/hostcall"
)

// Streams over RPC: a method whose result is an io.Reader streams bytes;
// one whose result is an iter.Seq[T], an iter.Seq2[T, error] or a channel
// of T streams values, one JSON line each. The call completes at once
// with an abi.StreamRef, and the stream goes on as the event's body, the
// event kept alive as a streamed response keeps it (CallWaitUntil).

// streamKind says how a method's result streams; 0 if it does not.
type streamKind uint8

const (
	streamBytes streamKind = iota + 1 // io.Reader
	streamSeq                         // iter.Seq[T]
	streamSeq2                        // iter.Seq2[T, error]
	streamChan                        // <-chan T, chan T
)

var (
	readerType     = reflect.TypeFor[io.Reader]()
	readCloserType = reflect.TypeFor[io.ReadCloser]()
	boolType       = reflect.TypeFor[bool]()
)

// streamKindOf says how a result of type t streams.
func streamKindOf(t reflect.Type) streamKind {
	switch {
	case t == readerType || t == readCloserType:
		return streamBytes
	case t.Kind() == reflect.Chan && t.ChanDir()&reflect.RecvDir != 0:
		return streamChan
	case t.Kind() != reflect.Func || t.NumIn() != 1 || t.NumOut() != 0:
		return 0
	}
	y := t.In(0) // yield
	if y.Kind() != reflect.Func || y.NumOut() != 1 || y.Out(0) != boolType {
		return 0
	}
	switch {
	case y.NumIn() == 1:
		return streamSeq
	case y.NumIn() == 2 && y.In(1) == errorType:
		return streamSeq2
	}
	return 0
}

// isStreamParam reports whether a parameter of type t takes a stream of
// bytes: a JavaScript ReadableStream.
func isStreamParam(t reflect.Type) bool { return t == readerType || t == readCloserType }

// streamArg gives the method a reader of the stream raw names, read on
// behalf of the event in ctx.
func streamArg(ctx context.Context, raw []byte, what string) (reflect.Value, error) {
	ref, ok := abi.StreamOf(raw)
	if !ok || ref.Reader == 0 {
		return reflect.Value{}, fmt.Errorf("%w: want a ReadableStream, got %s", ErrArgument, abi.Describe(raw))
	}
	return reflect.ValueOf(newBody(ctx, nil, ref.Reader, what)), nil
}

// streamResult completes e with a stream and writes v, the method's
// result of kind k, into it as it is produced, in the event's goroutine
// and under the object's turn, which is released whenever the producer
// waits (worker.Sleep, I/O) and while the host holds too much unread
// (body.drain), as JavaScript interleaves events at each await. The
// producer's ctx is cancelled when the caller cancels the stream.
func streamResult(ctx context.Context, e *Event, k streamKind, v reflect.Value) {
	if _, err := Do(NoObject, abi.OpWaitUntil, &e.id); err != nil {
		e.fail(&abi.Error{Name: "Error", Message: fmt.Sprintf("%s: cannot stream its result: %v", e.what(), err)})
		return
	}
	hostcall.Complete(e.id, abi.StatusOK, abi.EncodeStream(abi.StreamRef{Lines: k != streamBytes}))
	s := &resultStream{ctx: ctx, e: e, w: bodyWriter{ref: abi.BodyRef{Event: e.id}}, lines: k != streamBytes}
	reason := ""
	defer func() {
		if p := recover(); p != nil {
			perr := panicError(e.what(), p)
			fmt.Fprintf(os.Stderr, "godurable: %s\n%s", perr.Message, perr.Stack)
			reason = s.fail(perr)
		}
		s.w.end(reason)
		Do(NoObject, abi.OpWaitUntilDone, &e.id)
		e.Finish(nil) // the host has had the result since the stream began
	}()
	if !v.IsNil() { // a nil result is an empty stream
		reason = s.produce(k, v)
	}
}

type resultStream struct {
	ctx   context.Context
	e     *Event
	w     bodyWriter
	lines bool
	err   error // why the stream stopped early
}

// produce writes the stream and returns "" or why it was cut short.
func (s *resultStream) produce(k streamKind, v reflect.Value) string {
	switch k {
	case streamBytes:
		r := v.Interface().(io.Reader)
		if c, ok := r.(io.Closer); ok {
			defer c.Close()
		}
		buf := make([]byte, 32<<10)
		for s.err == nil {
			n, err := r.Read(buf)
			if n > 0 {
				s.write(buf[:n])
			}
			if err == io.EOF {
				break
			}
			if err != nil && s.err == nil {
				return fmt.Sprintf("%s: reading its result: %v", s.e.what(), err)
			}
		}
	case streamSeq, streamSeq2:
		yield := reflect.MakeFunc(v.Type().In(0), func(args []reflect.Value) []reflect.Value {
			if k == streamSeq2 && !args[1].IsNil() {
				s.fail(ToABI(args[1].Interface().(error)))
				return []reflect.Value{reflect.ValueOf(false)}
			}
			return []reflect.Value{reflect.ValueOf(s.line(args[0]))}
		})
		v.Call([]reflect.Value{yield})
	case streamChan:
		for s.err == nil {
			var x reflect.Value
			ok := false
			WithoutTurn(s.ctx, func() {
				chosen, recv, recvOK := reflect.Select([]reflect.SelectCase{
					{Dir: reflect.SelectRecv, Chan: v},
					{Dir: reflect.SelectRecv, Chan: reflect.ValueOf(s.ctx.Done())},
				})
				x, ok = recv, chosen == 0 && recvOK
			})
			if !ok || !s.line(x) {
				break
			}
		}
	}
	return ""
}

// line writes x as one JSON line, and reports whether the stream goes on.
func (s *resultStream) line(x reflect.Value) bool {
	if s.err != nil {
		return false
	}
	b, err := json.Marshal(x.Interface())
	if err != nil {
		s.fail(&abi.Error{Name: "TypeError", Message: fmt.Sprintf("%s: cannot encode a value of its stream: %v", s.e.what(), err)})
		return false
	}
	s.write(append(b, '\n'))
	return s.err == nil
}

// fail ends a stream of values with an error line; for a stream of bytes
// it returns the error's message, which errors the stream.
func (s *resultStream) fail(e *abi.Error) string {
	if s.err != nil {
		return "" // the reader has gone, or the stream has failed already
	}
	s.err = errStreamFailed
	if !s.lines {
		return e.Message
	}
	b, _ := json.Marshal(ErrorLine{Error: StreamError{Name: e.Name, Message: e.Message, Code: e.Code}})
	s.w.write(s.ctx, append(b, '\n'))
	return ""
}

var errStreamFailed = errors.New("godurable: the stream failed")

// write sends b, or notes why the stream cannot go on (the caller
// cancelled it, which also cancels ctx).
func (s *resultStream) write(b []byte) {
	if s.err != nil {
		return
	}
	if err := s.ctx.Err(); err != nil {
		s.err = context.Cause(s.ctx)
		return
	}
	if _, err := s.w.write(s.ctx, b); err != nil {
		s.err = err
	}
}

// ErrorLine is the last line of a stream of values that failed.
type ErrorLine struct {
	Error StreamError `json:"error"`
}

// StreamError is the error of an ErrorLine: the error's JavaScript name,
// its message and its code, if any.
type StreamError struct {
	Name    string `json:"name"`
	Message string `json:"message"`
	Code    string `json:"code,omitempty"`
}

// StreamReader returns the reader of a stream that reached Go as ref (the
// result of a call), read on behalf of the event in ctx.
func StreamReader(ctx context.Context, ref abi.StreamRef, what string) io.ReadCloser {
	return newBody(ctx, nil, ref.Reader, what)
}

// CancelStream gives up a stream that reached Go and that no one reads.
func CancelStream(ref abi.StreamRef) {
	Do(NoObject, abi.OpBodyCancel, &ref.Reader)
}

// SendStream streams r, an argument of a call made on behalf of the event
// in ctx, from a goroutine of its own, and returns the abi.ExtStream that
// stands for it among the call's arguments.
func SendStream(ctx context.Context, r io.Reader) ([]byte, error) {
	rc, ok := r.(io.ReadCloser)
	if !ok {
		rc = io.NopCloser(r)
	}
	id, err := sendBody(ctx, rc)
	if err != nil {
		return nil, err
	}
	return abi.EncodeStream(abi.StreamRef{Writer: id}), nil
}
