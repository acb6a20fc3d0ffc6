package rt

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"sync/atomic"

	"github.com/godurable/godurable/internal/abi"
)

// A body that streams from the host (abi.Request.BodyReader): a request's
// upload, or the response to an outbound fetch. Each Read that finds
// nothing buffered waits for the host's next chunk (body.read) on behalf
// of the event in ctx, the one whose I/O context the stream belongs to.
type hostBody struct {
	ctx     context.Context
	id      int32
	what    string // "the request body", for errors
	pending []byte
	err     error // io.EOF at the end, the error that ended it, or errBodyClosed
}

var errBodyClosed = errors.New("http: read on closed body")

// newBody returns the body of a message: its bytes, then, if reader is not
// 0, what streams from the host.
func newBody(ctx context.Context, first []byte, reader int32, what string) io.ReadCloser {
	if reader == 0 {
		if len(first) == 0 {
			return http.NoBody
		}
		return io.NopCloser(bytes.NewReader(first))
	}
	return &hostBody{ctx: ctx, id: reader, what: what, pending: first}
}

// contentLength is the length a message's headers give its body, or -1.
func contentLength(h http.Header, first []byte, reader int32) int64 {
	if reader == 0 {
		return int64(len(first))
	}
	if n, err := strconv.ParseInt(h.Get("Content-Length"), 10, 64); err == nil && n >= 0 {
		return n
	}
	return -1
}

func (b *hostBody) Read(p []byte) (int, error) {
	for len(b.pending) == 0 {
		if b.err != nil {
			return 0, b.err
		}
		chunk, err := AwaitRaw(b.ctx, abi.OpBodyRead, &b.id)
		switch {
		case err != nil:
			b.err = fmt.Errorf("godurable: reading %s: %w", b.what, err)
		case len(chunk) == 0:
			b.err = io.EOF
		default:
			b.pending = chunk
		}
	}
	n := copy(p, b.pending)
	b.pending = b.pending[n:]
	return n, nil
}

// Close gives up what has not been read: the host cancels the stream.
func (b *hostBody) Close() error {
	if b.err == nil {
		Do(NoObject, abi.OpBodyCancel, &b.id)
	}
	if b.err == nil || b.err == io.EOF {
		b.err = errBodyClosed
	}
	b.pending = nil
	return nil
}

// A body that streams from the guest: the response of an event, or the
// body of a request the guest sends (abi.Request.BodyWriter). Each write
// hands a chunk to the host (body.write) and waits (body.drain) while the
// host holds more than drainAbove bytes its reader has not read.
type bodyWriter struct {
	ref abi.BodyRef
}

// drainAbove is how much the host may hold unread before a write waits.
const drainAbove = 1 << 20

// ErrReaderGone is the error of writing a body that its reader gave up.
var ErrReaderGone = errors.New("godurable: the reader of the body went away")

// write sends b on behalf of the event in ctx. An error after b went to
// the host still counts b as written.
func (w *bodyWriter) write(ctx context.Context, b []byte) (int, error) {
	held, err := Do(NoObject, abi.OpBodyWrite, &abi.BodyChunk{Event: w.ref.Event, Stream: w.ref.Stream, Data: b})
	if err != nil {
		return 0, err
	}
	if held <= drainAbove {
		return len(b), nil
	}
	out, err := AwaitRaw(ctx, abi.OpBodyDrain, &w.ref) // a result that is not a bool means not gone
	if err != nil {
		return len(b), err
	}
	var gone bool
	if abi.DecodeValue(out, &gone); gone {
		return len(b), ErrReaderGone
	}
	return len(b), nil
}

// end ends the body, cut short with reason if it is not "".
func (w *bodyWriter) end(reason string) {
	Do(NoObject, abi.OpBodyClose, &abi.BodyEnd{Event: w.ref.Event, Stream: w.ref.Stream, Error: reason})
}

// streamAbove is the size above which a body streams rather than crossing
// the boundary whole, as the shim's STREAM_ABOVE.
const streamAbove = 64 << 10

var lastWriter atomic.Int32

// sendBody streams body, the body of a request sent on behalf of the event
// in ctx, from a goroutine of its own, and returns the request's
// BodyWriter. A body that fails to read ends the stream with its error,
// which fails the request on the host.
func sendBody(ctx context.Context, body io.ReadCloser) (int32, error) {
	e := eventFrom(ctx)
	if e == nil {
		return 0, ErrNoEvent
	}
	w := bodyWriter{ref: abi.BodyRef{Event: e.id, Stream: lastWriter.Add(1)}}
	go func() {
		defer body.Close()
		buf := make([]byte, 32<<10)
		for {
			n, err := body.Read(buf)
			if n > 0 {
				if _, werr := w.write(ctx, buf[:n]); werr != nil {
					w.end(werr.Error())
					return
				}
			}
			if err == io.EOF {
				w.end("")
				return
			}
			if err != nil {
				w.end("godurable: reading the request body: " + err.Error())
				return
			}
		}
	}()
	return w.ref.Stream, nil
}
