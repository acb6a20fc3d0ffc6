package workerd

import (
	"io"
	"math"
)

// The model's globals that the bindings' emulators need of JavaScript
// beyond its values: FixedLengthStream and a ReadableStream's
// pipeThrough (R2 takes a stream only if its length is known), Object
// (Object(v) is v, for an object) and JSON (JSON.stringify, jsjson.go).

func init() {
	registerGlobal("FixedLengthStream", func() *JSObject {
		return &JSObject{Class: "Function", Func: newFixedLengthStream}
	})
	registerGlobal("Object", func() *JSObject {
		return &JSObject{Class: "Function", Func: func(v any) any { return v }}
	})
	registerGlobal("JSON", func() *JSObject {
		return &JSObject{Class: "Object", Methods: map[string]any{
			"stringify": func(v any) (any, error) { return jsonStringify(v) },
		}}
	})
}

// fixedLengthReader is the readable half of a FixedLengthStream: the bytes
// of a stream of known length.
type fixedLengthReader struct {
	*io.PipeReader
	length int64
}

// fixedSink is the writable half of a FixedLengthStream, which must be
// given length bytes.
type fixedSink struct {
	w      *io.PipeWriter
	length int64
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
		"readable": &jsStream{r: &fixedLengthReader{pr, int64(n)}},
		"writable": &JSObject{Class: "WritableStream", sink: &fixedSink{pw, int64(n)}},
	}}, nil
}

// methods returns the methods of s, a ReadableStream, that the model has:
// pipeThrough (into a FixedLengthStream) and cancel.
func (s *jsStream) methods() *JSObject {
	return &JSObject{Class: "ReadableStream", Methods: map[string]any{
		"pipeThrough": func(pair *JSObject) (any, error) {
			w, _ := pair.prop("writable")
			readable, _ := pair.prop("readable")
			if dest, _ := w.(*JSObject); dest != nil && dest.sink != nil {
				go dest.sink.fill(s.r)
				return readable, nil
			}
			return nil, NewJSError("TypeError", "Failed to execute 'pipeThrough' on 'ReadableStream': parameter 1 is not a transform stream.")
		},
		"cancel": func() { s.r.Close() },
	}}
}

// fill copies src into the sink, and ends it as a FixedLengthStream's
// writable half ends: with workerd's errors for too many bytes or too
// few, or with src's error.
func (f *fixedSink) fill(src io.ReadCloser) {
	defer src.Close()
	buf := make([]byte, 32<<10)
	var n int64
	for {
		m, err := src.Read(buf)
		if m > 0 {
			if n+int64(m) > f.length {
				f.w.CloseWithError(NewJSError("TypeError", "Attempt to write too many bytes through a FixedLengthStream."))
				return
			}
			if _, werr := f.w.Write(buf[:m]); werr != nil {
				return // the reader has gone: the pipe is cancelled
			}
			n += int64(m)
		}
		switch {
		case err == io.EOF && n < f.length:
			f.w.CloseWithError(NewJSError("TypeError", "FixedLengthStream did not see all expected bytes before close()."))
			return
		case err == io.EOF:
			f.w.Close()
			return
		case err != nil:
			f.w.CloseWithError(jsThrown(err))
			return
		}
	}
}
