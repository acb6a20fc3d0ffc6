package workerd

import (
	"io"
	"reflect"

	"github.com/godurable/godurable/internal/abi"
)

// jsStream is a ReadableStream of the model: what the guest passes as an
// io.Reader argument of an operation on a JavaScript value (the stream it
// writes, abi.StreamRef.Writer), or what a fake's method returns as an
// io.Reader. As in the shim, one crosses to Go as a stream (an
// abi.ExtStream the guest reads) when it is the whole result, and by
// reference inside another value.
type jsStream struct{ r io.ReadCloser }

var readCloserType = reflect.TypeFor[io.ReadCloser]()

// streamArgs turns the streams the guest writes among the arguments of a
// call (an abi.ExtStream with a Writer) into ReadableStreams, as the
// shim's jsArgs does.
func (iso *Isolate) streamArgs(args []any) {
	for i, a := range args {
		var ref abi.StreamRef
		if x, ok := a.(jsExt); ok && x.typ == abi.ExtStream && abi.Unmarshal(x.data, &ref) == nil && ref.Writer != 0 {
			args[i] = &jsStream{r: iso.sentBody(ref.Writer)}
		}
	}
}

// streamParam sets p, a parameter of a fake's method, to the stream a if
// a is one and p can hold an io.ReadCloser (an io.Reader, an any).
func streamParam(a any, p reflect.Value) bool {
	s, ok := a.(*jsStream)
	if !ok || !readCloserType.AssignableTo(p.Type()) {
		return false
	}
	p.Set(reflect.ValueOf(s.r))
	return true
}

// streamResult returns the ReadableStream of a fake's result that is an
// io.Reader.
func streamResult(v any) (*jsStream, bool) {
	switch x := v.(type) {
	case *jsStream:
		return x, true
	case io.ReadCloser:
		return &jsStream{r: x}, true
	case io.Reader:
		return &jsStream{r: io.NopCloser(x)}, true
	}
	return nil, false
}
