package workerd

import (
	"io"
	"math"
	"reflect"
	"sync"

	"github.com/godurable/godurable/internal/abi"
)

// Streams among the model's JavaScript values, for the bindings that take
// and give bytes as streams (an R2 object's body, a put's value): a
// ReadableStream is a JSObject whose bytes a Go reader gives, and the
// writable half of a FixedLengthStream one whose bytes go to a Go pipe.
//
//   - A stream Go writes (an io.Reader argument of jsbridge, an
//     abi.StreamRef with a Writer) is a ReadableStream among a call's
//     arguments, as the shim's jsArgs makes it.
//   - A fake's function that takes an io.Reader (or io.ReadCloser) is
//     given the bytes of a ReadableStream argument; one that returns an
//     io.Reader returns a ReadableStream of it.
//   - A ReadableStream that Go reads as a value (jsbridge's Get or Call
//     into an *io.ReadCloser) crosses as an abi.StreamRef that Go reads
//     with body.read, as the shim's streamToGo does.
//   - new FixedLengthStream(n) is a pair whose readable half has the known
//     length n, and readable.pipeThrough(pair) pipes a stream into it:
//     what R2 needs of a put's stream.

// jsStream is the Go side of a stream value.
type jsStream struct {
	mu     sync.Mutex
	r      io.ReadCloser  // a ReadableStream's bytes, until something reads it
	length int64          // a ReadableStream's length, if known (else -1)
	w      *io.PipeWriter // where a WritableStream's bytes go
}

// newReadableStream returns a ReadableStream of r's bytes, length of them
// (-1: unknown).
func newReadableStream(r io.ReadCloser, length int64) *JSObject {
	o := &JSObject{Class: "ReadableStream", stream: &jsStream{r: r, length: length}}
	o.Methods = map[string]any{
		"pipeThrough": func(pair *JSObject) (*JSObject, error) {
			w, _ := pair.prop("writable")
			readable, _ := pair.prop("readable")
			dest, _ := w.(*JSObject)
			if dest == nil || dest.stream == nil || dest.stream.w == nil {
				return nil, NewJSError("TypeError", "Failed to execute 'pipeThrough' on 'ReadableStream': parameter 1 is not a transform stream")
			}
			src, _, err := o.readStream()
			if err != nil {
				return nil, err
			}
			go pipeStream(src, dest.stream.w, dest.stream.length)
			return readable.(*JSObject), nil
		},
		"cancel": func() {
			if r, _, err := o.readStream(); err == nil {
				r.Close()
			}
		},
	}
	return o
}

// readStream takes the bytes of o, a ReadableStream: a stream is read
// once (workerd then says it is disturbed).
func (o *JSObject) readStream() (io.ReadCloser, int64, error) {
	if o == nil || o.stream == nil || o.stream.w != nil {
		return nil, 0, NewJSError("TypeError", "godurable: the value is not a ReadableStream")
	}
	s := o.stream
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.r == nil {
		return nil, 0, NewJSError("TypeError", "This ReadableStream is disturbed (has already been read from), and cannot be used as a body.")
	}
	r := s.r
	s.r = nil
	return r, s.length, nil
}

// newFixedLengthStream is workerd's new FixedLengthStream(n): a pair whose
// readable half is a stream of known length n, which its writable half
// fills.
func newFixedLengthStream(n float64) (*JSObject, error) {
	if n < 0 || n != math.Trunc(n) || n > maxSafeInteger {
		return nil, NewJSError("TypeError", "The expected length must be a non-negative integer.")
	}
	pr, pw := io.Pipe()
	return &JSObject{Class: "FixedLengthStream", Props: map[string]any{
		"readable": newReadableStream(pr, int64(n)),
		"writable": &JSObject{Class: "WritableStream", stream: &jsStream{w: pw, length: int64(n)}},
	}}, nil
}

// pipeStream copies src into w, which must receive length bytes (-1: any
// number), and ends w as a FixedLengthStream's writable half ends: with
// workerd's errors for too many bytes or too few, or with src's error.
func pipeStream(src io.ReadCloser, w *io.PipeWriter, length int64) {
	defer src.Close()
	buf := make([]byte, 32<<10)
	var n int64
	for {
		m, err := src.Read(buf)
		if m > 0 {
			if length >= 0 && n+int64(m) > length {
				w.CloseWithError(NewJSError("TypeError", "Attempt to write too many bytes through a FixedLengthStream."))
				return
			}
			if _, werr := w.Write(buf[:m]); werr != nil {
				return // the reader has gone: the pipe is cancelled
			}
			n += int64(m)
		}
		switch {
		case err == io.EOF && length >= 0 && n < length:
			w.CloseWithError(NewJSError("TypeError", "FixedLengthStream did not see all expected bytes before close()."))
			return
		case err == io.EOF:
			w.Close()
			return
		case err != nil:
			w.CloseWithError(jsThrown(err))
			return
		}
	}
}

// streamArgs makes the streams Go writes among args (abi.StreamRefs with
// a Writer, as jsbridge sends its io.Reader arguments) ReadableStreams.
func (iso *Isolate) streamArgs(args []any) {
	for i, a := range args {
		x, ok := a.(jsExt)
		if !ok || x.typ != abi.ExtStream {
			continue
		}
		var ref abi.StreamRef
		if err := abi.Unmarshal(x.data, &ref); err == nil && ref.Writer != 0 {
			args[i] = newReadableStream(iso.sentBody(ref.Writer), -1)
		}
	}
}

// streamResult is the bytes of a ReadableStream that Go reads as a value:
// an abi.StreamRef of one of the host's readers.
func (iso *Isolate) streamResult(o *JSObject) ([]byte, error) {
	r, _, err := o.readStream()
	if err != nil {
		return nil, err
	}
	return iso.AddStream(r), nil
}

var (
	readerType     = reflect.TypeFor[io.Reader]()
	readCloserType = reflect.TypeFor[io.ReadCloser]()
)

// streamParam gives a fake's parameter of type t (an io.Reader or
// io.ReadCloser) the bytes of arg, a ReadableStream; ok is false for a
// parameter of another type.
func streamParam(arg any, t reflect.Type) (v reflect.Value, ok bool, err error) {
	if t != readerType && t != readCloserType {
		return reflect.Value{}, false, nil
	}
	o, _ := arg.(*JSObject)
	r, _, err := o.readStream()
	if err != nil {
		return reflect.Value{}, true, err
	}
	return reflect.ValueOf(r), true, nil
}

// readerResult is the ReadableStream of r, an io.Reader a fake returned.
func readerResult(r io.Reader) *JSObject {
	rc, ok := r.(io.ReadCloser)
	if !ok {
		rc = io.NopCloser(r)
	}
	return newReadableStream(rc, -1)
}

// The globals of the model that work with streams and objects of the
// bindings' emulators.
func init() {
	registerGlobal("FixedLengthStream", func() *JSObject {
		return &JSObject{Class: "Function", Func: newFixedLengthStream}
	})
	registerGlobal("Object", func() *JSObject {
		// Object(v) is v itself, for an object.
		return &JSObject{Class: "Function", Func: func(v any) any { return v }}
	})
	registerGlobal("JSON", func() *JSObject {
		return &JSObject{Class: "Object", Methods: map[string]any{
			"stringify": func(v any) (any, error) { return jsonStringify(v) },
		}}
	})
}
