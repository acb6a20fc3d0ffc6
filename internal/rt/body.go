package rt

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"

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
		id, _ := abi.EncodeValue(b.id)
		chunk, err := Await(b.ctx, abi.AsyncBodyRead, id)
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
		id, _ := abi.EncodeValue(b.id)
		Call(abi.CallBodyCancel, 0, id)
	}
	if b.err == nil || b.err == io.EOF {
		b.err = errBodyClosed
	}
	b.pending = nil
	return nil
}
